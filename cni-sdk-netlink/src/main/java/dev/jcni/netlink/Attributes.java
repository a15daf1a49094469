package dev.jcni.netlink;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A decoded sequence of attributes, in the order the kernel sent them. Lookup by type returns the
 * first match ({@link #get}) or all matches ({@link #all(int)}).
 */
public final class Attributes {
    private static final Attributes EMPTY = new Attributes(List.of());
    private final List<Attribute> list;

    private Attributes(List<Attribute> list) {
        this.list = list;
    }

    /**
     * Decodes attributes from {@code len} bytes of {@code buf} at {@code off}, in the host's byte
     * order. Fewer than 4 trailing bytes (padding) are ignored, as the kernel does.
     *
     * @param buf bytes (not copied; do not modify them afterwards)
     * @param off start
     * @param len length
     * @return the attributes
     * @throws NetlinkCodecException when an attribute's length is below 4 or runs past the end
     */
    public static Attributes parse(byte[] buf, int off, int len) {
        return parse(buf, off, len, ByteOrder.nativeOrder());
    }

    /**
     * Parses attributes written in the given byte order (the host's is what the kernel sends;
     * another is for tests and tools that read another host's messages).
     *
     * @param buf the bytes
     * @param off where the attributes start
     * @param len their total length
     * @param order the byte order of lengths, types and values
     * @return the attributes, in order
     * @throws NetlinkCodecException when an attribute's length runs past the region
     */
    public static Attributes parse(byte[] buf, int off, int len, ByteOrder order) {
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        if (off < 0 || len < 0 || off > buf.length || len > buf.length - off) {
            throw new NetlinkCodecException("attribute region " + off + "+" + len + " outside " + buf.length + " bytes");
        }
        if (len < 4) {
            return EMPTY;
        }
        List<Attribute> out = new ArrayList<>();
        int p = off;
        int end = off + len;
        while (end - p >= 4) {
            int alen = Attribute.readU16(little, buf, p);
            int type = Attribute.readU16(little, buf, p + 2);
            if (alen < 4 || alen > end - p) {
                throw new NetlinkCodecException("attribute type " + (type & NetlinkMessage.NLA_TYPE_MASK)
                        + " has length " + alen + " with " + (end - p) + " bytes left");
            }
            out.add(new Attribute(little, type, buf, p + 4, alen - 4));
            p += Math.min(MessageBuilder.align(alen), end - p);
        }
        return new Attributes(Collections.unmodifiableList(out));
    }

    /**
     * @param buf bytes
     * @return the attributes of the whole array
     */
    public static Attributes parse(byte[] buf) {
        return parse(buf, 0, buf.length);
    }

    /**

     * @return every attribute, in order

     */
    public List<Attribute> list() {
        return list;
    }

    /**
     * @param type attribute type (flag bits ignored)
     * @return the first attribute of that type
     */
    public Optional<Attribute> get(int type) {
        for (Attribute a : list) {
            if (a.type() == type) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /**
     * @param type attribute type
     * @return the first attribute of that type, or null (for internal decoding code)
     */
    Attribute find(int type) {
        for (Attribute a : list) {
            if (a.type() == type) {
                return a;
            }
        }
        return null;
    }

    /**
     * @param type attribute type
     * @return every attribute of that type
     */
    public List<Attribute> all(int type) {
        List<Attribute> out = new ArrayList<>();
        for (Attribute a : list) {
            if (a.type() == type) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * @param type attribute type
     * @return true when an attribute of that type is present
     */
    public boolean has(int type) {
        return find(type) != null;
    }

    /**
     * @param type attribute type
     * @return the string value, when present
     */
    public Optional<String> string(int type) {
        Attribute a = find(type);
        return a == null ? Optional.empty() : Optional.of(a.string());
    }

    /**
     * @param type attribute type
     * @param dflt the value when absent
     * @return the native-order 32-bit value, or {@code dflt}
     */
    public int u32(int type, int dflt) {
        Attribute a = find(type);
        return a == null ? dflt : a.u32();
    }

    /**
     * @param type attribute type
     * @param dflt the value when absent
     * @return the 8-bit value, or {@code dflt}
     */
    public int u8(int type, int dflt) {
        Attribute a = find(type);
        return a == null ? dflt : a.u8();
    }

    /**
     * @param type attribute type
     * @return the nested attributes, or none when absent
     */
    public Attributes nested(int type) {
        Attribute a = find(type);
        return a == null ? EMPTY : a.nested();
    }

    /**

     * @return the number of attributes

     */
    public int size() {
        return list.size();
    }
}
