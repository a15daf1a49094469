package dev.jcni.plugins.ip;

import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.NetlinkRoute;
import dev.jcni.netlink.route.Scope;
import dev.jcni.netlink.route.Sysctl;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Route;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Configures the container interface from a result, as Go's {@code ipam.ConfigureIface} (HEAD):
 * every address whose interface index names {@code ifName}, IPv6 enabled on {@code lo} and the
 * interface (and {@code keep_addr_on_down=1}) before the first IPv6 address, the link up, IPv6 DAD
 * settled (5 s; a timeout counts only while the link is operationally up), then the result's
 * routes appended (ECMP) with the first gateway of their family when they have none.
 */
public final class IfaceConfig {
    private IfaceConfig() {
    }

    /** Go's {@code dadSettleTimeout} at HEAD. */
    public static final Duration DAD_SETTLE_TIMEOUT = Duration.ofSeconds(5);

    /**
     * @param ns the container's namespace
     * @param c a handle in it
     * @param ifName the interface
     * @param result the result with the addresses and routes
     */
    public static void configure(NetNs ns, NetlinkHandle c, String ifName, Result result) {
        if (result.interfaces().isEmpty()) {
            throw Errors.internal("no interfaces to configure");
        }
        Link link;
        try {
            link = c.linkByName(ifName);
        } catch (NetlinkException e) {
            throw Errors.internal("failed to lookup \"" + ifName + "\": " + Errors.text(e), e);
        }
        Optional<InetAddress> v4gw = Optional.empty();
        Optional<InetAddress> v6gw = Optional.empty();
        boolean ipv6Enabled = false;
        List<Interface> ifs = result.interfaces();
        for (IpConfig ipc : result.ips()) {
            if (ipc.interfaceIndex().isEmpty()) {
                continue;
            }
            int idx = ipc.interfaceIndex().getAsInt();
            if (idx < 0 || idx >= ifs.size() || !ifs.get(idx).name().equals(ifName)) {
                throw Errors.internal("failed to add IP addr " + describe(ipc) + " to \"" + ifName + "\": invalid interface index");
            }
            if (!ipv6Enabled && !ipc.isIpv4()) {
                for (String iface : List.of("lo", ifName)) {
                    String name = "net/ipv6/conf/" + iface + "/disable_ipv6";
                    String value;
                    try {
                        value = Sysctl.get(ns, name).trim();
                    } catch (RuntimeException e) {
                        continue; // as Go: logged, not fatal
                    }
                    if (!value.equals("0")) {
                        try {
                            Sysctl.set(ns, name, "0");
                        } catch (RuntimeException e) {
                            throw Errors.internal("failed to enable IPv6 for interface \"" + iface + "\" (" + name + "=" + value
                                    + "): " + Errors.text(e), e);
                        }
                    }
                }
                try {
                    Sysctl.set(ns, "net/ipv6/conf/" + ifName + "/keep_addr_on_down", "1");
                } catch (RuntimeException e) {
                    throw Errors.internal("failed to enable keep_addr_on_down for interface \"" + ifName + "\": " + Errors.text(e), e);
                }
                ipv6Enabled = true;
            }
            try {
                c.addrAdd(Address.of(link.index(), ipc.address()));
            } catch (NetlinkException e) {
                throw Errors.internal("failed to add IP addr " + describe(ipc) + " to \"" + ifName + "\": " + Errors.text(e), e);
            }
            if (ipc.gateway().isPresent()) {
                // the first gateway of each family (plain ifs: a cold plugin links each lambda it meets)
                if (Ip.isIpv4(ipc.gateway().get())) {
                    v4gw = v4gw.isPresent() ? v4gw : ipc.gateway();
                } else {
                    v6gw = v6gw.isPresent() ? v6gw : ipc.gateway();
                }
            }
        }
        try {
            c.linkSetUp(link.index());
        } catch (NetlinkException e) {
            throw Errors.internal("failed to set \"" + ifName + "\" UP: " + Errors.text(e), e);
        }
        if (v6gw.isPresent()) {
            try {
                c.settleAddresses(ifName, DAD_SETTLE_TIMEOUT);
            } catch (NetlinkException e) {
                throw Errors.internal("failed to settle addresses for \"" + ifName + "\": " + Errors.text(e), e);
            }
        }
        for (Route r : result.routes()) {
            boolean v4 = r.dst().isIpv4();
            Optional<InetAddress> gw = r.gw();
            if (gw.isEmpty()) {
                gw = v4 ? v4gw : v6gw;
            }
            NetlinkRoute.Builder b = NetlinkRoute.builder()
                    .family(v4 ? Family.V4 : Family.V6).dst(r.dst()).linkIndex(link.index()).priority(r.priority());
            if (gw.isPresent()) {
                b.gateway(gw.get());
            }
            if (r.table().isPresent()) {
                b.table(r.table().getAsInt());
            }
            if (r.scope().isPresent()) {
                b.scope(r.scope().getAsInt());
            }
            try {
                c.routeAppend(b.build());
            } catch (NetlinkException e) {
                throw Errors.internal("failed to add route '" + r.dst() + " via " + gw.map(Ip::format).orElse("<nil>") + " dev "
                        + ifName + " metric " + r.priority() + " (Scope: " + Scope.name(r.scope().orElse(Scope.UNIVERSE))
                        + ", Table: " + r.table().orElse(0) + ")': " + Errors.text(e), e);
            }
        }
    }

    private static String describe(IpConfig ipc) {
        return ipc.address() + ipc.gateway().map(g -> " gw " + Ip.format(g)).orElse("");
    }
}
