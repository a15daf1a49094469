package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcni.netlink.NetlinkCodecException;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The rtnetlink decoders: what jcni's request builders write decodes back to the same record (the
 * positive half), and arbitrary bytes fail only with the codec's exception (the negative half).
 */
class DecoderPropertiesTest {

    // ------------------------------------------------------------------ valid input round-trips

    static InetAddress ip(boolean v6, byte[] bytes) {
        try {
            return v6 ? Inet6Address.getByAddress(null, bytes, -1) : Ip.fromBytes(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Arbitrary<InetAddress> ips(boolean v6) {
        return Arbitraries.bytes().array(byte[].class).ofSize(v6 ? 16 : 4).map(b -> ip(v6, b));
    }

    static Arbitrary<IpPrefix> prefixes(boolean v6) {
        return Combinators.combine(ips(v6), Arbitraries.integers().between(0, v6 ? 128 : 32)).as(IpPrefix::new);
    }

    static NetlinkMessage reparse(dev.jcni.netlink.MessageBuilder m) {
        return NetlinkMessage.parse(m.build());
    }

    @Provide
    Arbitrary<NetlinkRoute> routes() {
        return Arbitraries.of(false, true).flatMap(v6 -> {
            Arbitrary<NextHop> hop = Combinators.combine(Arbitraries.integers().between(1, 100000), ips(v6).optional(),
                    Arbitraries.integers().between(1, 256), Arbitraries.integers().between(0, 255)).as(NextHop::new);
            Arbitrary<NetlinkRoute> head = Combinators.combine(prefixes(v6).optional(), ips(v6).optional(), ips(v6).optional(),
                    Arbitraries.integers().between(0, 100000), Arbitraries.integers().between(0, 100000),
                    Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 255))
                    .as((dst, src, gw, link, table, scope, proto, type) -> new NetlinkRoute(v6 ? Family.V6 : Family.V4, dst, src, gw,
                            link, table, scope, proto, type, 0, 0, 0, 0, List.of()));
            return Combinators.combine(head, Arbitraries.integers().greaterOrEqual(0), Arbitraries.integers().greaterOrEqual(0),
                    Arbitraries.integers().greaterOrEqual(0), Arbitraries.integers(), hop.list().ofMaxSize(3))
                    .as((r, prio, mtu, advmss, flags, hops) -> new NetlinkRoute(r.family(), r.dst(), r.src(), r.gateway(), r.linkIndex(),
                            r.table(), r.scope(), r.protocol(), r.type(), prio, mtu, advmss, flags, hops));
        });
    }

    @Property(tries = 500)
    void routesRoundTrip(@ForAll("routes") NetlinkRoute r) {
        assertEquals(r, Decode.route(reparse(Requests.route(Requests.RouteOp.ADD, r))));
    }

    @Provide
    Arbitrary<Address> addresses() {
        return Arbitraries.of(false, true).flatMap(v6 -> Combinators.combine(Arbitraries.integers().between(1, 100000), prefixes(v6),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, 0xffff),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(15).optional(),
                v6 ? Arbitraries.just(Optional.<InetAddress>empty()) : ips(false).optional())
                .as((index, prefix, scope, flags, label, brd) -> new Address(index, prefix, scope, flags, label, brd, Address.FOREVER,
                        Address.FOREVER)));
    }

    @Property(tries = 500)
    void addressesRoundTrip(@ForAll("addresses") Address a) {
        // an IPv4 address added without a broadcast gets the one its prefix implies, as Go does
        boolean implied = a.broadcast().isEmpty() && Ip.isIpv4(a.prefix().address()) && a.prefix().prefixLength() < 31;
        Address expected = implied ? new Address(a.linkIndex(), a.prefix(), a.scope(), a.flags(), a.label(),
                Optional.of(a.prefix().lastAddress()), a.validLifetime(), a.preferredLifetime()) : a;
        assertEquals(expected, Decode.address(reparse(Requests.addrAdd(a, false))));
    }

    @Provide
    Arbitrary<Neighbour> neighbours() {
        Arbitrary<MacAddress> macs = Arbitraries.bytes().array(byte[].class).ofSize(6).map(MacAddress::of);
        return Arbitraries.of(false, true).flatMap(v6 -> Combinators.combine(Arbitraries.integers().between(1, 100000),
                Arbitraries.just(v6 ? Family.V6 : Family.V4), ips(v6).optional(), macs.optional(),
                Arbitraries.integers().between(0, 0xffff), Arbitraries.integers().between(0, 255)).as(Neighbour::new));
    }

    @Property(tries = 300)
    void neighboursRoundTrip(@ForAll("neighbours") Neighbour n) {
        assertEquals(n, Decode.neighbour(reparse(Requests.neighAdd(n, false))));
    }

    @Property(tries = 300)
    void bridgeVlansRoundTrip(@ForAll @IntRange(min = 1, max = 4094) int vid, @ForAll boolean pvid, @ForAll boolean untagged,
            @ForAll boolean self) {
        assertEquals(List.of(new BridgeVlan(vid, pvid, untagged)),
                Decode.bridgeVlans(reparse(Requests.bridgeVlan(true, 7, vid, pvid, untagged, self, !self))));
    }

    @Property(tries = 300)
    void linkSpecsDecodeToTheirNameMtuMacAndKind(@ForAll("names") String name, @ForAll @IntRange(min = 68, max = 65535) int mtu,
            @ForAll @Size(6) byte[] mac, @ForAll @IntRange(min = 0, max = 2) int kind) {
        LinkSpec spec = (kind == 0 ? LinkSpec.bridge(name) : kind == 1 ? LinkSpec.dummy(name) : LinkSpec.veth(name, "peer0"))
                .withMtu(mtu).withMac(MacAddress.of(mac));
        Link l = Decode.link(reparse(Requests.linkAdd(spec)));
        assertEquals(name, l.name());
        assertEquals(mtu, l.mtu());
        assertEquals(Optional.of(MacAddress.of(mac)), l.mac());
        assertEquals(Optional.of(kind == 0 ? "bridge" : kind == 1 ? "dummy" : "veth"), l.kind());
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(15);
    }

    // ------------------------------------------------------------------ arbitrary bytes

    /** Every decoder, fed arbitrary payloads in a well-formed header, fails only with the codec's exception. */
    @Property(tries = 2000)
    void decodersThrowOnlyCodecExceptions(@ForAll @Size(max = 160) byte[] payload,
            @ForAll @IntRange(min = 0, max = 4) int kind) {
        ByteBuffer b = ByteBuffer.allocate(16 + payload.length).order(ByteOrder.nativeOrder());
        b.putInt(16 + payload.length).putShort((short) 16).putShort((short) 0).putInt(0).putInt(0).put(payload);
        NetlinkMessage m = NetlinkMessage.parse(b.array());
        try {
            switch (kind) {
                case 0 -> Decode.link(m);
                case 1 -> Decode.address(m);
                case 2 -> Decode.route(m);
                case 3 -> Decode.neighbour(m);
                default -> Decode.bridgeVlans(m);
            }
        } catch (NetlinkCodecException expected) {
            // fine
        }
    }
}
