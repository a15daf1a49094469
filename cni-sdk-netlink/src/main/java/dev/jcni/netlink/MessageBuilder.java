package dev.jcni.netlink;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink message: the 16-byte {@code nlmsghdr}, a family header (such as
 * {@code ifinfomsg}) written with the {@code u8/u16/u32} methods, then attributes, each padded
 * to 4 bytes, nested with {@link #nest(int)} / {@link #end()}. Integers are written in native
 * byte order unless the method says {@code Be} (network order): the host's (netlink is
 * host-endian, so s390x's messages are big-endian), or the order given to the constructor.
 *
 * <p>The sequence number and port id are left 0; {@link NetlinkSocket} fills the sequence in.
 * Not thread-safe; build, then hand to a socket.
 */
public final class MessageBuilder {
    private final boolean little;
    private byte[] buf = new byte[256];
    private int len;
    private int[] nests = new int[8];
    private int depth;

    /**
     * Starts a message.
     *
     * @param type the message type, e.g. {@code RTM_NEWLINK}
     * @param flags {@code NLM_F_*} flags; {@link NetlinkSocket} adds {@code NLM_F_REQUEST} and
     *     {@code NLM_F_ACK} or {@code NLM_F_DUMP} itself
     */
    public MessageBuilder(int type, int flags) {
        this(type, flags, ByteOrder.nativeOrder());
    }

    /**
     * Starts a message in the given byte order: the host's is what the kernel reads (netlink is
     * host-endian); another is for tests and tools that make another host's messages.
     *
     * @param type the message type
     * @param flags {@code NLM_F_*} flags
     * @param order the byte order of every number that is not {@code Be}
     */
    public MessageBuilder(int type, int flags, ByteOrder order) {
        little = order == ByteOrder.LITTLE_ENDIAN;
        len = 16;
        putU16At(4, type);
        putU16At(6, flags);
    }

    /**

     * @return the message type

     */
    public int type() {
        return getU16(4);
    }

    /**

     * @return the byte order the message is written in

     */
    public ByteOrder order() {
        return little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /**

     * @return the flags set so far

     */
    public int flags() {
        return getU16(6);
    }

    /**
     * Adds flags to the header.
     *
     * @param flags {@code NLM_F_*} bits
     * @return this
     */
    public MessageBuilder addFlags(int flags) {
        putU16At(6, flags() | flags);
        return this;
    }

    /**
     * Appends one byte to the family header.
     *
     * @param v value (low 8 bits)
     * @return this
     */
    public MessageBuilder u8(int v) {
        ensure(1);
        buf[len++] = (byte) v;
        return this;
    }

    /**
     * Appends a native-order 16-bit value.
     *
     * @param v value (low 16 bits)
     * @return this
     */
    public MessageBuilder u16(int v) {
        ensure(2);
        putU16At(len, v);
        len += 2;
        return this;
    }

    /**
     * Appends a native-order 32-bit value.
     *
     * @param v value
     * @return this
     */
    public MessageBuilder u32(int v) {
        ensure(4);
        putU32At(len, v);
        len += 4;
        return this;
    }

    /**
     * Appends raw bytes (unpadded).
     *
     * @param b bytes
     * @return this
     */
    public MessageBuilder bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, len, b.length);
        len += b.length;
        return this;
    }

    /**
     * Appends an attribute with raw bytes, padded to 4 bytes.
     *
     * @param type the attribute type (may include {@code NLA_F_*} flag bits)
     * @param value the value
     * @return this
     */
    public MessageBuilder attr(int type, byte[] value) {
        return attr(type, value, 0, value.length);
    }

    /**
     * Appends an attribute with part of a byte array, padded to 4 bytes.
     *
     * @param type the attribute type
     * @param value the array
     * @param off start
     * @param n length
     * @return this
     */
    public MessageBuilder attr(int type, byte[] value, int off, int n) {
        if (n + 4 > 0xffff) {
            throw new IllegalArgumentException("attribute too long: " + n);
        }
        int total = align(4 + n);
        ensure(total);
        putU16At(len, 4 + n);
        putU16At(len + 2, type);
        System.arraycopy(value, off, buf, len + 4, n);
        Arrays.fill(buf, len + 4 + n, len + total, (byte) 0);
        len += total;
        return this;
    }

    /**
     * @param type attribute type
     * @param v 8-bit value
     * @return this
     */
    public MessageBuilder attrU8(int type, int v) {
        return attr(type, new byte[] {(byte) v});
    }

    /**
     * @param type attribute type
     * @param v native-order 16-bit value
     * @return this
     */
    public MessageBuilder attrU16(int type, int v) {
        return attr(type, little ? new byte[] {(byte) v, (byte) (v >> 8)} : new byte[] {(byte) (v >> 8), (byte) v});
    }

    /**
     * An attribute holding a struct of native-order 16-bit fields, such as {@code bridge_vlan_info}.
     *
     * @param type attribute type
     * @param fields the fields, in order (low 16 bits each)
     * @return this
     */
    public MessageBuilder attrU16s(int type, int... fields) {
        byte[] b = new byte[2 * fields.length];
        for (int i = 0; i < fields.length; i++) {
            int v = fields[i];
            b[2 * i + (little ? 0 : 1)] = (byte) v;
            b[2 * i + (little ? 1 : 0)] = (byte) (v >> 8);
        }
        return attr(type, b);
    }

    /**
     * @param type attribute type
     * @param v network-order (big-endian) 16-bit value, e.g. a port
     * @return this
     */
    public MessageBuilder attrU16Be(int type, int v) {
        return attr(type, new byte[] {(byte) (v >> 8), (byte) v});
    }

    /**
     * @param type attribute type
     * @param v native-order 32-bit value
     * @return this
     */
    public MessageBuilder attrU32(int type, int v) {
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            b[little ? i : 3 - i] = (byte) (v >>> (8 * i));
        }
        return attr(type, b);
    }

    /**
     * @param type attribute type
     * @param v network-order (big-endian) 32-bit value
     * @return this
     */
    public MessageBuilder attrU32Be(int type, int v) {
        return attr(type, new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    /**
     * @param type attribute type
     * @param v native-order 64-bit value
     * @return this
     */
    public MessageBuilder attrU64(int type, long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[little ? i : 7 - i] = (byte) (v >>> (8 * i));
        }
        return attr(type, b);
    }

    /**
     * A NUL-terminated string attribute.
     *
     * @param type attribute type
     * @param s the string (UTF-8)
     * @return this
     */
    public MessageBuilder attrString(int type, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] z = Arrays.copyOf(b, b.length + 1);
        return attr(type, z);
    }

    /**
     * An attribute without a value (a flag).
     *
     * @param type attribute type
     * @return this
     */
    public MessageBuilder attrFlag(int type) {
        return attr(type, new byte[0]);
    }

    /**
     * Opens a nested attribute; attributes added until the matching {@link #end()} go inside it.
     *
     * @param type the attribute type (add {@link NetlinkMessage#NLA_F_NESTED} when the kernel wants the flag)
     * @return this
     */
    public MessageBuilder nest(int type) {
        ensure(4);
        if (depth == nests.length) {
            nests = Arrays.copyOf(nests, depth * 2);
        }
        nests[depth++] = len;
        putU16At(len + 2, type);
        len += 4;
        return this;
    }

    /**
     * Closes the innermost nested attribute.
     *
     * @return this
     */
    public MessageBuilder end() {
        if (depth == 0) {
            throw new IllegalStateException("end() without nest()");
        }
        int start = nests[--depth];
        int n = len - start;
        if (n > 0xffff) {
            throw new IllegalArgumentException("nested attribute too long: " + n);
        }
        putU16At(start, n);
        return this;
    }

    /**
     * Pads the family header to 4 bytes; call after an odd-sized header.
     *
     * @return this
     */
    public MessageBuilder align() {
        int a = align(len);
        ensure(a - len);
        Arrays.fill(buf, len, a, (byte) 0);
        len = a;
        return this;
    }

    /**
     * The message so far, with its length set.
     *
     * @return a new array
     * @throws IllegalStateException when a nest is still open
     */
    public byte[] build() {
        if (depth != 0) {
            throw new IllegalStateException(depth + " nested attribute(s) not ended");
        }
        putU32At(0, len);
        return Arrays.copyOf(buf, len);
    }

    static int align(int n) {
        return (n + 3) & ~3;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }

    private void putU16At(int at, int v) {
        if (little) {
            buf[at] = (byte) v;
            buf[at + 1] = (byte) (v >> 8);
        } else {
            buf[at] = (byte) (v >> 8);
            buf[at + 1] = (byte) v;
        }
    }

    private void putU32At(int at, int v) {
        for (int i = 0; i < 4; i++) {
            buf[at + (little ? i : 3 - i)] = (byte) (v >>> (8 * i));
        }
    }

    private int getU16(int at) {
        return little ? (buf[at] & 0xff) | (buf[at + 1] & 0xff) << 8 : (buf[at] & 0xff) << 8 | (buf[at + 1] & 0xff);
    }
}
