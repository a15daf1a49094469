package dev.jcni.netlink;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One received netlink message: the {@code nlmsghdr} fields and the payload after it. Family
 * headers in the payload are read with {@link #u8}/{@link #u16}/{@link #u32} at payload offsets,
 * attributes after them with {@link #attributes(int)}.
 */
public final class NetlinkMessage {
    /** Header length: {@code sizeof(struct nlmsghdr)}. */
    public static final int HEADER_LENGTH = 16;
    /** {@code NLMSG_NOOP}. */
    public static final int NLMSG_NOOP = 1;
    /** {@code NLMSG_ERROR}: an error, or an ACK when the error is 0. */
    public static final int NLMSG_ERROR = 2;
    /** {@code NLMSG_DONE}: end of a dump. */
    public static final int NLMSG_DONE = 3;
    /** {@code NLMSG_OVERRUN}. */
    public static final int NLMSG_OVERRUN = 4;
    /** {@code NLM_F_REQUEST}. */
    public static final int NLM_F_REQUEST = 0x1;
    /** {@code NLM_F_MULTI}. */
    public static final int NLM_F_MULTI = 0x2;
    /** {@code NLM_F_ACK}. */
    public static final int NLM_F_ACK = 0x4;
    /** {@code NLM_F_ECHO}. */
    public static final int NLM_F_ECHO = 0x8;
    /** {@code NLM_F_DUMP_INTR}: the dump was inconsistent because the table changed. */
    public static final int NLM_F_DUMP_INTR = 0x10;
    /** {@code NLM_F_ROOT}. */
    public static final int NLM_F_ROOT = 0x100;
    /** {@code NLM_F_MATCH}. */
    public static final int NLM_F_MATCH = 0x200;
    /** {@code NLM_F_DUMP}. */
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    /** {@code NLM_F_REPLACE}. */
    public static final int NLM_F_REPLACE = 0x100;
    /** {@code NLM_F_EXCL}. */
    public static final int NLM_F_EXCL = 0x200;
    /** {@code NLM_F_CREATE}. */
    public static final int NLM_F_CREATE = 0x400;
    /** {@code NLM_F_APPEND}. */
    public static final int NLM_F_APPEND = 0x800;
    /** {@code NLM_F_CAPPED} (on NLMSG_ERROR: the request was not echoed). */
    public static final int NLM_F_CAPPED = 0x100;
    /** {@code NLM_F_ACK_TLVS} (on NLMSG_ERROR: extended-ack attributes follow). */
    public static final int NLM_F_ACK_TLVS = 0x200;
    /** {@code NLA_F_NESTED}. */
    public static final int NLA_F_NESTED = 0x8000;
    /** {@code NLA_F_NET_BYTEORDER}. */
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    /** {@code NLA_TYPE_MASK}. */
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    private final boolean little;
    private final int type;
    private final int flags;
    private final int seq;
    private final int pid;
    private final byte[] buf;
    private final int off; // payload start
    private final int len; // payload length

    private NetlinkMessage(boolean little, int type, int flags, int seq, int pid, byte[] buf, int off, int len) {
        this.little = little;
        this.type = type;
        this.flags = flags;
        this.seq = seq;
        this.pid = pid;
        this.buf = buf;
        this.off = off;
        this.len = len;
    }

    /**
     * Splits a datagram into messages. Fewer than 16 trailing bytes are ignored.
     *
     * @param buf bytes (not copied; do not modify them afterwards)
     * @param off start
     * @param n length
     * @return the messages
     * @throws NetlinkCodecException when a message length is below 16 or runs past the end
     */
    public static List<NetlinkMessage> parseAll(byte[] buf, int off, int n) {
        return parseAll(buf, off, n, ByteOrder.nativeOrder());
    }

    /**
     * Splits bytes written in the given byte order into messages: the host's order is what the
     * kernel sends (netlink is host-endian); another is for tests and tools that read another
     * host's messages. The messages' numbers, attributes and family headers are read in that order.
     *
     * @param buf the bytes
     * @param off where the first message starts
     * @param n how many bytes
     * @param order the byte order of the messages
     * @return the messages, in order
     * @throws NetlinkCodecException when a message's length runs past the region
     */
    public static List<NetlinkMessage> parseAll(byte[] buf, int off, int n, ByteOrder order) {
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        if (off < 0 || n < 0 || off > buf.length || n > buf.length - off) {
            throw new NetlinkCodecException("message region " + off + "+" + n + " outside " + buf.length + " bytes");
        }
        List<NetlinkMessage> out = new ArrayList<>(4);
        int p = off;
        int end = off + n;
        while (end - p >= HEADER_LENGTH) {
            int mlen = Attribute.readU32(little, buf, p);
            if (mlen < HEADER_LENGTH || mlen > end - p) {
                throw new NetlinkCodecException("message length " + Integer.toUnsignedString(mlen) + " with "
                        + (end - p) + " bytes left");
            }
            out.add(new NetlinkMessage(little, Attribute.readU16(little, buf, p + 4), Attribute.readU16(little, buf, p + 6),
                    Attribute.readU32(little, buf, p + 8), Attribute.readU32(little, buf, p + 12), buf, p + HEADER_LENGTH,
                    mlen - HEADER_LENGTH));
            p += Math.min(MessageBuilder.align(mlen), end - p);
        }
        return out;
    }

    /**
     * Parses exactly one message.
     *
     * @param bytes the message
     * @return it
     * @throws NetlinkCodecException when the bytes do not hold one message
     */
    public static NetlinkMessage parse(byte[] bytes) {
        return parse(bytes, ByteOrder.nativeOrder());
    }

    /**
     * Parses exactly one message written in the given byte order.
     *
     * @param bytes the message
     * @param order its byte order
     * @return the message
     * @throws NetlinkCodecException when the bytes are not exactly one message
     */
    public static NetlinkMessage parse(byte[] bytes, ByteOrder order) {
        List<NetlinkMessage> all = parseAll(bytes, 0, bytes.length, order);
        if (all.size() != 1) {
            throw new NetlinkCodecException("expected one message, found " + all.size());
        }
        return all.get(0);
    }

    /**

     * @return {@code nlmsg_type}

     */
    public int type() {
        return type;
    }

    /**

     * @return the byte order the message was parsed in (the host's for messages from the kernel)

     */
    public ByteOrder order() {
        return little ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
    }

    /**

     * @return {@code nlmsg_flags}

     */
    public int flags() {
        return flags;
    }

    /**

     * @return {@code nlmsg_seq}

     */
    public int seq() {
        return seq;
    }

    /**

     * @return {@code nlmsg_pid} (the port id)

     */
    public int pid() {
        return pid;
    }

    /**

     * @return the payload length (after the 16-byte header)

     */
    public int payloadLength() {
        return len;
    }

    /**

     * @return a copy of the payload

     */
    public byte[] payload() {
        return Arrays.copyOfRange(buf, off, off + len);
    }

    /**

     * @return the whole message, header included, as received (for logging and golden tests)

     */
    public byte[] toBytes() {
        return Arrays.copyOfRange(buf, off - HEADER_LENGTH, off + len);
    }

    /**
     * @param at payload offset
     * @return the unsigned byte there
     */
    public int u8(int at) {
        check(at, 1);
        return buf[off + at] & 0xff;
    }

    /**
     * @param at payload offset
     * @return the native-order unsigned 16-bit value there
     */
    public int u16(int at) {
        check(at, 2);
        return Attribute.readU16(little, buf, off + at);
    }

    /**
     * @param at payload offset
     * @return the native-order 32-bit value there
     */
    public int u32(int at) {
        check(at, 4);
        return Attribute.readU32(little, buf, off + at);
    }

    /**
     * The attributes after a family header.
     *
     * @param familyHeaderLength e.g. 16 for {@code ifinfomsg}; aligned to 4 here
     * @return the attributes
     * @throws NetlinkCodecException when the payload is shorter than the header or an attribute is malformed
     */
    public Attributes attributes(int familyHeaderLength) {
        int h = MessageBuilder.align(familyHeaderLength);
        if (h > len) {
            if (familyHeaderLength <= len) {
                return Attributes.parse(buf, off + len, 0, order());
            }
            throw new NetlinkCodecException("message type " + type + " has " + len + " payload bytes, header needs "
                    + familyHeaderLength);
        }
        return Attributes.parse(buf, off + h, len - h, order());
    }

    private void check(int at, int n) {
        if (at < 0 || at + n > len) {
            throw new NetlinkCodecException("message type " + type + " has " + len + " payload bytes, read of " + n
                    + " at " + at);
        }
    }

    @Override
    public String toString() {
        return "NetlinkMessage[type=" + type + ", flags=0x" + Integer.toHexString(flags) + ", seq=" + seq + ", pid="
                + pid + ", payload=" + len + "]";
    }
}
