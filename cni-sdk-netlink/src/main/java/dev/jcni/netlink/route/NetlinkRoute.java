package dev.jcni.netlink.route;

import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A kernel route (Go: {@code netlink.Route}; named apart from the CNI result's
 * {@link dev.jcni.sdk.types.Route}, which plugins use beside it): what {@link NetlinkHandle#routeList} and
 * {@link NetlinkHandle#routeGet} return and what {@link NetlinkHandle#routeAdd} takes. Build one
 * with {@link #builder()}:
 *
 * <pre>{@code
 * NetlinkRoute.builder().dst(IpPrefix.parse("10.9.0.0/16")).gateway(Ip.parse("10.1.2.1")).linkIndex(eth0).build()
 * NetlinkRoute.builder().family(Family.V4).gateway(gw).build()   // default route
 * }</pre>
 *
 * @param family {@link Family#V4} or {@link Family#V6}
 * @param dst the destination; empty for a default route
 * @param src the preferred source address ({@code RTA_PREFSRC}; Go's {@code Src})
 * @param gateway the gateway ({@code RTA_GATEWAY})
 * @param linkIndex the output interface ({@code RTA_OIF}); 0 when none
 * @param table the table ({@link #TABLE_MAIN} by default)
 * @param scope the scope ({@link Scope})
 * @param protocol the protocol ({@code RTPROT_*}, {@link #PROTOCOL_BOOT} by default when adding)
 * @param type the type ({@link #TYPE_UNICAST}, {@link #TYPE_LOCAL}, ...)
 * @param priority the metric ({@code RTA_PRIORITY}); 0 when unset
 * @param mtu the path MTU metric ({@code RTAX_MTU}); 0 when unset
 * @param advmss the advertised MSS metric ({@code RTAX_ADVMSS}); 0 when unset
 * @param flags {@code RTNH_F_*} / {@code RTM_F_*} flags
 * @param nextHops the next hops of a multipath route ({@code RTA_MULTIPATH}); empty otherwise
 */
public record NetlinkRoute(int family, Optional<IpPrefix> dst, Optional<InetAddress> src, Optional<InetAddress> gateway,
        int linkIndex, int table, int scope, int protocol, int type, int priority, int mtu, int advmss, int flags,
        List<NextHop> nextHops) {

    /** {@code RT_TABLE_UNSPEC}: in a list filter, every table. */
    public static final int TABLE_UNSPEC = 0;
    /** {@code RT_TABLE_MAIN}. */
    public static final int TABLE_MAIN = 254;
    /** {@code RT_TABLE_LOCAL}. */
    public static final int TABLE_LOCAL = 255;
    /** {@code RTPROT_KERNEL}: installed by the kernel (prefix routes). */
    public static final int PROTOCOL_KERNEL = 2;
    /** {@code RTPROT_BOOT}: the default for routes jcni adds, as with Go and {@code ip route}. */
    public static final int PROTOCOL_BOOT = 3;
    /** {@code RTPROT_STATIC}. */
    public static final int PROTOCOL_STATIC = 4;
    /** {@code RTN_UNICAST}. */
    public static final int TYPE_UNICAST = 1;
    /** {@code RTN_LOCAL}: the destination is an address of this host. */
    public static final int TYPE_LOCAL = 2;
    /** {@code RTN_BROADCAST}. */
    public static final int TYPE_BROADCAST = 3;
    /** {@code RTN_MULTICAST}. */
    public static final int TYPE_MULTICAST = 5;
    /** {@code RTN_BLACKHOLE}. */
    public static final int TYPE_BLACKHOLE = 6;
    /** {@code RTN_UNREACHABLE}. */
    public static final int TYPE_UNREACHABLE = 7;
    /** {@code RTNH_F_ONLINK}: the gateway is on-link even if no prefix says so. */
    public static final int FLAG_ONLINK = 4;

    /**
     * Null checks; an immutable copy of the next hops.
     *
     * @param family family
     * @param dst dst
     * @param src src
     * @param gateway gateway
     * @param linkIndex linkIndex
     * @param table table
     * @param scope scope
     * @param protocol protocol
     * @param type type
     * @param priority priority
     * @param mtu mtu
     * @param advmss advmss
     * @param flags flags
     * @param nextHops nextHops
     */
    public NetlinkRoute {
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(gateway, "gateway");
        nextHops = List.copyOf(nextHops);
        if (family != Family.V4 && family != Family.V6) {
            throw new IllegalArgumentException("a route's family is Family.V4 or Family.V6, not " + family);
        }
    }

    /**

     * @return a builder with Go's defaults: main table, universe scope, boot protocol, unicast

     */
    public static Builder builder() {
        return new Builder();
    }

    /**

     * @return a builder starting from this route's values

     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.family = family;
        b.dst = dst.orElse(null);
        b.src = src.orElse(null);
        b.gateway = gateway.orElse(null);
        b.linkIndex = linkIndex;
        b.table = table;
        b.scope = scope;
        b.protocol = protocol;
        b.type = type;
        b.priority = priority;
        b.mtu = mtu;
        b.advmss = advmss;
        b.flags = flags;
        b.nextHops = nextHops;
        return b;
    }

    /**

     * @return true when this is a default route (no destination, or a /0 one)

     */
    public boolean isDefault() {
        return dst.isEmpty() || dst.get().prefixLength() == 0;
    }

    /**

     * @return true for an {@code RTN_LOCAL} route: the destination is this host (Go's route lookup {@code local})

     */
    public boolean isLocal() {
        return type == TYPE_LOCAL;
    }

    /**

     * @return e.g. {@code 10.9.0.0/16 via 10.1.2.1 dev#3 table 254 proto 3 scope universe} as {@code ip route} would

     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (type != TYPE_UNICAST) {
            sb.append("type ").append(type).append(' ');
        }
        sb.append(dst.isPresent() ? dst.get().toString() : "default");
        if (gateway.isPresent()) {
            sb.append(" via ").append(Ip.format(gateway.get()));
        }
        if (linkIndex != 0) {
            sb.append(" dev#").append(linkIndex);
        }
        sb.append(" table ").append(table).append(" proto ").append(protocol).append(" scope ").append(Scope.name(scope));
        if (src.isPresent()) {
            sb.append(" src ").append(Ip.format(src.get()));
        }
        if (priority != 0) {
            sb.append(" metric ").append(priority);
        }
        if (mtu != 0) {
            sb.append(" mtu ").append(mtu);
        }
        if (advmss != 0) {
            sb.append(" advmss ").append(advmss);
        }
        for (NextHop nh : nextHops) {
            sb.append(" nexthop");
            if (nh.gateway().isPresent()) {
                sb.append(" via ").append(Ip.format(nh.gateway().get()));
            }
            sb.append(" dev#").append(nh.linkIndex()).append(" weight ").append(nh.weight());
        }
        return sb.toString();
    }

    /** Builds a {@link NetlinkRoute}; the family follows from the destination, gateway or source when not set. */
    public static final class Builder {
        private int family = -1;
        private IpPrefix dst;
        private InetAddress src;
        private InetAddress gateway;
        private int linkIndex;
        private int table = TABLE_MAIN;
        private int scope = Scope.UNIVERSE;
        private int protocol = PROTOCOL_BOOT;
        private int type = TYPE_UNICAST;
        private int priority;
        private int mtu;
        private int advmss;
        private int flags;
        private List<NextHop> nextHops = List.of();

        private Builder() {
        }

        /**

         * @param family {@link Family#V4} or {@link Family#V6}, needed for a default route without gateway

         * @return this

         */
        public Builder family(int family) {
            this.family = family;
            return this;
        }

        /**

         * @param dst the destination (host bits are cleared)

         * @return this

         */
        public Builder dst(IpPrefix dst) {
            this.dst = network(dst);
            return this;
        }

        /** Clears the host bits, keeping an IPv6 prefix IPv6 even where it is IPv4-mapped. */
        private static IpPrefix network(IpPrefix p) {
            byte[] b = p.address().getAddress();
            for (int i = p.prefixLength(); i < b.length * 8; i++) {
                b[i / 8] &= (byte) ~(0x80 >>> (i % 8));
            }
            try {
                InetAddress a = b.length == 16 ? java.net.Inet6Address.getByAddress(null, b, -1)
                        : InetAddress.getByAddress(b);
                return new IpPrefix(a, p.prefixLength());
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }

        /**

         * @param src the preferred source address

         * @return this

         */
        public Builder src(InetAddress src) {
            this.src = src;
            return this;
        }

        /**

         * @param gateway the gateway

         * @return this

         */
        public Builder gateway(InetAddress gateway) {
            this.gateway = gateway;
            return this;
        }

        /**

         * @param linkIndex the output interface

         * @return this

         */
        public Builder linkIndex(int linkIndex) {
            this.linkIndex = linkIndex;
            return this;
        }

        /**

         * @param table the table

         * @return this

         */
        public Builder table(int table) {
            this.table = table;
            return this;
        }

        /**

         * @param scope a {@link Scope}

         * @return this

         */
        public Builder scope(int scope) {
            this.scope = scope;
            return this;
        }

        /**

         * @param protocol an {@code RTPROT_*} value

         * @return this

         */
        public Builder protocol(int protocol) {
            this.protocol = protocol;
            return this;
        }

        /**

         * @param type an {@code RTN_*} value

         * @return this

         */
        public Builder type(int type) {
            this.type = type;
            return this;
        }

        /**

         * @param priority the metric

         * @return this

         */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /**

         * @param mtu the path MTU metric

         * @return this

         */
        public Builder mtu(int mtu) {
            this.mtu = mtu;
            return this;
        }

        /**

         * @param advmss the advertised MSS metric

         * @return this

         */
        public Builder advmss(int advmss) {
            this.advmss = advmss;
            return this;
        }

        /**

         * @param flags {@code RTNH_F_*} flags, e.g. {@link #FLAG_ONLINK}

         * @return this

         */
        public Builder flags(int flags) {
            this.flags = flags;
            return this;
        }

        /**

         * @param nextHops the next hops of a multipath route

         * @return this

         */
        public Builder nextHops(List<NextHop> nextHops) {
            this.nextHops = List.copyOf(nextHops);
            return this;
        }

        /**
         * @return the route
         * @throws IllegalArgumentException when the family cannot be told, or addresses mix families
         */
        public NetlinkRoute build() {
            int f = family;
            if (f < 0) {
                InetAddress any = dst != null ? dst.address() : gateway != null ? gateway : src;
                if (any == null && !nextHops.isEmpty() && nextHops.get(0).gateway().isPresent()) {
                    any = nextHops.get(0).gateway().get();
                }
                if (any == null) {
                    throw new IllegalArgumentException("route without destination, gateway or source: set family()");
                }
                f = Family.of(any);
            }
            for (InetAddress a : new InetAddress[] {dst == null ? null : dst.address(), gateway, src}) {
                if (a != null && Family.of(a) != f) {
                    throw new IllegalArgumentException("route mixes address families: " + Ip.format(a));
                }
            }
            return new NetlinkRoute(f, Optional.ofNullable(dst), Optional.ofNullable(src), Optional.ofNullable(gateway),
                    linkIndex, table, scope, protocol, type, priority, mtu, advmss, flags, nextHops);
        }
    }
}
