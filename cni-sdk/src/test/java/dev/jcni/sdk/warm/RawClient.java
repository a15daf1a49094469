package dev.jcni.sdk.warm;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A hand-over client in Java (the shim's request, encoded the same way) for tests that need what
 * the shim refuses to do, such as connecting as a non-root user to a socket others can reach.
 * {@code main(socket, distId, plugin[, pid])} sends a VERSION call (claiming to be the given pid,
 * else its own), gives the go-ahead when the daemon offers the start, and prints what came:
 * {@code S} (started) or {@code R:<reason>}, or {@code EOF}.
 */
public final class RawClient {
    private RawClient() {
    }

    /**
     * Encodes a request as jcni-shim does, with this process's namespaces and root.
     *
     * @return the bytes
     */
    static byte[] request(String distId, String plugin, String cwd, List<String> args, List<String> env, byte[] stdin)
            throws IOException {
        return request(ProcessHandle.current().pid(), distId, plugin, cwd, args, env, stdin);
    }

    /**
     * Encodes a request as jcni-shim does, with this process's namespaces and root, and a pid.
     *
     * @return the bytes
     */
    static byte[] request(long pid, String distId, String plugin, String cwd, List<String> args, List<String> env,
                          byte[] stdin) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(body);
        d.writeInt((int) pid);
        d.writeInt(umask());
        for (String p : List.of("/proc/self/ns/net", "/proc/self/ns/mnt", "/proc/self/ns/user", "/")) {
            Map<String, Object> a = Files.readAttributes(Path.of(p), "unix:dev,ino");
            d.writeLong(((Number) a.get("dev")).longValue());
            d.writeLong(((Number) a.get("ino")).longValue());
        }
        str(d, distId.getBytes(StandardCharsets.UTF_8));
        str(d, plugin.getBytes(StandardCharsets.UTF_8));
        str(d, cwd.getBytes(StandardCharsets.UTF_8));
        d.writeInt(args.size());
        for (String a : args) {
            str(d, a.getBytes(StandardCharsets.UTF_8));
        }
        d.writeInt(env.size());
        for (String e : env) {
            str(d, e.getBytes(StandardCharsets.UTF_8));
        }
        str(d, stdin);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(all);
        h.writeInt(Wire.MAGIC);
        h.writeInt(body.size());
        body.writeTo(all);
        return all.toByteArray();
    }

    private static void str(DataOutputStream d, byte[] b) throws IOException {
        d.writeInt(b.length);
        d.write(b);
    }

    private static int umask() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        return 022;
    }

    /** One reply frame. */
    record Frame(char type, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /**
     * Reads one frame.
     *
     * @return the frame, or empty at EOF
     */
    static java.util.Optional<Frame> read(SocketChannel ch) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(5);
        while (head.hasRemaining() && ch.read(head) >= 0) {
            // fill
        }
        if (head.hasRemaining()) {
            return java.util.Optional.empty();
        }
        head.flip();
        char type = (char) head.get();
        ByteBuffer payload = ByteBuffer.allocate(head.getInt());
        while (payload.hasRemaining() && ch.read(payload) >= 0) {
            // fill
        }
        if (payload.hasRemaining()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Frame(type, payload.array()));
    }

    /**
     * Hands a request over as the shim does: waits through 'W' frames, answers 'T' with 'G'.
     *
     * @return the frames after the request (the 'T' included), up to EOF or an 'X'
     */
    static List<Frame> handOver(SocketChannel ch, byte[] request) throws IOException {
        ch.write(ByteBuffer.wrap(request));
        List<Frame> frames = new java.util.ArrayList<>();
        for (java.util.Optional<Frame> f = read(ch); f.isPresent(); f = read(ch)) {
            frames.add(f.get());
            if (f.get().type() == 'T') {
                ch.write(ByteBuffer.wrap(new byte[] {Wire.GO}));
            }
            if (f.get().type() == 'X' || f.get().type() == 'R') {
                break;
            }
        }
        return frames;
    }

    /**
     * Sends a VERSION call; prints the daemon's first reply other than 'W' ('R:reason', or 'EOF'),
     * and after a 'T' (answered with 'G') the reply to the go-ahead ('S').
     *
     * @param args socket, dist id, plugin
     */
    public static void main(String[] args) throws IOException {
        long pid = args.length > 3 ? Long.parseLong(args[3]) : ProcessHandle.current().pid();
        byte[] req = request(pid, args[1], args[2], Path.of("").toAbsolutePath().toString(), List.of(),
                List.of("CNI_COMMAND=VERSION"), new byte[0]);
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(args[0]))) {
            List<Frame> frames = handOver(ch, req).stream().filter(f -> f.type() != 'W' && f.type() != 'T').toList();
            if (frames.isEmpty()) {
                System.out.println("EOF");
                return;
            }
            Frame first = frames.get(0);
            System.out.println(first.type() == 'R' ? "R:" + first.text() : String.valueOf(first.type()));
        }
    }
}
