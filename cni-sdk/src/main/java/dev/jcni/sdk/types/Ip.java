package dev.jcni.sdk.types;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Parsing and formatting of IP address literals, with the rules of Go's {@code net.ParseIP}
 * and {@code net.IP.String()} so that text written by jcni equals text written by Go plugins.
 *
 * <p>Unlike {@link InetAddress#getByName(String)} this never performs a DNS lookup: anything that
 * is not an IPv4 dotted quad or an IPv6 literal is rejected. IPv4-mapped IPv6 literals
 * ({@code ::ffff:1.2.3.4}) are IPv4 addresses, as in Go.
 */
public final class Ip {
    private Ip() {
    }

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @param text the literal, e.g. {@code 10.1.2.3} or {@code 2001:db8::1}
     * @return the address ({@link Inet4Address} for IPv4 and IPv4-mapped literals)
     * @throws IllegalArgumentException if {@code text} is not an IP literal
     */
    public static InetAddress parse(String text) {
        Optional<InetAddress> a = tryParse(text);
        if (a.isEmpty()) {
            throw new IllegalArgumentException("invalid IP address: " + text);
        }
        return a.get();
    }

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @param text the literal
     * @return the address, or empty when {@code text} is not an IP literal
     */
    public static Optional<InetAddress> tryParse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text, 0, text.length());
        if (bytes == null) {
            return Optional.empty();
        }
        return Optional.of(fromBytes(bytes));
    }

    /**
     * Builds an address from 4 or 16 bytes; an IPv4-mapped 16-byte address becomes IPv4.
     *
     * @param bytes 4 or 16 bytes in network order (not modified)
     * @return the address
     * @throws IllegalArgumentException for any other length
     */
    public static InetAddress fromBytes(byte[] bytes) {
        if (bytes.length != 4 && bytes.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Formats an address as Go does: dotted quad for IPv4, RFC 5952 text (lowercase, longest
     * run of two or more zero groups compressed) for IPv6, no scope.
     *
     * @param address the address
     * @return its canonical text
     */
    public static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /**
     * Tells whether an address is IPv4.
     *
     * @param address the address
     * @return true for IPv4
     */
    public static boolean isIpv4(InetAddress address) {
        return address instanceof Inet4Address;
    }

    private static byte[] parseV4(String s, int from, int to) {
        byte[] out = new byte[4];
        int part = 0;
        int i = from;
        while (part < 4) {
            if (i >= to) {
                return null;
            }
            int start = i;
            int value = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                if (value > 255) {
                    return null;
                }
                i++;
            }
            int digits = i - start;
            if (digits == 0 || (digits > 1 && s.charAt(start) == '0')) {
                return null; // empty part, or a leading zero (Go rejects it since 1.17)
            }
            out[part++] = (byte) value;
            if (part < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
        }
        return i == to ? out : null;
    }

    private static byte[] parseV6(String s) {
        byte[] out = new byte[16];
        int len = s.length();
        int ellipsis = -1; // byte index where "::" was seen
        int i = 0;
        int p = 0;
        if (len >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
            ellipsis = 0;
            i = 2;
            if (i == len) {
                return out;
            }
        }
        while (p < 16) {
            int start = i;
            int value = 0;
            while (i < len && Character.digit(s.charAt(i), 16) >= 0 && isAsciiHex(s.charAt(i))) {
                value = (value << 4) | Character.digit(s.charAt(i), 16);
                if (i - start >= 4) {
                    return null;
                }
                i++;
            }
            if (i == start) {
                return null;
            }
            if (i < len && s.charAt(i) == '.') {
                // embedded IPv4 at the end
                if (ellipsis < 0 && p != 12) {
                    return null;
                }
                if (p + 4 > 16) {
                    return null;
                }
                byte[] v4 = parseV4(s, start, len);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, p, 4);
                p += 4;
                i = len;
                break;
            }
            out[p++] = (byte) (value >> 8);
            out[p++] = (byte) value;
            if (i == len) {
                break;
            }
            if (s.charAt(i) != ':' || i + 1 == len) {
                return null;
            }
            i++;
            if (s.charAt(i) == ':') {
                if (ellipsis >= 0) {
                    return null;
                }
                ellipsis = p;
                i++;
                if (i == len) {
                    break;
                }
            }
        }
        if (i != len) {
            return null;
        }
        if (p < 16) {
            if (ellipsis < 0) {
                return null;
            }
            int n = 16 - p;
            for (int k = p - 1; k >= ellipsis; k--) {
                out[k + n] = out[k];
            }
            for (int k = ellipsis + n - 1; k >= ellipsis; k--) {
                out[k] = 0;
            }
        } else if (ellipsis >= 0) {
            return null; // "::" must stand for at least one group
        }
        return out;
    }

    private static boolean isAsciiHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
}
