package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcni.netlink.MessageBuilder;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.sdk.types.IpPrefix;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The structs rtnetlink carries inside attributes (ifa_cacheinfo, rtnexthop, bridge_vlan_info) are
 * read in the message's byte order: netlink is host-endian, and s390x is big-endian. Each message
 * is written in one order (its structs laid out by {@link ByteBuffer}, an independent encoder) and
 * decoded in that order.
 */
class DecodeBothOrdersTest {
    static final List<ByteOrder> ORDERS = List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);

    @Test
    void addressWithCacheInfo() throws Exception {
        for (ByteOrder order : ORDERS) {
            byte[] ip = {10, 1, 2, 3};
            byte[] cacheinfo = ByteBuffer.allocate(16).order(order).putInt(300).putInt(600).putInt(1).putInt(2).array();
            byte[] b = new MessageBuilder(Rt.RTM_NEWADDR, 0, order).u8(Rt.AF_INET).u8(24).u8(0x80).u8(0).u32(5)
                    .attr(Rt.IFA_ADDRESS, ip).attr(Rt.IFA_LOCAL, ip).attr(Rt.IFA_CACHEINFO, cacheinfo).build();
            Address a = Decode.address(NetlinkMessage.parse(b, order));
            assertEquals(5, a.linkIndex(), order.toString());
            assertEquals(IpPrefix.parse("10.1.2.3/24"), a.prefix(), order.toString());
            assertEquals(300, a.preferredLifetime(), order.toString());
            assertEquals(600, a.validLifetime(), order.toString());
        }
    }

    @Test
    void multipathRouteNextHops() throws Exception {
        for (ByteOrder order : ORDERS) {
            ByteBuffer hops = ByteBuffer.allocate(32).order(order);
            for (int hop = 0; hop < 2; hop++) {
                hops.putShort((short) 16).put((byte) 0).put((byte) hop).putInt(7 + hop); // rtnexthop
                hops.putShort((short) 8).putShort((short) Rt.RTA_GATEWAY).put(new byte[] {10, 1, 2, (byte) (1 + hop)});
            }
            byte[] b = new MessageBuilder(Rt.RTM_NEWROUTE, 0, order).u8(Rt.AF_INET).u8(24).u8(0).u8(0).u8(254).u8(4)
                    .u8(0).u8(1).u32(0).attr(Rt.RTA_DST, new byte[] {10, 1, 2, 0}).attrU32(Rt.RTA_TABLE, 1000)
                    .attr(Rt.RTA_MULTIPATH, hops.array()).build();
            NetlinkRoute r = Decode.route(NetlinkMessage.parse(b, order));
            assertEquals(1000, r.table(), order.toString());
            assertEquals(List.of(new NextHop(7, Optional.of(InetAddress.getByName("10.1.2.1")), 1, 0),
                    new NextHop(8, Optional.of(InetAddress.getByName("10.1.2.2")), 2, 0)), r.nextHops(), order.toString());
        }
    }

    @Test
    void bridgeVlanInfo() {
        for (ByteOrder order : ORDERS) {
            byte[] info = ByteBuffer.allocate(4).order(order)
                    .putShort((short) (Rt.BRIDGE_VLAN_INFO_PVID | Rt.BRIDGE_VLAN_INFO_UNTAGGED)).putShort((short) 300).array();
            byte[] b = new MessageBuilder(Rt.RTM_NEWLINK, 0, order).u8(Rt.AF_BRIDGE).u8(0).u16(0).u32(9).u32(0).u32(0)
                    .nest(Rt.IFLA_AF_SPEC).attr(Rt.IFLA_BRIDGE_VLAN_INFO, info).end().build();
            assertEquals(List.of(new BridgeVlan(300, true, true)), Decode.bridgeVlans(NetlinkMessage.parse(b, order)),
                    order.toString());
        }
    }
}
