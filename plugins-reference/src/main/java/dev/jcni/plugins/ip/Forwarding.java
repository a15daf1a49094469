package dev.jcni.plugins.ip;

import dev.jcni.netlink.route.Sysctl;
import dev.jcni.sdk.types.IpConfig;
import java.util.List;

/**
 * IP forwarding in the calling thread's namespace (the host), as Go's {@code ip.EnableIP4Forward},
 * {@code EnableIP6Forward} and {@code EnableForward}, through {@link Sysctl#ensure}: the value is read
 * first and written only when it is not already {@code 1}.
 */
public final class Forwarding {
    private Forwarding() {
    }

    static final String IPV4 = "net/ipv4/ip_forward";
    static final String IPV6 = "net/ipv6/conf/all/forwarding";

    /** @throws dev.jcni.netlink.NetlinkException when the value cannot be written */
    public static void enableIpv4() {
        Sysctl.ensure(IPV4, "1");
    }

    /** @throws dev.jcni.netlink.NetlinkException when the value cannot be written */
    public static void enableIpv6() {
        Sysctl.ensure(IPV6, "1");
    }

    /**
     * Forwarding for each family of the addresses.
     *
     * @param ips the addresses
     * @throws dev.jcni.netlink.NetlinkException when a value cannot be written
     */
    public static void enableFor(List<IpConfig> ips) {
        boolean v4 = false;
        boolean v6 = false;
        for (IpConfig ip : ips) {
            v4 |= ip.isIpv4();
            v6 |= !ip.isIpv4();
        }
        if (v4) {
            enableIpv4();
        }
        if (v6) {
            enableIpv6();
        }
    }
}
