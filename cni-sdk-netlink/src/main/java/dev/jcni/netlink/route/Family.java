package dev.jcni.netlink.route;

import java.net.Inet4Address;
import java.net.InetAddress;

/** Address families for list filters (Go: {@code netlink.FAMILY_ALL/V4/V6}). */
public final class Family {
    private Family() {
    }

    /** Both IPv4 and IPv6 ({@code AF_UNSPEC}). */
    public static final int ALL = 0;
    /** IPv4 ({@code AF_INET}). */
    public static final int V4 = 2;
    /** IPv6 ({@code AF_INET6}). */
    public static final int V6 = 10;

    /**
     * @param address an address
     * @return {@link #V4} or {@link #V6}
     */
    public static int of(InetAddress address) {
        return address instanceof Inet4Address ? V4 : V6;
    }
}
