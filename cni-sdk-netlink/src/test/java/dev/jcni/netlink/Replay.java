package dev.jcni.netlink;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/** A transport that answers with canned datagrams and records what was sent. */
public final class Replay implements NetlinkSocket.Transport {
    final Deque<byte[]> replies = new ArrayDeque<>();
    final List<byte[]> sent = new ArrayList<>();

    @Override
    public void send(byte[] message) {
        sent.add(message.clone());
    }

    @Override
    public int receive(ByteBuffer buf) {
        byte[] d = replies.poll();
        if (d == null) {
            throw new AssertionError("no more canned replies");
        }
        if (d.length > buf.capacity()) {
            replies.addFirst(d); // as the kernel transport: too big, stays queued
            return d.length;
        }
        buf.clear();
        buf.put(d, 0, Math.min(d.length, buf.capacity()));
        buf.clear();
        return d.length;
    }

    @Override
    public void close() {
    }

    /** @return a socket on this transport, port id {@code pid}, whose first request has sequence {@code firstSeq} */
    public NetlinkSocket socket(int pid, int firstSeq) {
        return new NetlinkSocket(0, this, pid, firstSeq - 1);
    }

    /** Reads a golden file: one hex datagram per line. */
    public static List<byte[]> golden(String name) {
        try (InputStream in = Replay.class.getResourceAsStream("/golden/" + name)) {
            if (in == null) {
                throw new AssertionError("missing golden file " + name);
            }
            List<byte[]> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank()) {
                    out.add(HexFormat.of().parseHex(line.trim()));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds one message datagram. */
    public static byte[] msg(int type, int flags, int seq, int pid, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(16 + ((payload.length + 3) & ~3)).order(ByteOrder.nativeOrder());
        b.putInt(16 + payload.length).putShort((short) type).putShort((short) flags).putInt(seq).putInt(pid);
        b.put(payload);
        return b.array();
    }

    /** Concatenates messages into one datagram. */
    public static byte[] datagram(byte[]... messages) {
        int n = 0;
        for (byte[] m : messages) {
            n += m.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] m : messages) {
            b.put(m);
        }
        return b.array();
    }

    public static byte[] s32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    }
}
