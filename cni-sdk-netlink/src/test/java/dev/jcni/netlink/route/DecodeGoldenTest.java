package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netlink.Attribute;
import dev.jcni.netlink.Attributes;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.netlink.Replay;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Decodes replies captured once from a real kernel (see GoldenCapture for the setup: a veth pair
 * eth0/veth0123abcd, eth0 mtu 1450 with MAC 0a:58:0a:01:02:03, 10.1.2.3/24 and fd00::3/64, the
 * peer a hairpin, non-learning port of br0, a route with metrics, an IPv6 ECMP route, a permanent
 * neighbour and a UDP conntrack entry).
 */
class DecodeGoldenTest {

    static List<NetlinkMessage> messages(String file, int type) {
        List<NetlinkMessage> out = new ArrayList<>();
        for (byte[] d : Replay.golden(file)) {
            for (NetlinkMessage m : NetlinkMessage.parseAll(d, 0, d.length)) {
                if (m.type() == type) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    @Test
    void links() {
        Map<String, Link> links = messages("link-dump.hex", Rt.RTM_NEWLINK).stream().map(Decode::link)
                .collect(Collectors.toMap(Link::name, Function.identity()));
        assertEquals(4, links.size());
        Link lo = links.get("lo");
        assertEquals(1, lo.index());
        assertTrue(lo.kind().isEmpty());
        Link eth0 = links.get("eth0");
        Link peer = links.get("veth0123abcd");
        Link br = links.get("br0");
        assertEquals(Optional.of("veth"), eth0.kind());
        assertEquals(1450, eth0.mtu());
        assertEquals(Optional.of(MacAddress.parse("0a:58:0a:01:02:03")), eth0.mac());
        assertTrue(eth0.isUp());
        assertEquals(peer.index(), eth0.peerIndex().getAsInt());
        assertEquals(eth0.index(), peer.peerIndex().getAsInt());
        assertTrue(eth0.linkNetnsId().isEmpty());
        assertEquals(br.index(), peer.masterIndex().getAsInt());
        assertEquals(Optional.of("bridge"), peer.slaveKind());
        BridgePort port = peer.bridgePort().orElseThrow();
        assertTrue(port.hairpin());
        assertFalse(port.learning());
        assertFalse(port.isolated());
        assertEquals(Optional.of("bridge"), br.kind());
        assertEquals(Optional.of(false), br.vlanFiltering());
        assertTrue(eth0.masterIndex().isEmpty());
    }

    @Test
    void addresses() {
        List<Address> all = messages("addr-dump.hex", Rt.RTM_NEWADDR).stream().map(Decode::address).toList();
        Address v4 = all.stream().filter(a -> a.prefix().equals(IpPrefix.parse("10.1.2.3/24"))).findFirst()
                .orElseThrow();
        assertEquals(Scope.UNIVERSE, v4.scope());
        assertEquals(Optional.of("eth0"), v4.label());
        assertTrue((v4.flags() & Address.IFA_F_PERMANENT) != 0);
        Address v6 = all.stream().filter(a -> a.prefix().equals(IpPrefix.parse("fd00::3/64"))).findFirst()
                .orElseThrow();
        assertTrue((v6.flags() & Address.IFA_F_NODAD) != 0);
        assertFalse(v6.isTentative());
        assertEquals(v4.linkIndex(), v6.linkIndex());
        Address lo = all.stream().filter(a -> a.prefix().equals(IpPrefix.parse("127.0.0.1/8"))).findFirst()
                .orElseThrow();
        assertEquals(Scope.HOST, lo.scope());
        assertFalse(lo.isGlobalUnicast());
    }

    @Test
    void routes() {
        List<NetlinkRoute> all = messages("route-dump.hex", Rt.RTM_NEWROUTE).stream()
                .filter(m -> m.u8(0) == Rt.AF_INET || m.u8(0) == Rt.AF_INET6).map(Decode::route).toList();
        NetlinkRoute r = all.stream().filter(x -> x.dst().equals(Optional.of(IpPrefix.parse("10.9.0.0/16")))).findFirst()
                .orElseThrow();
        assertEquals(Optional.of(Ip.parse("10.1.2.1")), r.gateway());
        assertEquals(100, r.priority());
        assertEquals(1400, r.mtu());
        assertEquals(1360, r.advmss());
        assertEquals(NetlinkRoute.TABLE_MAIN, r.table());
        assertEquals(NetlinkRoute.PROTOCOL_BOOT, r.protocol());
        NetlinkRoute ecmp = all.stream().filter(x -> x.dst().equals(Optional.of(IpPrefix.parse("fd00:40::/64"))))
                .findFirst().orElseThrow();
        assertEquals(2, ecmp.nextHops().size());
        assertEquals(Optional.of(Ip.parse("fd00::1")), ecmp.nextHops().get(0).gateway());
        assertEquals(Optional.of(Ip.parse("fd00::2")), ecmp.nextHops().get(1).gateway());
        NetlinkRoute connected = all.stream().filter(x -> x.dst().equals(Optional.of(IpPrefix.parse("10.1.2.0/24"))))
                .findFirst().orElseThrow();
        assertEquals(Scope.LINK, connected.scope());
        assertEquals(NetlinkRoute.PROTOCOL_KERNEL, connected.protocol());
        assertEquals(Optional.of(Ip.parse("10.1.2.3")), connected.src());
        assertTrue(all.stream().anyMatch(x -> x.table() == NetlinkRoute.TABLE_LOCAL && x.isLocal()));
    }

    @Test
    void routeGetLocal() {
        List<NetlinkRoute> got = messages("route-get-local.hex", Rt.RTM_NEWROUTE).stream().map(Decode::route).toList();
        assertEquals(1, got.size());
        assertTrue(got.get(0).isLocal());
        assertEquals(1, got.get(0).linkIndex());
        assertEquals(Optional.of(IpPrefix.parse("10.1.2.3/32")), got.get(0).dst());
        List<NetlinkMessage> acks = messages("route-get-local.hex", NetlinkMessage.NLMSG_ERROR);
        assertEquals(1, acks.size());
        assertEquals(0, acks.get(0).u32(0), "followed by the ACK");
    }

    @Test
    void neighbours() {
        List<Neighbour> all = messages("neigh-dump.hex", Rt.RTM_NEWNEIGH).stream().map(Decode::neighbour).toList();
        Neighbour n = all.stream().filter(x -> x.ip().equals(Optional.of(Ip.parse("10.1.2.9")))).findFirst()
                .orElseThrow();
        assertEquals(Optional.of(MacAddress.parse("02:42:ac:11:00:09")), n.mac());
        assertEquals(Neighbour.NUD_PERMANENT, n.state());
        assertEquals(Family.V4, n.family());
    }

    @Test
    void bridgeVlanEntriesOfAnAfBridgeLinkMessage() {
        // RTM_NEWLINK AF_BRIDGE with IFLA_AF_SPEC as the kernel sends it for RTEXT_FILTER_BRVLAN
        byte[] b = Requests.ifinfo(Rt.RTM_NEWLINK, 0, Rt.AF_BRIDGE, 3, 0, 0).nest(Rt.IFLA_AF_SPEC)
                .attr(Rt.IFLA_BRIDGE_VLAN_INFO, new byte[] {6, 0, 1, 0})
                .attr(Rt.IFLA_BRIDGE_VLAN_INFO, new byte[] {0, 0, 20, 0})
                .attr(Rt.IFLA_BRIDGE_VLAN_INFO, new byte[] {4, 0, (byte) 0xfe, 0x0f}).end().build();
        assertEquals(List.of(new BridgeVlan(1, true, true), new BridgeVlan(20, false, false),
                new BridgeVlan(4094, false, true)), Decode.bridgeVlans(NetlinkMessage.parse(b)));
    }

    @Test
    void ipv4MappedIpv6AddressesStayIpv6() {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4};
        byte[] b = new dev.jcni.netlink.MessageBuilder(Rt.RTM_NEWADDR, 0).u8(Rt.AF_INET6).u8(96).u8(0).u8(0).u32(2)
                .attr(Rt.IFA_ADDRESS, mapped).build();
        Address a = Decode.address(NetlinkMessage.parse(b));
        assertEquals(96, a.prefix().prefixLength());
        assertTrue(a.prefix().address() instanceof java.net.Inet6Address);
        assertEquals("::ffff:102:304/96", a.prefix().toString());
    }

    @Test
    void conntrackEntry() {
        List<NetlinkMessage> entries = messages("conntrack-dump.hex", Conntrack.NFNL_SUBSYS_CTNETLINK << 8);
        assertEquals(1, entries.size());
        Attributes a = entries.get(0).attributes(Conntrack.NFGENMSG_LEN);
        Attribute orig = a.get(Conntrack.CTA_TUPLE_ORIG).orElseThrow();
        assertTrue((orig.rawType() & NetlinkMessage.NLA_F_NESTED) != 0);
        Attributes ip = orig.nested().nested(Conntrack.CTA_TUPLE_IP);
        assertEquals(Ip.parse("10.0.0.1"), Decode.ip(ip.get(1).orElseThrow()));
        assertEquals(Ip.parse("10.0.0.2"), Decode.ip(ip.get(2).orElseThrow()));
        Attributes proto = orig.nested().nested(Conntrack.CTA_TUPLE_PROTO);
        assertEquals(Conntrack.PROTO_UDP, proto.u8(Conntrack.CTA_PROTO_NUM, -1));
        assertEquals(1111, proto.get(2).orElseThrow().u16Be());
        assertEquals(5353, proto.get(Conntrack.CTA_PROTO_DST_PORT).orElseThrow().u16Be());
        // the delete request carries the original tuple back as the kernel sent it
        byte[] del = Conntrack.deleteRequest(Family.V4, orig, null).build();
        byte[] expected = Conntrack.deleteTupleRequest(Family.V4, Conntrack.PROTO_UDP, new byte[] {10, 0, 0, 1},
                new byte[] {10, 0, 0, 2}, 1111, 5353).build();
        assertEquals(java.util.HexFormat.of().formatHex(expected), java.util.HexFormat.of().formatHex(del));
    }
}
