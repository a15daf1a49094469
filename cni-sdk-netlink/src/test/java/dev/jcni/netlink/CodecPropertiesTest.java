package dev.jcni.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class CodecPropertiesTest {

    sealed interface Node permits Leaf, Nest {
        int type();
    }

    record Leaf(int type, byte[] value) implements Node {
    }

    record Nest(int type, List<Node> children) implements Node {
    }

    @Provide
    Arbitrary<List<Node>> trees() {
        return nodes(3).list().ofMaxSize(6);
    }

    Arbitrary<Node> nodes(int depth) {
        Arbitrary<Integer> types = Arbitraries.integers().between(0, NetlinkMessage.NLA_TYPE_MASK);
        Arbitrary<Node> leaf = net.jqwik.api.Combinators.combine(types,
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40)).as(Leaf::new);
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Node> nest = net.jqwik.api.Combinators.combine(types, Arbitraries.lazy(() -> nodes(depth - 1))
                .list().ofMaxSize(4)).as(Nest::new);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, leaf), net.jqwik.api.Tuple.of(1, nest));
    }

    static void encode(MessageBuilder m, List<Node> nodes) {
        for (Node n : nodes) {
            if (n instanceof Leaf l) {
                m.attr(l.type(), l.value());
            } else {
                Nest s = (Nest) n;
                m.nest(s.type() | NetlinkMessage.NLA_F_NESTED);
                encode(m, s.children());
                m.end();
            }
        }
    }

    static void check(List<Node> expected, Attributes actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            Node n = expected.get(i);
            Attribute a = actual.list().get(i);
            assertEquals(n.type(), a.type());
            if (n instanceof Leaf l) {
                assertEquals(0, a.rawType() & NetlinkMessage.NLA_F_NESTED);
                assertArrayEquals(l.value(), a.bytes());
            } else {
                assertTrue((a.rawType() & NetlinkMessage.NLA_F_NESTED) != 0);
                check(((Nest) n).children(), a.nested());
            }
        }
    }

    /** Both byte orders: the host's (x86_64, arm64, ppc64le, riscv64: little; s390x: big) and the other. */
    @Provide
    Arbitrary<ByteOrder> orders() {
        return Arbitraries.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN);
    }

    @Property(tries = 500)
    void attributeTreesRoundTrip(@ForAll("trees") List<Node> tree, @ForAll @IntRange(min = 0, max = 3) int hdr,
            @ForAll("orders") ByteOrder order) {
        MessageBuilder m = new MessageBuilder(16, 0, order);
        for (int i = 0; i < hdr; i++) {
            m.u32(0x01020304 * i);
        }
        encode(m, tree);
        byte[] bytes = m.build();
        NetlinkMessage msg = NetlinkMessage.parse(bytes, order);
        assertEquals(16, msg.type());
        for (int i = 0; i < hdr; i++) {
            assertEquals(0x01020304 * i, msg.u32(4 * i));
        }
        check(tree, msg.attributes(4 * hdr));
    }

    @Property(tries = 300)
    void everyAttributeIsFourByteAligned(@ForAll("trees") List<Node> tree) {
        MessageBuilder m = new MessageBuilder(16, 0).u8(1).align();
        encode(m, tree);
        byte[] bytes = m.build();
        assertEquals(0, bytes.length % 4);
        assertEquals(bytes.length, NetlinkMessage.parse(bytes).payloadLength() + 16);
        walk(NetlinkMessage.parse(bytes).attributes(4));
    }

    private static void walk(Attributes attrs) {
        for (Attribute a : attrs.list()) {
            assertEquals(0, (a.offset() - 4) % 4, "attribute header on a 4-byte boundary");
            if ((a.rawType() & NetlinkMessage.NLA_F_NESTED) != 0) {
                walk(a.nested());
            }
        }
    }

    /** The positive half of the next property: valid messages, several in one buffer, all parse back. */
    @Property(tries = 300)
    void validMessagesInOneBufferAllParseBack(@ForAll("messages") List<List<Node>> messages,
            @ForAll("orders") ByteOrder order) {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < messages.size(); i++) {
            MessageBuilder m = new MessageBuilder(16 + i, 0, order).u32(i);
            encode(m, messages.get(i));
            all.writeBytes(m.build());
        }
        byte[] bytes = all.toByteArray();
        List<NetlinkMessage> parsed = NetlinkMessage.parseAll(bytes, 0, bytes.length, order);
        assertEquals(messages.size(), parsed.size());
        for (int i = 0; i < messages.size(); i++) {
            assertEquals(16 + i, parsed.get(i).type());
            assertEquals(i, parsed.get(i).u32(0));
            check(messages.get(i), parsed.get(i).attributes(4));
        }
    }

    @Provide
    Arbitrary<List<List<Node>>> messages() {
        return trees().list().ofMinSize(1).ofMaxSize(4);
    }

    /** The positive half of the accessor checks: a value of each width reads back as written. */
    @Property(tries = 500)
    void fixedWidthValuesReadBack(@ForAll byte b, @ForAll short s, @ForAll int i, @ForAll long l,
            @ForAll("text") String text, @ForAll("orders") ByteOrder order) {
        MessageBuilder m = new MessageBuilder(16, 0, order).attrU8(1, b).attrU16(2, s & 0xffff).attrU32(3, i)
                .attrU64(4, l).attrString(5, text).attrU16s(6, s & 0xffff, ~s & 0xffff).attrU16Be(7, s & 0xffff)
                .attrU32Be(8, i);
        Attributes a = NetlinkMessage.parse(m.build(), order).attributes(0);
        assertEquals(b & 0xff, a.get(1).orElseThrow().u8());
        assertEquals(s & 0xffff, a.get(2).orElseThrow().u16());
        assertEquals(i, a.get(3).orElseThrow().u32());
        assertEquals(l, a.get(4).orElseThrow().u64());
        assertEquals(text, a.get(5).orElseThrow().string());
        assertEquals(s & 0xffff, a.get(6).orElseThrow().u16At(0));
        assertEquals(~s & 0xffff, a.get(6).orElseThrow().u16At(2));
        assertEquals(s & 0xffff, a.get(7).orElseThrow().u16Be());
        assertEquals(i, java.nio.ByteBuffer.wrap(a.get(8).orElseThrow().bytes()).getInt(), "network order in both");
    }

    @Provide
    Arbitrary<String> text() {
        return Arbitraries.strings().ofMaxLength(30).filter(t -> t.indexOf('\0') < 0);
    }

    @Property(tries = 1000)
    void decodingArbitraryBytesThrowsOnlyCodecExceptions(@ForAll @Size(max = 300) byte[] bytes,
            @ForAll("orders") ByteOrder order) {
        try {
            for (NetlinkMessage m : NetlinkMessage.parseAll(bytes, 0, bytes.length, order)) {
                for (int h = 0; h <= 16; h += 4) {
                    try {
                        exercise(m.attributes(h), 0);
                    } catch (NetlinkCodecException expected) {
                        // fine
                    }
                }
            }
        } catch (NetlinkCodecException expected) {
            // fine
        }
    }

    @Property(tries = 1000)
    void attributeParsingOfArbitraryBytesThrowsOnlyCodecExceptions(@ForAll @Size(max = 200) byte[] bytes) {
        try {
            exercise(Attributes.parse(bytes), 0);
        } catch (NetlinkCodecException expected) {
            // fine
        }
    }

    static void exercise(Attributes attrs, int depth) {
        for (Attribute a : attrs.list()) {
            for (Runnable r : new Runnable[] {a::u8, a::u16, a::u16Be, a::u32, a::u64, a::string, a::bytes,
                    () -> a.u16At(2), () -> a.u32At(4)}) {
                try {
                    r.run();
                } catch (NetlinkCodecException expected) {
                    // fine
                }
            }
            if (depth < 4) {
                try {
                    exercise(a.nested(), depth + 1);
                } catch (NetlinkCodecException expected) {
                    // fine
                }
            }
        }
    }
}
