package dev.jcni.plugins.hostlocal;

import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.version.Version;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The few Go library behaviours host-local's observable output depends on: {@code net.ParseCIDR}
 * (prefix digits may have leading zeros), the {@code ip.IP} text form ({@code <ip>[/<prefix>]}),
 * {@code strings.TrimSpace} and {@code strings.Fields} (Unicode white space), {@code %q} quoting,
 * address arithmetic and Go-style I/O error texts. The static IPAM plugin parses its CIDRs with
 * {@link #parseCidr} and trims with {@link #trimSpace} too.
 */
public final class GoCompat {
    private GoCompat() {
    }

    /**
     * A parsed CIDR as Go's {@code types.ParseCIDR} keeps it: the address with its host bits, the
     * prefix length and the length of the mask in bits (128 for an IPv4-mapped literal such as
     * {@code ::ffff:10.0.0.0/120}, whose address is IPv4 while its mask is IPv6).
     *
     * @param address the address, host bits kept
     * @param ones the prefix length
     * @param maskBits 32 or 128
     */
    public record Cidr(InetAddress address, int ones, int maskBits) {
        @Override
        public String toString() {
            return Ip.format(address) + "/" + ones;
        }
    }

    /**
     * Go's {@code net.ParseCIDR}.
     *
     * @param text the text
     * @return the CIDR, or empty when it does not parse (Go: {@code invalid CIDR address: <text>})
     */
    public static Optional<Cidr> parseCidr(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String addr = text.substring(0, slash);
        String mask = text.substring(slash + 1);
        Optional<InetAddress> ip = Ip.tryParse(addr);
        int maskBits = addr.indexOf(':') >= 0 ? 128 : 32;
        if (ip.isEmpty() || mask.isEmpty() || mask.length() > 9) {
            return Optional.empty();
        }
        int n = 0;
        for (int i = 0; i < mask.length(); i++) {
            char c = mask.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
            n = n * 10 + (c - '0');
        }
        if (n > maskBits) {
            return Optional.empty();
        }
        return Optional.of(new Cidr(ip.get(), n, maskBits));
    }

    /**
     * The {@code ip.IP} text form of containernetworking/plugins: {@code <ip>} or {@code <ip>/<prefix>}.
     *
     * @param text non-empty text
     * @return the address (the prefix is dropped), or empty when it does not parse
     */
    static Optional<InetAddress> parseIpMaybePrefix(String text) {
        if (text.indexOf('/') >= 0) {
            return parseCidr(text).map(Cidr::address);
        }
        return Ip.tryParse(text);
    }

    /**
     * Go's {@code version.GreaterThanOrEqualTo(v, "0.3.0")} as the IPAM plugins use it: a version
     * that does not parse is not.
     *
     * @param version a configuration's {@code cniVersion}
     * @return true for 0.3.0 and later
     */
    public static boolean atLeast030(String version) {
        try {
            return Version.greaterThanOrEqualTo(version, "0.3.0");
        } catch (IllegalArgumentException e) {
            return false; // Go ignores the parse error: not >= 0.3.0
        }
    }

    /** Go's {@code unicode.IsSpace}. */
    static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || c == '\u0085' || c == '\u00a0' || Character.isSpaceChar(c);
    }

    /** Go's {@code strings.TrimSpace}. */
    public static String trimSpace(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && isSpace(s.charAt(from))) {
            from++;
        }
        while (to > from && isSpace(s.charAt(to - 1))) {
            to--;
        }
        return s.substring(from, to);
    }

    /** Go's {@code strings.Fields}. */
    static List<String> fields(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < s.length() && !isSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(s.substring(start, i));
            }
        }
        return out;
    }

    /** Go's {@code %q} of a string: the SDK's {@link GoText#quote(String)}. */
    static String quote(String s) {
        return GoText.quote(s);
    }

    /** Go's {@code %q} of a string slice: {@code ["a" "b"]}. */
    static String quoteList(List<String> items) {
        return GoText.quoteList(items);
    }

    /** @return true when both addresses are of one family */
    static boolean sameFamily(InetAddress a, InetAddress b) {
        return a.getAddress().length == b.getAddress().length;
    }

    /**
     * Unsigned comparison of two addresses of one family.
     *
     * @return negative, zero or positive
     */
    static int compare(InetAddress a, InetAddress b) {
        byte[] x = a.getAddress();
        byte[] y = b.getAddress();
        if (x.length != y.length) {
            throw new IllegalArgumentException("addresses of different families");
        }
        for (int i = 0; i < x.length; i++) {
            int d = (x[i] & 0xff) - (y[i] & 0xff);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    /** @return the next address; the all-ones address wraps to zero (never reached inside a range) */
    static InetAddress next(InetAddress a) {
        byte[] b = a.getAddress();
        for (int i = b.length - 1; i >= 0; i--) {
            b[i]++;
            if (b[i] != 0) {
                break;
            }
        }
        return Ip.fromBytes(b);
    }

    /**
     * An I/O failure in Go's words: {@code <op> <path>: <reason>}, reason in lower case as the
     * kernel's {@code strerror} texts appear in Go errors.
     */
    static String ioText(String op, Path path, IOException e) {
        return op + " " + path + ": " + reason(e);
    }

    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "file exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        String r = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (r == null || r.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        return Character.toLowerCase(r.charAt(0)) + r.substring(1);
    }
}
