package dev.jcni.sdk.types;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A route in a result ({@code routes[]}) or in configuration (e.g. host-local's {@code routes}).
 * Zero {@code mtu}, {@code advmss} and {@code priority} mean "not set" and are left out of the JSON.
 *
 * @param dst the destination; host bits are kept as given
 * @param gw the next hop; when absent, a plugin may use the gateway of the matching {@code ips} entry
 * @param mtu the route MTU (1.1.0)
 * @param advmss the advertised MSS (1.1.0)
 * @param priority the route priority / metric (1.1.0)
 * @param table the routing table (1.1.0), written even when 0
 * @param scope the route scope (1.1.0): 0 universe, 253 link, 254 host; written even when 0
 */
public record Route(IpPrefix dst, Optional<InetAddress> gw, int mtu, int advmss, int priority,
                    OptionalInt table, OptionalInt scope) {

    /** Checks that no component is null. */
    public Route {
        Objects.requireNonNull(dst, "dst");
        Objects.requireNonNull(gw, "gw");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(scope, "scope");
    }

    /**
     * A route without a next hop.
     *
     * @param dst the destination
     * @return the route
     */
    public static Route of(IpPrefix dst) {
        return new Route(dst, Optional.empty(), 0, 0, 0, OptionalInt.empty(), OptionalInt.empty());
    }

    /**
     * A route via a gateway.
     *
     * @param dst the destination
     * @param gw the next hop
     * @return the route
     */
    public static Route of(IpPrefix dst, InetAddress gw) {
        return new Route(dst, Optional.of(gw), 0, 0, 0, OptionalInt.empty(), OptionalInt.empty());
    }

    /**
     * @param newGw the next hop
     * @return a copy with another next hop
     */
    public Route withGw(InetAddress newGw) {
        return new Route(dst, Optional.of(newGw), mtu, advmss, priority, table, scope);
    }

    /** @return only {@code dst} and {@code gw}: what the 0.1.0/0.2.0 results can carry */
    public Route dstAndGwOnly() {
        return new Route(dst, gw, 0, 0, 0, OptionalInt.empty(), OptionalInt.empty());
    }

    /** @return the {@code dst → gw} text, e.g. {@code 0.0.0.0/0 via 10.1.2.1} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(dst.toString());
        gw.ifPresent(g -> sb.append(" via ").append(Ip.format(g)));
        if (priority != 0) {
            sb.append(" metric ").append(priority);
        }
        table.ifPresent(t -> sb.append(" table ").append(t));
        scope.ifPresent(s -> sb.append(" scope ").append(s));
        if (mtu != 0) {
            sb.append(" mtu ").append(mtu);
        }
        if (advmss != 0) {
            sb.append(" advmss ").append(advmss);
        }
        return sb.toString();
    }
}
