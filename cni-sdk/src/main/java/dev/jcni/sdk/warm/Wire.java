package dev.jcni.sdk.warm;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hand-over protocol between {@code jcni-shim} and the daemon (version 2, "JCW2"; the shim's
 * source describes it too). Integers are big-endian.
 *
 * <pre>
 * request:  "JCW2" u32 length-of-rest, then u32 pid, u32 umask,
 *           4 x (u64 dev, u64 ino) of the caller's /proc/self/ns/net, ns/mnt, ns/user and root,
 *           str dist-id, str plugin, str cwd, u32 argc + argc x str, u32 envc + envc x str, str stdin
 *           (str = u32 length + bytes)
 * replies:  frames of u8 type + u32 length + payload.
 *   before the start: 'W' wait (the call waits for its turn; repeated at least every 100 ms),
 *                     'R' refused (payload: reason; the shim runs the call cold),
 *                     'T' turn (the call may start now), answered by the shim with one byte:
 *                     'G' go (the shim will not run the call itself) or 'C' cancel (or it closes)
 *   after a 'G':      'S' started (sent before the call runs: the call runs only if this frame was
 *                     written), then 'E' stderr bytes, 'O' stdout bytes, 'X' exit (u32 code), the last
 * </pre>
 *
 * The go-ahead makes the hand-over exact: the daemon runs a call only after reading 'G' and
 * writing 'S'. The shim sends 'G' right after its request (the daemon reads it after its 'T', at
 * once: no wait for the shim to wake up in between), and goes cold only when no 'S' can come: an
 * 'R', an end of the connection before 'S', or, when its patience runs out, after it has shut its
 * socket's reading side down, so that a later 'S' cannot be written, and found no 'S' written
 * before that in its queue (if it finds one, the call runs: it reports an unknown outcome). A
 * client may also send 'G' only after the 'T' (an older shim, the tests' raw client).
 */
final class Wire {
    private Wire() {
    }

    static final int MAGIC = 0x4a435732; // "JCW2"
    /**
     * The largest request accepted: 4 MiB (the shim goes cold above). A call needs several times
     * its request's size of heap, and the daemon has 96 MiB: a 16 MiB request exhausted it.
     */
    static final int MAX_REQUEST = 4 << 20;

    static final byte WAIT = 'W';
    static final byte TURN = 'T';
    static final byte GO = 'G';
    static final byte CANCEL = 'C';
    static final byte STARTED = 'S';
    static final byte REFUSED = 'R';
    static final byte STDERR = 'E';
    static final byte STDOUT = 'O';
    static final byte EXIT = 'X';

    /** A namespace or directory identity: device and inode. */
    record FileId(long dev, long ino) {
    }

    /**
     * One call as the shim sent it.
     *
     * @param pid the caller's pid as the caller says: untrusted, checked against the kernel's (SO_PEERCRED)
     * @param umask the caller's umask
     * @param netNs the caller's network namespace
     * @param mntNs its mount namespace
     * @param userNs its user namespace
     * @param root its root directory
     * @param distId the dist id of the launcher
     * @param plugin the plugin's name
     * @param cwd the caller's working directory
     * @param args the launcher's arguments
     * @param env the caller's environment, entries in order, as raw {@code K=V}
     * @param stdin the stdin bytes: a read-only view of the request's buffer (never copied)
     */
    record Request(int pid, int umask, FileId netNs, FileId mntNs, FileId userNs, FileId root, String distId,
                   String plugin, String cwd, List<String> args, List<String> env, ByteBuffer stdin) {

        /** @return the stdin bytes as a stream over the request's buffer */
        InputStream stdinStream() {
            ByteBuffer b = stdin.duplicate();
            return new InputStream() {
                @Override
                public int read() {
                    return b.hasRemaining() ? b.get() & 0xff : -1;
                }

                @Override
                public int read(byte[] to, int off, int len) {
                    if (len == 0) {
                        return 0;
                    }
                    if (!b.hasRemaining()) {
                        return -1;
                    }
                    int n = Math.min(len, b.remaining());
                    b.get(to, off, n);
                    return n;
                }

                @Override
                public int available() {
                    return b.remaining();
                }
            };
        }

        /** @return a copy of the stdin bytes */
        byte[] stdinBytes() {
            byte[] out = new byte[stdin.remaining()];
            stdin.duplicate().get(out);
            return out;
        }

        /**
         * The environment as the JVM would see it at start: entries without a {@code =} after the
         * first character are left out, and a later entry of a name wins.
         *
         * @return the environment
         */
        Map<String, String> envMap() {
            Map<String, String> m = new LinkedHashMap<>();
            for (String e : env) {
                int eq = e.indexOf('=', 1);
                if (eq > 0) {
                    m.put(e.substring(0, eq), e.substring(eq + 1));
                }
            }
            return Collections.unmodifiableMap(m);
        }
    }

    /** A request that breaks the protocol. */
    static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    /**
     * Reads one request.
     *
     * @param in the connection
     * @return the request
     * @throws IOException on EOF, an I/O error or a malformed request
     */
    static Request readRequest(ReadableByteChannel in) throws IOException {
        return readBody(in, readLength(in));
    }

    /**
     * Reads a request's head: the magic and the length of the rest.
     *
     * @param in the connection
     * @return the length of the rest, at most {@link #MAX_REQUEST}
     * @throws IOException on EOF, an I/O error, a bad magic or a length out of range
     */
    static int readLength(ReadableByteChannel in) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(8);
        readFully(in, head);
        head.flip();
        if (head.getInt() != MAGIC) {
            throw new ProtocolException("not a jcni-shim request of this version (bad magic)");
        }
        int len = head.getInt();
        if (len < 0 || len > MAX_REQUEST) {
            throw new ProtocolException("request too large: " + Integer.toUnsignedString(len) + " bytes");
        }
        return len;
    }

    /**
     * Reads the rest of a request into one buffer, which the request's stdin then views.
     *
     * @param in the connection
     * @param len the length {@link #readLength} gave
     * @return the request
     * @throws IOException on EOF, an I/O error or a malformed request
     */
    static Request readBody(ReadableByteChannel in, int len) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(len);
        readFully(in, body);
        body.flip();
        try {
            int pid = body.getInt();
            int umask = body.getInt();
            FileId net = new FileId(body.getLong(), body.getLong());
            FileId mnt = new FileId(body.getLong(), body.getLong());
            FileId user = new FileId(body.getLong(), body.getLong());
            FileId root = new FileId(body.getLong(), body.getLong());
            String distId = str(body);
            String plugin = str(body);
            String cwd = str(body);
            List<String> args = strs(body);
            List<String> env = strs(body);
            int n = length(body);
            ByteBuffer stdin = body.slice(body.position(), n).asReadOnlyBuffer();
            body.position(body.position() + n);
            if (body.hasRemaining()) {
                throw new ProtocolException("trailing bytes after the request");
            }
            return new Request(pid, umask, net, mnt, user, root, distId, plugin, cwd, args, env, stdin);
        } catch (java.nio.BufferUnderflowException e) {
            throw new ProtocolException("truncated request");
        }
    }

    private static List<String> strs(ByteBuffer b) throws ProtocolException {
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 4) {
            throw new ProtocolException("bad count " + n);
        }
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(str(b));
        }
        return List.copyOf(out);
    }

    private static String str(ByteBuffer b) throws ProtocolException {
        return new String(bytes(b), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) throws ProtocolException {
        byte[] out = new byte[length(b)];
        b.get(out);
        return out;
    }

    private static int length(ByteBuffer b) throws ProtocolException {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new ProtocolException("bad length " + n);
        }
        return n;
    }

    private static void readFully(ReadableByteChannel in, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (in.read(b) < 0) {
                throw new EOFException("the caller closed the connection");
            }
        }
    }

    /**
     * Writes one frame.
     *
     * @param out the connection
     * @param type the frame type
     * @param payload its bytes
     * @param off where they start
     * @param len how many
     * @throws IOException when the caller is gone
     */
    static void frame(WritableByteChannel out, byte type, byte[] payload, int off, int len) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).put(type).putInt(len).flip();
        ByteBuffer body = ByteBuffer.wrap(payload, off, len);
        if (out instanceof java.nio.channels.GatheringByteChannel g) {
            ByteBuffer[] both = {head, body};
            while (head.hasRemaining() || body.hasRemaining()) {
                g.write(both);
            }
            return;
        }
        while (head.hasRemaining()) {
            out.write(head);
        }
        while (body.hasRemaining()) {
            out.write(body);
        }
    }

    /**
     * Writes a frame without payload.
     *
     * @param out the connection
     * @param type the frame type
     * @throws IOException when the caller is gone
     */
    static void frame(WritableByteChannel out, byte type) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5).put(type).putInt(0).flip();
        while (head.hasRemaining()) {
            out.write(head);
        }
    }

    /**
     * Reads the shim's answer to a {@link #TURN} frame.
     *
     * @param in the connection
     * @return true for {@link #GO}; false for {@link #CANCEL}, anything else or EOF
     * @throws IOException on an I/O error
     */
    static boolean readGo(ReadableByteChannel in) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1);
        while (b.hasRemaining()) {
            if (in.read(b) < 0) {
                return false;
            }
        }
        return b.get(0) == GO;
    }

    /**
     * Writes a call's outcome in one write where the channel gathers: a {@link #STDERR} frame of
     * {@code stderr} and a {@link #STDOUT} frame of {@code stdout} (each only when not empty), then
     * the exit frame; the shim wakes once for all of them.
     *
     * @param out the connection
     * @param stderr the last stderr bytes (may be empty)
     * @param stdout the call's stdout (may be empty)
     * @param code the exit code
     * @throws IOException when the caller is gone
     */
    static void outcome(WritableByteChannel out, byte[] stderr, byte[] stdout, int code) throws IOException {
        ByteBuffer[] parts = new ByteBuffer[5];
        int n = 0;
        if (stderr.length > 0) {
            parts[n++] = ByteBuffer.allocate(5).put(STDERR).putInt(stderr.length).flip();
            parts[n++] = ByteBuffer.wrap(stderr);
        }
        if (stdout.length > 0) {
            parts[n++] = ByteBuffer.allocate(5).put(STDOUT).putInt(stdout.length).flip();
            parts[n++] = ByteBuffer.wrap(stdout);
        }
        parts[n++] = ByteBuffer.allocate(9).put(EXIT).putInt(4).putInt(code).flip();
        ByteBuffer last = parts[n - 1];
        if (out instanceof java.nio.channels.GatheringByteChannel g) {
            while (last.hasRemaining()) {
                g.write(parts, 0, n);
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            while (parts[i].hasRemaining()) {
                out.write(parts[i]);
            }
        }
    }
}
