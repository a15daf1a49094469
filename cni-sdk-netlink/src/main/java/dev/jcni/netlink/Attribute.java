package dev.jcni.netlink;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One decoded netlink attribute ({@code rtattr}/{@code nlattr}): a type and a value. The value is
 * read with the typed accessors, which throw {@link NetlinkCodecException} when it is too short.
 * Immutable view over the received bytes. "Native order" is the order the message was parsed in:
 * the host's for messages from the kernel (netlink is host-endian), another only where a caller
 * parsed with {@link NetlinkMessage#parseAll(byte[], int, int, ByteOrder)}.
 */
public final class Attribute {
    static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final boolean little;
    private final int rawType;
    private final byte[] buf;
    private final int off;
    private final int len;

    Attribute(boolean little, int rawType, byte[] buf, int off, int len) {
        this.little = little;
        this.rawType = rawType;
        this.buf = buf;
        this.off = off;
        this.len = len;
    }

    /**

     * @return the type without the {@code NLA_F_NESTED} / {@code NLA_F_NET_BYTEORDER} flag bits

     */
    public int type() {
        return rawType & NetlinkMessage.NLA_TYPE_MASK;
    }

    /**

     * @return the type as sent, flag bits included

     */
    public int rawType() {
        return rawType;
    }

    /**

     * @return the value's length in bytes (without padding)

     */
    public int length() {
        return len;
    }

    /**

     * @return a copy of the value

     */
    public byte[] bytes() {
        return Arrays.copyOfRange(buf, off, off + len);
    }

    /**

     * @return the value as an unsigned byte

     */
    public int u8() {
        need(1);
        return buf[off] & 0xff;
    }

    /**

     * @return the value as a native-order unsigned 16-bit number

     */
    public int u16() {
        need(2);
        return readU16(little, buf, off);
    }

    /**

     * @return the value as a network-order (big-endian) unsigned 16-bit number

     */
    public int u16Be() {
        need(2);
        return (buf[off] & 0xff) << 8 | (buf[off + 1] & 0xff);
    }

    /**

     * @return the value as a native-order 32-bit number (reinterpret as unsigned with {@link Integer#toUnsignedLong})

     */
    public int u32() {
        need(4);
        return readU32(little, buf, off);
    }

    /**
     * A native-order 16-bit field of a struct carried in the value.
     *
     * @param at offset in the value
     * @return the field, unsigned
     */
    public int u16At(int at) {
        need(at, 2);
        return readU16(little, buf, off + at);
    }

    /**
     * A native-order 32-bit field of a struct carried in the value.
     *
     * @param at offset in the value
     * @return the field (reinterpret as unsigned with {@link Integer#toUnsignedLong})
     */
    public int u32At(int at) {
        need(at, 4);
        return readU32(little, buf, off + at);
    }

    /**

     * @return the byte order the value's numbers are read in

     */
    public ByteOrder order() {
        return little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /**

     * @return the value as a native-order 64-bit number

     */
    public long u64() {
        need(8);
        long lo = readU32(little, buf, little ? off : off + 4) & 0xffffffffL;
        long hi = readU32(little, buf, little ? off + 4 : off) & 0xffffffffL;
        return hi << 32 | lo;
    }

    /**

     * @return the value as a string, up to the first NUL (UTF-8)

     */
    public String string() {
        int end = off;
        while (end < off + len && buf[end] != 0) {
            end++;
        }
        return new String(buf, off, end - off, StandardCharsets.UTF_8);
    }

    /**

     * @return the value parsed as nested attributes

     */
    public Attributes nested() {
        return Attributes.parse(buf, off, len, order());
    }

    byte[] array() {
        return buf;
    }

    int offset() {
        return off;
    }

    private void need(int n) {
        if (len < n) {
            throw new NetlinkCodecException("attribute " + type() + " has " + len + " bytes, needs " + n);
        }
    }

    private void need(int at, int n) {
        if (at < 0 || len - at < n) {
            throw new NetlinkCodecException("attribute " + type() + " has " + len + " bytes, read of " + n + " at " + at);
        }
    }

    static int readU16(boolean little, byte[] b, int at) {
        return little ? (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 : (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static int readU32(boolean little, byte[] b, int at) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (b[at + (little ? i : 3 - i)] & 0xff) << (8 * i);
        }
        return v;
    }

    @Override
    public String toString() {
        return "Attribute[type=" + type() + ", length=" + len + "]";
    }
}
