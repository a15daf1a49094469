package dev.jcni.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecTest {
    static byte[] typed(ByteOrder order) {
        return new MessageBuilder(1, 0, order).attrU8(1, 0xab).attrU16(2, 0x1234).attrU16Be(3, 0x1234).attrU32(4, 7)
                .attrU32Be(5, 7).attrU64(6, 0x0102030405060708L).attrString(7, "ab").attrFlag(8).build();
    }

    @Test
    void typedAttributesInLittleEndianAndNetworkOrder() {
        byte[] b = typed(ByteOrder.LITTLE_ENDIAN);
        assertEquals("5000000001000000000000000000000005000100ab00000006000200341200000600030012340000"
                + "080004000700000008000500000000070c000600080706050403020107000700616200000400" + "0800",
                HexFormat.of().formatHex(b));
        readTyped(NetlinkMessage.parse(b, ByteOrder.LITTLE_ENDIAN));
    }

    /** s390x's netlink: every host-order number big-endian, network-order ones unchanged. */
    @Test
    void typedAttributesInBigEndianAndNetworkOrder() {
        byte[] b = typed(ByteOrder.BIG_ENDIAN);
        assertEquals("00000050000100000000000000000000" + "00050001ab000000" + "0006000212340000" + "0006000312340000"
                + "0008000400000007" + "0008000500000007" + "000c00060102030405060708" + "0007000761620000" + "00040008",
                HexFormat.of().formatHex(b));
        readTyped(NetlinkMessage.parse(b, ByteOrder.BIG_ENDIAN));
    }

    @Test
    void theHostsOrderIsTheDefault() {
        assertEquals(ByteOrder.nativeOrder(), new MessageBuilder(1, 0).order());
        assertArrayEquals(typed(ByteOrder.nativeOrder()), new MessageBuilder(1, 0).attrU8(1, 0xab).attrU16(2, 0x1234)
                .attrU16Be(3, 0x1234).attrU32(4, 7).attrU32Be(5, 7).attrU64(6, 0x0102030405060708L).attrString(7, "ab")
                .attrFlag(8).build());
        assertEquals(ByteOrder.nativeOrder(), NetlinkMessage.parse(typed(ByteOrder.nativeOrder())).order());
    }

    static void readTyped(NetlinkMessage m) {
        assertEquals(1, m.type());
        Attributes a = m.attributes(0);
        assertEquals(0xab, a.u8(1, 0));
        assertEquals(0x1234, a.get(2).orElseThrow().u16());
        assertEquals(0x1234, a.get(3).orElseThrow().u16Be());
        assertEquals(7, a.u32(4, 0));
        assertEquals(0x0102030405060708L, a.get(6).orElseThrow().u64());
        assertEquals("ab", a.string(7).orElseThrow());
        assertEquals(0, a.get(8).orElseThrow().length());
        assertEquals(-1, a.u32(99, -1));
    }

    /** An rtnetlink request (RTM_NEWLINK: ifinfomsg, a nest, a struct of u16 fields) in each order. */
    static byte[] ifinfo(ByteOrder order) {
        return new MessageBuilder(16, 0x0405, order).u8(0).u8(0).u16(1).u32(7).u32(0x1003).u32(0xffffffff)
                .nest(26 | NetlinkMessage.NLA_F_NESTED).attrU16s(2, 0x0006, 100).end().build();
    }

    @Test
    void rtnetlinkStructsInBothOrders() {
        assertEquals("2c000000100005040000000000000000" + "000001000700000003100000ffffffff" + "0c001a800800020006006400",
                HexFormat.of().formatHex(ifinfo(ByteOrder.LITTLE_ENDIAN)));
        assertEquals("0000002c001004050000000000000000" + "000000010000000700001003ffffffff" + "000c801a0008000200060064",
                HexFormat.of().formatHex(ifinfo(ByteOrder.BIG_ENDIAN)));
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            NetlinkMessage m = NetlinkMessage.parse(ifinfo(order), order);
            assertEquals(order, m.order());
            assertEquals(16, m.type());
            assertEquals(0x0405, m.flags());
            assertEquals(1, m.u16(2));
            assertEquals(7, m.u32(4));
            assertEquals(0x1003, m.u32(8));
            Attribute vlan = m.attributes(16).nested(26).get(2).orElseThrow();
            assertEquals(order, vlan.order());
            assertEquals(0x0006, vlan.u16At(0));
            assertEquals(100, vlan.u16At(2));
            assertThrows(NetlinkCodecException.class, () -> vlan.u16At(3));
        }
        // read in the other order, the big-endian length 0x2c is 0x2c000000: the order is really applied
        assertThrows(NetlinkCodecException.class,
                () -> NetlinkMessage.parse(ifinfo(ByteOrder.BIG_ENDIAN), ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void malformedInputIsACodecError() {
        assertThrows(NetlinkCodecException.class, () -> Attributes.parse(new byte[] {3, 0, 1, 0}));
        assertThrows(NetlinkCodecException.class, () -> Attributes.parse(new byte[] {9, 0, 1, 0, 0, 0, 0, 0}));
        assertThrows(NetlinkCodecException.class,
                () -> NetlinkMessage.parseAll(new byte[] {(byte) 200, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 16));
        Attribute shortOne = Attributes.parse(new byte[] {5, 0, 1, 0, 7, 0, 0, 0}).get(1).orElseThrow();
        NetlinkCodecException e = assertThrows(NetlinkCodecException.class, shortOne::u32);
        assertEquals("netlink decode: attribute 1 has 1 bytes, needs 4", e.getMessage());
        assertThrows(NetlinkCodecException.class, () -> NetlinkMessage.parse(new MessageBuilder(1, 0).build())
                .attributes(16));
        assertThrows(IllegalStateException.class, () -> new MessageBuilder(1, 0).nest(1).build());
        assertThrows(IllegalStateException.class, () -> new MessageBuilder(1, 0).end());
    }

    @Test
    void errnoNamesAndTexts() {
        assertEquals("EINVAL (Invalid argument)", Errno.describe(Errno.EINVAL));
        assertEquals("EOPNOTSUPP", Errno.name(95));
        assertEquals("EHWPOISON", Errno.name(133));
        assertEquals("errno 777", Errno.name(777));
        assertEquals("Unknown error 0", Errno.message(0));
        assertEquals("setns: EINVAL (Invalid argument)", new NetlinkException("setns", Errno.EINVAL)
                .getMessage());
        assertEquals("x: EEXIST (File exists): already", new NetlinkException("x", Errno.EEXIST, "already")
                .getMessage());
    }
}
