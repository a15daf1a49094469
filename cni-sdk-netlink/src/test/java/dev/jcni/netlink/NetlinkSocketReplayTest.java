package dev.jcni.netlink;

import static dev.jcni.netlink.Replay.datagram;
import static dev.jcni.netlink.Replay.msg;
import static dev.jcni.netlink.Replay.s32;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetlinkSocketReplayTest {
    static final int PID = 4711;
    static final int NEWLINK = 16;

    static byte[] ack(int seq) {
        return msg(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED, seq, PID, datagram(s32(0), new byte[16]));
    }

    static byte[] done(int seq, int flags) {
        return msg(NetlinkMessage.NLMSG_DONE, NetlinkMessage.NLM_F_MULTI | flags, seq, PID, s32(0));
    }

    static byte[] part(int seq, int flags, int marker) {
        return msg(NEWLINK, NetlinkMessage.NLM_F_MULTI | flags, seq, PID, s32(marker));
    }

    @Test
    void requestSetsFlagsAndSequenceAndReturnsRepliesBeforeTheAck() {
        Replay r = new Replay();
        r.replies.add(datagram(msg(NEWLINK, 0, 100, PID, s32(7)), ack(100)));
        NetlinkSocket s = r.socket(PID, 100);
        List<NetlinkMessage> out = s.request(new MessageBuilder(18, 0).u32(0), "get");
        assertEquals(1, out.size());
        assertEquals(7, out.get(0).u32(0));
        ByteBuffer sent = ByteBuffer.wrap(r.sent.get(0)).order(ByteOrder.nativeOrder());
        assertEquals(20, sent.getInt(0));
        assertEquals(18, sent.getShort(4));
        assertEquals(NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK, sent.getShort(6));
        assertEquals(100, sent.getInt(8));
        assertEquals(0, sent.getInt(12));
    }

    @Test
    void repliesWithAnotherSequenceOrPortAreIgnored() {
        Replay r = new Replay();
        r.replies.add(datagram(msg(NEWLINK, 0, 99, PID, s32(1)), ack(99)));        // late reply to an earlier request
        r.replies.add(datagram(msg(NEWLINK, 0, 100, PID + 1, s32(2))));          // not our port
        r.replies.add(datagram(msg(NEWLINK, 0, 100, PID, s32(3)), ack(100)));
        List<NetlinkMessage> out = r.socket(PID, 100).request(new MessageBuilder(18, 0), "get");
        assertEquals(1, out.size());
        assertEquals(3, out.get(0).u32(0));
    }

    @Test
    void multiPartDumpAcrossDatagrams() {
        Replay r = new Replay();
        r.replies.add(datagram(part(5, 0, 1), part(5, 0, 2)));
        r.replies.add(datagram(part(5, 0, 3)));
        r.replies.add(datagram(done(5, 0)));
        List<NetlinkMessage> out = r.socket(PID, 5).dump(new MessageBuilder(18, 0), "dump");
        assertEquals(List.of(1, 2, 3), out.stream().map(m -> m.u32(0)).toList());
        int flags = ByteBuffer.wrap(r.sent.get(0)).order(ByteOrder.nativeOrder()).getShort(6);
        assertEquals(NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP, flags);
    }

    @Test
    void interruptedDumpIsRetried() {
        Replay r = new Replay();
        r.replies.add(datagram(part(5, NetlinkMessage.NLM_F_DUMP_INTR, 1), done(5, NetlinkMessage.NLM_F_DUMP_INTR)));
        r.replies.add(datagram(part(6, 0, 1), part(6, 0, 2), done(6, 0)));
        List<NetlinkMessage> out = r.socket(PID, 5).dump(new MessageBuilder(18, 0), "dump");
        assertEquals(2, out.size(), "the consistent second attempt wins");
        assertEquals(2, r.sent.size());
        assertEquals(6, ByteBuffer.wrap(r.sent.get(1)).order(ByteOrder.nativeOrder()).getInt(8), "new sequence");
    }

    @Test
    void interruptedDumpRetriesAreBounded() {
        Replay r = new Replay();
        for (int i = 0; i < NetlinkSocket.MAX_DUMP_ATTEMPTS; i++) {
            r.replies.add(datagram(part(10 + i, NetlinkMessage.NLM_F_DUMP_INTR, 1), done(10 + i, 0)));
        }
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> r.socket(PID, 10).dump(new MessageBuilder(18, 0), "RTM_GETLINK dump"));
        assertEquals(Errno.EINTR, e.errno());
        assertTrue(e.getMessage().startsWith("RTM_GETLINK dump: EINTR (Interrupted system call)"), e.getMessage());
        assertEquals(NetlinkSocket.MAX_DUMP_ATTEMPTS, r.sent.size());
    }

    @Test
    void errorWithoutExtendedAck() {
        Replay r = new Replay();
        r.replies.add(msg(NetlinkMessage.NLMSG_ERROR, NetlinkMessage.NLM_F_CAPPED, 1, PID,
                datagram(s32(-Errno.EEXIST), new byte[16])));
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> r.socket(PID, 1).request(new MessageBuilder(16, 0), "RTM_NEWLINK \"x\""));
        assertEquals(Errno.EEXIST, e.errno());
        assertEquals(Optional.empty(), e.extAck());
        assertEquals("RTM_NEWLINK \"x\": EEXIST (File exists)", e.getMessage());
    }

    @Test
    void dumpEndingInAnError() {
        Replay r = new Replay();
        r.replies.add(datagram(part(3, 0, 1), msg(NetlinkMessage.NLMSG_DONE, NetlinkMessage.NLM_F_MULTI, 3, PID,
                s32(-Errno.EOPNOTSUPP))));
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> r.socket(PID, 3).dump(new MessageBuilder(18, 0), "dump"));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
    }

    @Test
    void kernelErrorWithExtendedAckFromGoldenCapture() {
        byte[] d = Replay.golden("error-extack.hex").get(0);
        NetlinkMessage m = NetlinkMessage.parse(d);
        assertEquals(NetlinkMessage.NLMSG_ERROR, m.type());
        Replay r = new Replay();
        r.replies.add(d);
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> r.socket(m.pid(), m.seq()).request(new MessageBuilder(19, 0), "RTM_SETLINK 2 mtu 10"));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals(Optional.of("mtu less than device minimum"), e.extAck());
        assertEquals("RTM_SETLINK 2 mtu 10: EINVAL (Invalid argument): mtu less than device minimum", e.getMessage());
    }

    @Test
    void goldenLinkDumpReplaysThroughTheSocket() {
        List<byte[]> golden = Replay.golden("link-dump.hex");
        NetlinkMessage first = NetlinkMessage.parseAll(golden.get(0), 0, golden.get(0).length).get(0);
        Replay r = new Replay();
        r.replies.addAll(golden);
        List<NetlinkMessage> out = r.socket(first.pid(), first.seq()).dump(new MessageBuilder(18, 0), "dump");
        assertEquals(4, out.size(), "lo, the veth pair and the bridge");
        out.forEach(m -> assertEquals(NEWLINK, m.type()));
        for (NetlinkMessage m : out) {
            byte[] again = m.toBytes();
            assertArrayEquals(again, NetlinkMessage.parse(again).toBytes());
        }
    }

    @Test
    void closedSocketRefusesRequests() {
        Replay r = new Replay();
        NetlinkSocket s = r.socket(PID, 1);
        s.close();
        s.close();
        assertThrows(NetlinkException.class, () -> s.request(new MessageBuilder(18, 0), "get"));
    }

    @Test
    void aReplyBiggerThanTheBufferGrowsIt() {
        MessageBuilder big = new MessageBuilder(NEWLINK, 0);
        for (int i = 0; i < 3; i++) {
            big.attr(i, new byte[40_000]);
        }
        byte[] payload = big.build();
        byte[] reply = msg(NEWLINK, 0, 1, PID, java.util.Arrays.copyOfRange(payload, 16, payload.length));
        Replay r = new Replay();
        r.replies.add(reply);
        r.replies.add(ack(1));
        List<NetlinkMessage> out = r.socket(PID, 1).request(new MessageBuilder(18, 0), "get");
        assertEquals(1, out.size());
        assertEquals(3, out.get(0).attributes(0).size());
        assertEquals(40_000, out.get(0).attributes(0).list().get(2).length());
    }

    @Test
    void absurdReplyLengthIsACodecError() {
        Replay r = new Replay();
        r.replies.add(new byte[17 * 1024 * 1024]);
        assertThrows(NetlinkCodecException.class, () -> r.socket(PID, 1).request(new MessageBuilder(18, 0), "get"));
    }
}
