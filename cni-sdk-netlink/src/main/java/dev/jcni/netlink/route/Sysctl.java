package dev.jcni.netlink.route;

import dev.jcni.netlink.NetlinkException;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NsCallable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads and writes kernel parameters under {@code /proc/sys} (Go: {@code pkg/utils/sysctl}).
 *
 * <p>Names use Go's rule: a name whose first separator is a dot ({@code net.ipv4.ip_forward}) has
 * its dots and slashes swapped, so {@code net.ipv4.conf.eth0/1.forwarding} addresses the interface
 * {@code eth0.1}; a name whose first separator is a slash ({@code net/ipv4/conf/eth0.1/forwarding})
 * is used as it is. The interface helpers below always build the slash form.
 *
 * <p>{@code /proc/sys/net} shows the network namespace of the <em>calling thread</em> when the
 * file is opened, so inside {@link NetNs#run} these methods act on that namespace; the methods
 * that take a {@link NetNs} enter it for you.
 */
public final class Sysctl {
    private Sysctl() {
    }

    /**
     * Go's name rule: dots and slashes are swapped when a dot comes before any slash.
     *
     * @param name a sysctl name
     * @return the path under /proc/sys, e.g. {@code net/ipv4/ip_forward}
     */
    public static String normalize(String name) {
        int dot = name.indexOf('.');
        int slash = name.indexOf('/');
        if (dot < 0 || (slash >= 0 && slash < dot)) {
            return name;
        }
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(c == '.' ? '/' : c == '/' ? '.' : c);
        }
        return sb.toString();
    }

    /**
     * @param name a sysctl name
     * @return the file, e.g. {@code /proc/sys/net/ipv4/ip_forward}
     */
    public static Path path(String name) {
        String n = normalize(name);
        if (n.isEmpty() || n.startsWith("/") || n.contains("..")) {
            throw new IllegalArgumentException("invalid sysctl name: " + name);
        }
        return Path.of("/proc/sys", n);
    }

    /**
     * Reads a value in the calling thread's namespaces.
     *
     * @param name a sysctl name
     * @return the value, without the trailing newline
     * @throws NetlinkException naming the file when it cannot be read
     */
    public static String get(String name) {
        Path p = path(name);
        // one read with a buffer larger than any value: a /proc/sys file says its size is 0, which makes
        // Files.readString read one byte and then ask for the rest at offset 1, where the kernel's handler
        // answers end of file ("4" for somaxconn's "4096", "0" for ping_group_range's "0\t2147483647")
        try (InputStream in = Files.newInputStream(p)) {
            byte[] buf = new byte[4096];
            int n = 0;
            for (int r; n < buf.length && (r = in.read(buf, n, buf.length - n)) > 0; ) {
                n += r;
            }
            String s = new String(buf, 0, n, StandardCharsets.UTF_8);
            return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            throw failure("read", p, e);
        }
    }

    /**
     * Writes a value in the calling thread's namespaces and reads it back (as Go does).
     *
     * @param name a sysctl name
     * @param value the value
     * @return the value read back
     * @throws NetlinkException naming the file when it cannot be written
     */
    public static String set(String name, String value) {
        Path p = path(name);
        try {
            Files.write(p, value.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw failure("write", p, e);
        }
        return get(name);
    }

    /**
     * Makes a parameter hold a value, writing only when it holds another (Go's
     * {@code ip.EnableIP4Forward} way: a read-only {@code /proc/sys} that already says so is fine).
     *
     * @param name a sysctl name
     * @param value the value wanted
     * @return true when it was written
     * @throws NetlinkException naming the file when it must be written and cannot be
     */
    public static boolean ensure(String name, String value) {
        try {
            if (get(name).trim().equals(value)) {
                return false;
            }
        } catch (NetlinkException e) {
            // not readable: the write below reports what is wrong
        }
        set(name, value);
        return true;
    }

    /**
     * Reads a value inside a namespace.
     *
     * @param ns the namespace
     * @param name a sysctl name
     * @return the value
     */
    public static String get(NetNs ns, String name) {
        return ns.call(new NsCallable<String, RuntimeException>() { // not a lambda: see set(NetNs, ...)
            @Override
            public String call() {
                return get(name);
            }
        });
    }

    /**
     * Writes a value inside a namespace.
     *
     * @param ns the namespace
     * @param name a sysctl name
     * @param value the value
     * @return the value read back
     */
    public static String set(NetNs ns, String name, String value) {
        // a class, not a lambda: a cold JVM sets up the lambda machinery at its first lambda
        return ns.call(new NsCallable<String, RuntimeException>() {
            @Override
            public String call() {
                return set(name, value);
            }
        });
    }

    private static NetlinkException failure(String what, Path p, IOException e) {
        String reason = e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
        return NetlinkException.of("sysctl", "sysctl: cannot " + what + " " + p + ": " + reason, e);
    }

    private static String bool(boolean on) {
        return on ? "1" : "0";
    }

    /**
     * {@code net.ipv4.ip_forward}.
     *
     * @param on forward IPv4
     */
    public static void setIpv4Forwarding(boolean on) {
        set("net/ipv4/ip_forward", bool(on));
    }

    /**
     * {@code net.ipv6.conf.all.forwarding}.
     *
     * @param on forward IPv6
     */
    public static void setIpv6Forwarding(boolean on) {
        set("net/ipv6/conf/all/forwarding", bool(on));
    }

    /**
     * {@code net.ipv6.conf.<if>.accept_ra}.
     *
     * @param ifName an interface, {@code all} or {@code default}
     * @param value 0 off, 1 on unless forwarding, 2 on even when forwarding
     */
    public static void setAcceptRa(String ifName, int value) {
        set(conf("ipv6", ifName, "accept_ra"), Integer.toString(value));
    }

    /**
     * {@code net.ipv6.conf.<if>.accept_dad}.
     *
     * @param ifName an interface, {@code all} or {@code default}
     * @param value 0 no DAD, 1 DAD, 2 DAD and disable IPv6 on a duplicate link-local address
     */
    public static void setAcceptDad(String ifName, int value) {
        set(conf("ipv6", ifName, "accept_dad"), Integer.toString(value));
    }

    /**
     * {@code net.ipv6.conf.<if>.enhanced_dad}.
     *
     * @param ifName an interface, {@code all} or {@code default}
     * @param on enhanced DAD (nonce-based loop detection)
     */
    public static void setEnhancedDad(String ifName, boolean on) {
        set(conf("ipv6", ifName, "enhanced_dad"), bool(on));
    }

    /**
     * {@code net.ipv4.conf.<if>.arp_notify}.
     *
     * @param ifName an interface, {@code all} or {@code default}
     * @param on send gratuitous ARP when the device comes up or changes address
     */
    public static void setArpNotify(String ifName, boolean on) {
        set(conf("ipv4", ifName, "arp_notify"), bool(on));
    }

    /**
     * {@code net.ipv4.conf.<if>.route_localnet}.
     *
     * @param ifName an interface, {@code all} or {@code default}
     * @param on route 127.0.0.0/8 traffic to and from this interface
     */
    public static void setRouteLocalnet(String ifName, boolean on) {
        set(conf("ipv4", ifName, "route_localnet"), bool(on));
    }

    /**
     * {@code net.ipv6.conf.<if>.disable_ipv6}.
     *
     * @param ifName an interface, {@code all} or {@code default}
     * @param disabled disable IPv6 on it
     */
    public static void setDisableIpv6(String ifName, boolean disabled) {
        set(conf("ipv6", ifName, "disable_ipv6"), bool(disabled));
    }

    /**
     * {@code net.ipv6.conf.<if>.keep_addr_on_down}.
     *
     * @param ifName an interface, {@code all} or {@code default}
     * @param on keep IPv6 addresses when the link goes down
     */
    public static void setKeepAddrOnDown(String ifName, boolean on) {
        set(conf("ipv6", ifName, "keep_addr_on_down"), bool(on));
    }

    static String conf(String proto, String ifName, String key) {
        if (ifName.isEmpty() || ifName.indexOf('/') >= 0 || ifName.equals("..") || ifName.equals(".")) {
            throw new IllegalArgumentException("invalid interface name: \"" + ifName + "\"");
        }
        return "net/" + proto + "/conf/" + ifName + "/" + key;
    }
}
