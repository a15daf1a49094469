package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@KernelTest
class RouteKernelTest {

    static JsonNode route(Sandbox s, String family, String table, String dst) {
        for (JsonNode r : s.ipJson(family, "route", "show", "table", table)) {
            if (r.get("dst").asText().equals(dst)) {
                return r;
            }
        }
        return null;
    }

    static int setup(Sandbox s) {
        int a = AddressKernelTest.upVeth(s, "a0", "b0");
        s.nl.addrAdd(Address.of(a, IpPrefix.parse("10.20.0.2/24")));
        s.nl.addrAdd(Address.of(a, IpPrefix.parse("fd00:20::2/64")).withFlags(Address.IFA_F_NODAD));
        return a;
    }

    @Test
    void addWithGatewayMetricAndMetrics() {
        try (Sandbox s = Sandbox.create()) {
            int a = setup(s);
            NetlinkRoute r = NetlinkRoute.builder().dst(IpPrefix.parse("10.30.0.0/16")).gateway(Ip.parse("10.20.0.1")).linkIndex(a)
                    .priority(100).mtu(1400).advmss(1360).build();
            s.nl.routeAdd(r);
            JsonNode o = route(s, "-4", "main", "10.30.0.0/16");
            assertEquals("10.20.0.1", o.get("gateway").asText());
            assertEquals("a0", o.get("dev").asText());
            assertEquals(100, o.get("metric").asInt());
            assertTrue(o.path("protocol").isMissingNode(), "iproute2 prints no protocol for boot, the default");
            assertEquals(1400, o.at("/metrics/0/mtu").asInt());
            assertEquals(1360, o.at("/metrics/0/advmss").asInt());

            NetlinkRoute got = s.nl.routeList(Family.V4).stream().filter(x -> x.dst().equals(Optional.of(
                    IpPrefix.parse("10.30.0.0/16")))).findFirst().orElseThrow();
            assertEquals(Optional.of(Ip.parse("10.20.0.1")), got.gateway());
            assertEquals(a, got.linkIndex());
            assertEquals(100, got.priority());
            assertEquals(1400, got.mtu());
            assertEquals(1360, got.advmss());
            assertEquals(NetlinkRoute.TABLE_MAIN, got.table());
            assertEquals(NetlinkRoute.PROTOCOL_BOOT, got.protocol());
            assertEquals(Scope.UNIVERSE, got.scope());

            NetlinkException dup = assertThrows(NetlinkException.class, () -> s.nl.routeAdd(r));
            assertEquals(Errno.EEXIST, dup.errno());
            s.nl.routeReplace(r.toBuilder().mtu(1300).build());
            assertEquals(1300, route(s, "-4", "main", "10.30.0.0/16").at("/metrics/0/mtu").asInt());

            s.nl.routeDel(r);
            assertEquals(null, route(s, "-4", "main", "10.30.0.0/16"));
            NetlinkException gone = assertThrows(NetlinkException.class, () -> s.nl.routeDel(r));
            assertEquals(Errno.ESRCH, gone.errno());
        }
    }

    @Test
    void defaultRouteSourceScopeAndTables() {
        try (Sandbox s = Sandbox.create()) {
            int a = setup(s);
            s.nl.routeAdd(NetlinkRoute.builder().family(Family.V4).gateway(Ip.parse("10.20.0.1")).build());
            JsonNode def = route(s, "-4", "main", "default");
            assertEquals("10.20.0.1", def.get("gateway").asText());
            assertTrue(s.nl.routeList(Family.V4).stream().anyMatch(r -> r.isDefault() && r.gateway().isPresent()));

            s.nl.routeAdd(NetlinkRoute.builder().dst(IpPrefix.parse("10.50.0.0/24")).linkIndex(a).scope(Scope.LINK)
                    .src(Ip.parse("10.20.0.2")).build());
            JsonNode scoped = route(s, "-4", "main", "10.50.0.0/24");
            assertEquals("link", scoped.get("scope").asText());
            assertEquals("10.20.0.2", scoped.get("prefsrc").asText());
            NetlinkRoute got = s.nl.routeList(Family.V4).stream()
                    .filter(r -> r.dst().equals(Optional.of(IpPrefix.parse("10.50.0.0/24")))).findFirst().orElseThrow();
            assertEquals(Scope.LINK, got.scope());
            assertEquals(Optional.of(Ip.parse("10.20.0.2")), got.src());
            s.nl.routeDel(got);

            for (int table : new int[] {100, 1000}) {
                NetlinkRoute t = NetlinkRoute.builder().dst(IpPrefix.parse("10.60.0.0/24")).gateway(Ip.parse("10.20.0.1"))
                        .table(table).build();
                s.nl.routeAdd(t);
                assertEquals("10.20.0.1", route(s, "-4", Integer.toString(table), "10.60.0.0/24").get("gateway")
                        .asText());
                List<NetlinkRoute> inTable = s.nl.routeList(Family.V4, table);
                assertEquals(1, inTable.size());
                assertEquals(table, inTable.get(0).table());
                assertTrue(s.nl.routeList(Family.V4).stream().noneMatch(r -> r.dst().equals(t.dst())));
                s.nl.routeDel(t);
                assertTrue(s.nl.routeList(Family.V4, table).isEmpty());
            }
            assertTrue(s.nl.routeList(Family.ALL, NetlinkRoute.TABLE_UNSPEC).stream().anyMatch(
                    r -> r.table() == NetlinkRoute.TABLE_LOCAL && r.isLocal()));
        }
    }

    @Test
    void appendMakesEcmp() {
        try (Sandbox s = Sandbox.create()) {
            int a = setup(s);
            NetlinkRoute v4 = NetlinkRoute.builder().dst(IpPrefix.parse("10.40.0.0/16")).gateway(Ip.parse("10.20.0.1")).build();
            s.nl.routeAdd(v4);
            s.nl.routeAppend(v4.toBuilder().gateway(Ip.parse("10.20.0.3")).build());
            long v4count = s.nl.routeList(Family.V4).stream().filter(r -> r.dst().equals(v4.dst())).count();
            int observed = 0;
            for (JsonNode r : s.ipJson("-4", "route", "show", "table", "main")) {
                if (r.get("dst").asText().equals("10.40.0.0/16")) {
                    observed++;
                }
            }
            assertEquals(observed, v4count);
            assertEquals(2, v4count);

            NetlinkRoute v6 = NetlinkRoute.builder().dst(IpPrefix.parse("fd00:40::/64")).gateway(Ip.parse("fd00:20::1"))
                    .linkIndex(a).build();
            s.nl.routeAdd(v6);
            s.nl.routeAppend(v6.toBuilder().gateway(Ip.parse("fd00:20::3")).build());
            JsonNode o = route(s, "-6", "main", "fd00:40::/64");
            assertEquals(2, o.get("nexthops").size(), o.toString());
            NetlinkRoute got = s.nl.routeList(Family.V6).stream().filter(r -> r.dst().equals(v6.dst())).findFirst()
                    .orElseThrow();
            assertEquals(2, got.nextHops().size());
            assertEquals(Optional.of(Ip.parse("fd00:20::1")), got.nextHops().get(0).gateway());
            assertEquals(Optional.of(Ip.parse("fd00:20::3")), got.nextHops().get(1).gateway());
            assertEquals(a, got.nextHops().get(1).linkIndex());
        }
    }

    @Test
    void multipathRouteFromNextHops() {
        try (Sandbox s = Sandbox.create()) {
            int a = setup(s);
            s.nl.routeAdd(NetlinkRoute.builder().dst(IpPrefix.parse("10.70.0.0/16")).nextHops(List.of(
                    NextHop.of(a, Ip.parse("10.20.0.1")), new NextHop(a, Optional.of(Ip.parse("10.20.0.4")), 3, 0)))
                    .build());
            JsonNode o = route(s, "-4", "main", "10.70.0.0/16");
            assertEquals(2, o.get("nexthops").size(), o.toString());
            assertEquals(3, o.at("/nexthops/1/weight").asInt());
            NetlinkRoute got = s.nl.routeList(Family.V4).stream()
                    .filter(r -> r.dst().equals(Optional.of(IpPrefix.parse("10.70.0.0/16")))).findFirst().orElseThrow();
            assertEquals(3, got.nextHops().get(1).weight());
        }
    }

    @Test
    void routeGetTellsInterfaceAndLocal() {
        try (Sandbox s = Sandbox.create()) {
            int a = setup(s);
            s.nl.routeAdd(NetlinkRoute.builder().dst(IpPrefix.parse("10.30.0.0/16")).gateway(Ip.parse("10.20.0.1")).build());
            List<NetlinkRoute> via = s.nl.routeGet(Ip.parse("10.30.1.1"));
            assertEquals(1, via.size());
            assertEquals(a, via.get(0).linkIndex());
            assertEquals(Optional.of(Ip.parse("10.20.0.1")), via.get(0).gateway());
            assertEquals(Optional.of(IpPrefix.parse("10.30.1.1/32")), via.get(0).dst());
            JsonNode o = s.ipJson("route", "get", "10.30.1.1").get(0);
            assertEquals(o.get("dev").asText(), "a0");

            NetlinkRoute local = s.nl.routeGet(Ip.parse("10.20.0.2")).get(0);
            assertTrue(local.isLocal());
            assertEquals("local", s.ipJson("route", "get", "10.20.0.2").get(0).get("type").asText());
            assertEquals(1, local.linkIndex(), "local addresses are reached through lo");

            NetlinkRoute v6 = s.nl.routeGet(Ip.parse("fd00:20::7")).get(0);
            assertEquals(a, v6.linkIndex());

            NetlinkException unreachable = assertThrows(NetlinkException.class,
                    () -> s.nl.routeGet(Ip.parse("192.0.2.1")));
            assertEquals(Errno.ENETUNREACH, unreachable.errno());
        }
    }
}
