package dev.jcni.netlink.route;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One next hop of a multipath (ECMP) route ({@code struct rtnexthop} in {@code RTA_MULTIPATH}).
 *
 * @param linkIndex the output interface index
 * @param gateway the gateway, when there is one
 * @param weight the weight, 1..256 ({@code rtnh_hops + 1})
 * @param flags {@code RTNH_F_*} flags
 */
public record NextHop(int linkIndex, Optional<InetAddress> gateway, int weight, int flags) {
    /**
     * Null checks.
     *
     * @param linkIndex linkIndex
     * @param gateway gateway
     * @param weight weight
     * @param flags flags
     */
    public NextHop {
        Objects.requireNonNull(gateway, "gateway");
    }

    /**
     * @param linkIndex the output interface
     * @param gateway the gateway
     * @return a next hop of weight 1
     */
    public static NextHop of(int linkIndex, InetAddress gateway) {
        return new NextHop(linkIndex, Optional.of(gateway), 1, 0);
    }
}
