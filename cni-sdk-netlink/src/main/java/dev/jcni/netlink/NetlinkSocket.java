package dev.jcni.netlink;

import dev.jcni.netlink.sys.Sys;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NsCallable;
import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.Phases;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A netlink socket (Go: {@code nl.NetlinkSocket}) bound to the network namespace it was opened
 * in, for its whole life and from any thread: open it with {@link #openAt(int, NetNs)} to talk
 * to another namespace without entering it.
 *
 * <p>{@link #request} sends one message with {@code NLM_F_REQUEST|NLM_F_ACK} and returns the
 * replies that came before the ACK; {@link #dump} sends a {@code NLM_F_DUMP} request and returns
 * every part of the multi-part answer, retrying (at most {@value #MAX_DUMP_ATTEMPTS} times) when
 * the kernel flags it {@code NLM_F_DUMP_INTR}. Replies are checked against the request's sequence
 * number and this socket's port id. {@code NLMSG_ERROR} becomes a {@link NetlinkException} with
 * the errno and the kernel's extended-ack text ({@code NETLINK_EXT_ACK} is enabled).
 *
 * <p>Thread-safe: requests on one socket are serialised.
 */
public final class NetlinkSocket implements AutoCloseable {
    /** {@code NETLINK_ROUTE}: links, addresses, routes, neighbours. */
    public static final int NETLINK_ROUTE = 0;
    /** {@code NETLINK_NETFILTER}: conntrack and friends. */
    public static final int NETLINK_NETFILTER = 12;
    /** How many times a dump flagged {@code NLM_F_DUMP_INTR} is tried before giving up. */
    public static final int MAX_DUMP_ATTEMPTS = 10;

    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int NLMSGERR_ATTR_MSG = 1;
    private static final int RX_BUFFER = 64 * 1024;
    private static final int MAX_RX_BUFFER = 16 * 1024 * 1024;
    private static final long RECEIVE_TIMEOUT_MILLIS = 60_000;

    /** Moves datagrams to and from the kernel; replaced by canned replies in unit tests. */
    interface Transport {
        void send(byte[] message);

        /**
         * Receives the next datagram into {@code buf} from position 0 and returns its length; when it
         * is longer than the buffer, leaves it queued and returns its length, so that the caller can
         * retry with a bigger buffer.
         */
        int receive(ByteBuffer buf);

        void close();
    }

    private static final class KernelTransport implements Transport {
        private final int fd;

        KernelTransport(int fd) {
            this.fd = fd;
        }

        @Override
        public void send(byte[] message) {
            Sys.sendToKernel(fd, message, message.length);
        }

        @Override
        public int receive(ByteBuffer buf) {
            // peek first (as iproute2 does) so that a datagram bigger than the buffer is not lost
            int n = Sys.recv(fd, buf, Sys.MSG_PEEK | Sys.MSG_TRUNC);
            if (n > buf.capacity()) {
                return n;
            }
            return Sys.recv(fd, buf, Sys.MSG_TRUNC);
        }

        @Override
        public void close() {
            Sys.close(fd);
        }
    }

    private final int protocol;
    private final int portId;
    private final Transport transport;
    private boolean closed;
    private int seq;
    private ByteBuffer rx;

    NetlinkSocket(int protocol, Transport transport, int portId, int firstSeq) {
        this.protocol = protocol;
        this.transport = transport;
        this.portId = portId;
        this.seq = firstSeq;
    }

    /**
     * Opens a socket in the calling thread's network namespace.
     *
     * @param protocol {@link #NETLINK_ROUTE}, {@link #NETLINK_NETFILTER}, ...
     * @return the socket
     * @throws NetlinkException when socket/bind fail
     * @throws IllegalStateException on a thread retired by {@code NetNs} (see {@code NetNs.RestoreFailurePolicy})
     */
    public static NetlinkSocket open(int protocol) {
        // a thread retired by NetNs is in an unknown namespace: it must not act through netlink
        CallContext.checkNotRetired();
        int fd = Sys.socket(Sys.AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, protocol);
        try {
            Sys.setsockoptInt(fd, Sys.SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK");
            Sys.setsockoptInt(fd, Sys.SOL_NETLINK, NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK");
            Sys.setsockoptTimeval(fd, Sys.SO_RCVTIMEO, RECEIVE_TIMEOUT_MILLIS);
            Sys.bindNetlink(fd, 0, 0);
            return new NetlinkSocket(protocol, new KernelTransport(fd), Sys.netlinkPortId(fd),
                    (int) (System.nanoTime() & 0x3fffffff));
        } catch (RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
    }

    /**
     * Opens a kernel socket whose every received datagram is also handed to {@code tap} (for
     * capturing golden test data).
     */
    static NetlinkSocket openTapped(int protocol, java.util.function.Consumer<byte[]> tap) {
        NetlinkSocket real = open(protocol);
        Transport inner = real.transport;
        Transport tapped = new Transport() {
            @Override
            public void send(byte[] message) {
                inner.send(message);
            }

            @Override
            public int receive(ByteBuffer buf) {
                int n = inner.receive(buf);
                if (n <= buf.capacity()) {
                    byte[] copy = new byte[n];
                    buf.get(0, copy);
                    tap.accept(copy);
                }
                return n;
            }

            @Override
            public void close() {
                inner.close();
            }
        };
        return new NetlinkSocket(protocol, tapped, real.portId, real.seq);
    }

    /**
     * Opens a socket inside a network namespace without the caller entering it: a pinned thread
     * enters, opens and returns. The socket stays in that namespace. When the thread cannot return
     * (it is then retired, {@link dev.jcni.netns.NsRestoreException}), the socket is closed before
     * the failure is thrown.
     *
     * @param protocol the netlink protocol
     * @param ns the namespace
     * @return the socket
     */
    public static NetlinkSocket openAt(int protocol, NetNs ns) {
        return openAt(protocol, ns, NOTHING);
    }

    private static final Consumer<NetlinkSocket> NOTHING = new Consumer<>() {
        @Override
        public void accept(NetlinkSocket s) {
        }
    };

    /** {@link #openAt(int, NetNs)}, running {@code inside} in the namespace once the socket is open (tests). */
    static NetlinkSocket openAt(int protocol, NetNs ns, Consumer<NetlinkSocket> inside) {
        AtomicReference<NetlinkSocket> opened = new AtomicReference<>();
        try {
            // a class, not a lambda: a cold JVM sets up the lambda machinery at its first lambda
            return ns.call(new NsCallable<NetlinkSocket, RuntimeException>() {
                @Override
                public NetlinkSocket call() {
                    NetlinkSocket s = open(protocol);
                    opened.set(s);
                    inside.accept(s);
                    return s;
                }
            });
        } catch (RuntimeException | Error e) {
            NetlinkSocket s = opened.get();
            if (s != null) {
                s.close();
            }
            throw e;
        }
    }

    /**

     * @return the netlink protocol

     */
    public int protocol() {
        return protocol;
    }

    /**

     * @return the port id the kernel gave this socket

     */
    public int portId() {
        return portId;
    }

    /**
     * Sends a request and waits for its ACK.
     *
     * @param msg the message; {@code NLM_F_REQUEST|NLM_F_ACK} are added
     * @param operation how errors name the request, e.g. {@code RTM_NEWLINK "veth0"}
     * @return the replies that came before the ACK (empty for most changes)
     * @throws NetlinkException the kernel's error, with errno and extended ack
     */
    public synchronized List<NetlinkMessage> request(MessageBuilder msg, String operation) {
        msg.addFlags(NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_ACK);
        List<NetlinkMessage> out = new ArrayList<>(2);
        exchange(msg.build(), false, operation, out);
        return out;
    }

    /**
     * Sends a dump request and collects every part of the answer.
     *
     * @param msg the message; {@code NLM_F_REQUEST|NLM_F_DUMP} are added
     * @param operation how errors name the request
     * @return the messages, NLMSG_DONE excluded
     * @throws NetlinkException the kernel's error, or {@code EINTR} when every attempt was interrupted
     */
    public synchronized List<NetlinkMessage> dump(MessageBuilder msg, String operation) {
        msg.addFlags(NetlinkMessage.NLM_F_REQUEST | NetlinkMessage.NLM_F_DUMP);
        byte[] bytes = msg.build();
        for (int attempt = 1; ; attempt++) {
            List<NetlinkMessage> out = new ArrayList<>();
            if (!exchange(bytes, true, operation, out)) {
                return out;
            }
            if (attempt == MAX_DUMP_ATTEMPTS) {
                throw new NetlinkException(operation, Errno.EINTR,
                        "dump interrupted (NLM_F_DUMP_INTR) " + MAX_DUMP_ATTEMPTS + " times");
            }
        }
    }

    /**

     * @return true when the dump was interrupted

     */
    private boolean exchange(byte[] bytes, boolean dump, String operation, List<NetlinkMessage> out) {
        long t = Phases.start();
        try {
            return exchangeOnce(bytes, dump, operation, out);
        } finally {
            Phases.add("netlink round trip", t);
        }
    }

    private boolean exchangeOnce(byte[] bytes, boolean dump, String operation, List<NetlinkMessage> out) {
        ensureOpen();
        int s = ++seq;
        putU32(bytes, 8, s);
        transport.send(bytes);
        boolean interrupted = false;
        if (rx == null) {
            rx = ByteBuffer.allocateDirect(RX_BUFFER).order(ByteOrder.nativeOrder());
        }
        while (true) {
            int n = transport.receive(rx);
            if (n > rx.capacity()) {
                if (n > MAX_RX_BUFFER) {
                    throw new NetlinkCodecException("reply of " + n + " bytes exceeds " + MAX_RX_BUFFER + " bytes");
                }
                rx = ByteBuffer.allocateDirect((n + 4095) & ~4095).order(ByteOrder.nativeOrder());
                continue; // the datagram is still queued
            }
            rx.clear();
            byte[] copy = new byte[n];
            rx.get(copy, 0, n);
            rx.clear();
            for (NetlinkMessage m : NetlinkMessage.parseAll(copy, 0, n)) {
                if (m.seq() != s || m.pid() != portId) {
                    continue; // a late reply to an earlier request, or not for us
                }
                if ((m.flags() & NetlinkMessage.NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                switch (m.type()) {
                    case NetlinkMessage.NLMSG_NOOP:
                        break;
                    case NetlinkMessage.NLMSG_ERROR: {
                        int err = m.u32(0);
                        if (err == 0) {
                            return interrupted;
                        }
                        throw new NetlinkException(operation, -err, extAck(m, 4 + NetlinkMessage.HEADER_LENGTH));
                    }
                    case NetlinkMessage.NLMSG_DONE: {
                        int err = m.payloadLength() >= 4 ? m.u32(0) : 0;
                        if (err < 0) {
                            throw new NetlinkException(operation, -err, extAck(m, 4));
                        }
                        if (dump) {
                            return interrupted;
                        }
                        break;
                    }
                    case NetlinkMessage.NLMSG_OVERRUN:
                        throw new NetlinkException(operation, Errno.ENOBUFS, "netlink overrun");
                    default:
                        out.add(m);
                }
            }
        }
    }

    private static String extAck(NetlinkMessage m, int capped) {
        if ((m.flags() & NetlinkMessage.NLM_F_ACK_TLVS) == 0) {
            return "";
        }
        int start = capped;
        if (m.type() == NetlinkMessage.NLMSG_ERROR && (m.flags() & NetlinkMessage.NLM_F_CAPPED) == 0
                && m.payloadLength() >= 8) {
            start = 4 + MessageBuilder.align(m.u32(4));
        }
        try {
            return m.attributes(start).string(NLMSGERR_ATTR_MSG).orElse("");
        } catch (NetlinkCodecException e) {
            return "";
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw NetlinkException.of("netlink", "netlink socket is closed");
        }
    }

    private static void putU32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + (Attribute.LITTLE ? i : 3 - i)] = (byte) (v >>> (8 * i));
        }
    }

    /** Closes the socket; later requests fail. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            transport.close();
        }
    }

    @Override
    public String toString() {
        return "NetlinkSocket[protocol=" + protocol + ", portId=" + portId + (closed ? ", closed" : "") + "]";
    }
}
