package dev.jcni.plugins.ip;

import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.NetlinkRoute;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Route;
import java.util.List;
import java.util.Optional;

/**
 * The CHECK validators of Go's {@code pkg/ip}: {@code ValidateExpectedInterfaceIPs} and
 * {@code ValidateExpectedRoute} (HEAD: the gateway is compared only when the expected route has one).
 * Routes are looked up in the main table, as Go's filtered route list does, except that a route with a
 * {@code table} is looked up in that table (Go's CHECK fails for such routes).
 */
public final class Validate {
    private Validate() {
    }

    /**
     * Every address is on the interface, and a route to its prefix exists.
     *
     * @param c a handle in the container's namespace
     * @param ifName the interface
     * @param ips the expected addresses
     */
    public static void interfaceIps(NetlinkHandle c, String ifName, List<IpConfig> ips) {
        for (IpConfig ipc : ips) {
            Optional<Link> link = c.findLinkByName(ifName);
            if (link.isEmpty()) {
                throw Errors.internal("Cannot find container link " + ifName);
            }
            boolean match = false;
            for (Address a : c.addrList(link.get().index(), Family.ALL)) {
                if (a.prefix().equals(ipc.address())) {
                    match = true;
                    break;
                }
            }
            if (!match) {
                throw Errors.internal("Failed to match addr " + ipc.address() + " on interface " + ifName);
            }
            IpPrefix net = ipc.address().network();
            int family = ipc.isIpv4() ? Family.V4 : Family.V6;
            boolean found = c.routeList(family).stream().anyMatch(r -> r.dst().map(net::equals).orElse(false));
            if (!found) {
                throw Errors.internal("Failed to find Gateway " + ipc.gateway().map(Ip::format).orElse("<nil>")
                        + " for interface " + ifName);
            }
        }
    }

    /**
     * Every expected route is in the main table: a default route by destination alone, any other by
     * destination and, when given, gateway.
     *
     * @param c a handle in the container's namespace
     * @param routes the expected routes
     */
    public static void routes(NetlinkHandle c, List<Route> routes) {
        for (Route r : routes) {
            int family = r.dst().isIpv4() ? Family.V4 : Family.V6;
            boolean isDefault = r.dst().prefixLength() == 0 && r.dst().address().isAnyLocalAddress();
            boolean found = false;
            // Go looks in the main table only, so a route with a table fails its CHECK; jcni looks in the route's table
            List<NetlinkRoute> table = r.table().isPresent() && r.table().getAsInt() != 0
                    ? c.routeList(family, r.table().getAsInt()) : c.routeList(family);
            for (NetlinkRoute k : table) {
                if (isDefault) {
                    if (k.isDefault()) {
                        found = true;
                    }
                } else if (k.dst().map(d -> d.equals(r.dst().network())).orElse(false)
                        && (r.gw().isEmpty() || k.gateway().equals(r.gw())
                            || k.nextHops().stream().anyMatch(h -> h.gateway().equals(r.gw())))) {
                    found = true;
                }
                if (found) {
                    break;
                }
            }
            if (!found) {
                throw Errors.internal("Expected Route " + r + " not found in routing table");
            }
        }
    }
}
