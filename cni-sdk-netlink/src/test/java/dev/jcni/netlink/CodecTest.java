package dev.jcni.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CodecTest {
    @Test
    void typedAttributesInNativeAndNetworkOrder() {
        byte[] b = new MessageBuilder(1, 0).attrU8(1, 0xab).attrU16(2, 0x1234).attrU16Be(3, 0x1234).attrU32(4, 7)
                .attrU32Be(5, 7).attrU64(6, 0x0102030405060708L).attrString(7, "ab").attrFlag(8).build();
        assertEquals("5000000001000000000000000000000005000100ab00000006000200341200000600030012340000"
                + "080004000700000008000500000000070c000600080706050403020107000700616200000400" + "0800",
                HexFormat.of().formatHex(b));
        Attributes a = NetlinkMessage.parse(b).attributes(0);
        assertEquals(0xab, a.u8(1, 0));
        assertEquals(0x1234, a.get(2).orElseThrow().u16());
        assertEquals(0x1234, a.get(3).orElseThrow().u16Be());
        assertEquals(7, a.u32(4, 0));
        assertEquals(0x0102030405060708L, a.get(6).orElseThrow().u64());
        assertEquals("ab", a.string(7).orElseThrow());
        assertEquals(0, a.get(8).orElseThrow().length());
        assertEquals(-1, a.u32(99, -1));
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
