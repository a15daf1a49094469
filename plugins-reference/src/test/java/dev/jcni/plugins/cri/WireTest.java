package dev.jcni.plugins.cri;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The wire format of {@link Wire} against byte strings worked out from the protocol buffers encoding rules. */
class WireTest {
    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    @Test
    void varintAndStringFieldsEncodeAsTheEncodingRulesSay() {
        // field 1 varint 150: key 0x08, 150 = 0x96 0x01; field 2 "testing": key 0x12, length 7
        assertArrayEquals(hex("08 9601 12 07 74657374696e67"), new Wire.Msg().num(1, 150).str(2, "testing").toBytes());
    }

    @Test
    void zeroAndEmptyValuesAreLeftOutButEmptyMessagesAreWritten() {
        assertArrayEquals(new byte[0], new Wire.Msg().num(1, 0).str(2, "").toBytes());
        // field 15, an empty nested message: key (15 << 3 | 2) = 0x7a, length 0
        assertArrayEquals(hex("7a 00"), new Wire.Msg().msg(15, new Wire.Msg()).toBytes());
    }

    @Test
    void negativeNumbersTakeTenBytes() {
        assertArrayEquals(hex("18 ffffffffffffffffff01"), new Wire.Msg().num(3, -1).toBytes());
        assertEquals(-1, Wire.decode(hex("18 ffffffffffffffffff01")).num(3));
    }

    @Test
    void nestedRepeatedAndMapFieldsRoundTrip() {
        byte[] b = new Wire.Msg()
                .msg(1, new Wire.Msg().str(1, "pod").num(4, 3))
                .strs(3, List.of("nc", "-w", "5"))
                .map(6, Map.of("k", "v"))
                .toBytes();
        Wire.Fields f = Wire.decode(b);
        assertEquals("pod", f.msg(1).str(1));
        assertEquals(3, f.msg(1).num(4));
        assertEquals(List.of("nc", "-w", "5"), f.all().stream().filter(x -> x.number() == 3)
                .map(x -> new String(x.bytes(), java.nio.charset.StandardCharsets.UTF_8)).toList());
        Wire.Fields entry = f.msgs(6).get(0);
        assertEquals("k", entry.str(1));
        assertEquals("v", entry.str(2));
        assertEquals("", f.str(9), "an absent string reads as empty");
        assertEquals(0, f.num(9), "an absent number reads as 0");
    }

    @Test
    void fixedWidthFieldsAreSkippedAndTruncationIsRefused() {
        // field 4 fixed64, field 5 fixed32, then field 1 varint 1
        Wire.Fields f = Wire.decode(hex("21 0102030405060708 2d 01020304 08 01"));
        assertEquals(1, f.num(1));
        assertThrows(IllegalArgumentException.class, () -> Wire.decode(hex("12 05 6162")));
        assertThrows(IllegalArgumentException.class, () -> Wire.decode(hex("08 96")));
        assertThrows(IllegalArgumentException.class, () -> Wire.decode(hex("0b")), "groups are refused");
    }
}
