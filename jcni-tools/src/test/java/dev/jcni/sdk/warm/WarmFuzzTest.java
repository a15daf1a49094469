package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testsupport.WarmDist;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The daemon's socket protocol fuzzed (issue 20): random bytes, truncated and mutated requests,
 * oversized lengths, slow and idle clients, 1,000 idle connections. Whatever comes, the daemon
 * runs no call without a go-ahead, ends every connection it cannot serve, and afterwards still
 * serves a normal call; its memory figures are printed (FIGURES lines), not asserted. One daemon
 * (the packaged one, -Xmx96m) on a socket of its own for the class. Needs root, like the other
 * warm-mode tests.
 */
class WarmFuzzTest {
    static final String PLUGIN = "warmtest";
    static Path dir;
    static WarmDist dist;
    static Path count;
    static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fuzz-watchdog");
        t.setDaemon(true);
        return t;
    });

    @BeforeContainer
    static void start() throws IOException {
        dir = Files.createTempDirectory("jcni-fuzz");
        count = dir.resolve("count");
        dist = WarmDist.create(dir.resolve("dist"), Map.of(PLUGIN, WarmTestPlugin.class.getName()), WarmDist.testClassPath());
        dist.startDaemon();
        System.out.println("FIGURES fuzz: daemon memory at start: " + DaemonMemory.of(dist.daemon().pid()));
    }

    @AfterContainer
    static void stop() throws IOException {
        try {
            assertTrue(dist.daemon().isAlive(), dist.daemonLog());
            System.out.println("FIGURES fuzz: daemon memory after the fuzz run: " + DaemonMemory.of(dist.daemon().pid()));
            assertFalse(Files.exists(count), "a fuzzed call ran");
            assertFalse(dist.daemonLog().contains("OutOfMemoryError"), dist.daemonLog());
            assertNormalCallServed();
        } finally {
            dist.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void assertNormalCallServed() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", "VERSION");
        env.put("JCNI_WARM_DEBUG", "1");
        WarmDist.Run r = dist.warm(PLUGIN, env, "{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8), dir);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(dist.servedWarm(r), r + dist.daemonLog());
    }

    /** A valid ADD request that appends to {@link #count} if it ever runs. */
    private static byte[] validRequest() throws IOException {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"count\":\"" + count + "\"}";
        return RawClient.request(dist.id(), PLUGIN, Path.of("").toAbsolutePath().toString(), List.of(), List.of("CNI_COMMAND=ADD", "CNI_CONTAINERID=fuzz",
                "CNI_NETNS=/run/netns/nowhere", "CNI_IFNAME=eth0", "PATH=/usr/bin:/bin"), conf.getBytes(StandardCharsets.UTF_8));
    }

    private static SocketChannel connect() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(dist.socket()));
    }

    /**
     * Sends bytes (a few KiB at most: the write does not block), then reads the daemon's frames
     * to EOF, answering a 'T' with a cancel.
     *
     * @param halfClose whether to end the sending side after the bytes (the daemon then sees EOF)
     * @return the frame types, then "EOF" when the daemon ended the connection
     */
    private static List<String> exchange(byte[] bytes, boolean halfClose) throws IOException {
        try (SocketChannel ch = connect()) {
            try {
                ch.write(ByteBuffer.wrap(bytes));
                if (halfClose) {
                    ch.shutdownOutput();
                }
            } catch (IOException e) {
                // the daemon closed first
            }
            return readToEnd(ch, true);
        }
    }

    private static List<String> readToEnd(SocketChannel ch) throws IOException {
        return readToEnd(ch, false);
    }

    /** Reads frames to EOF, answering each 'T' with a cancel when asked to (a watchdog closes the connection after 60 s). */
    private static List<String> readToEnd(SocketChannel ch, boolean cancelTurns) throws IOException {
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            try {
                ch.close();
            } catch (IOException e) {
                // closed
            }
        }, 60, TimeUnit.SECONDS);
        List<String> seen = new ArrayList<>();
        try {
            for (;;) {
                Optional<RawClient.Frame> f;
                try {
                    f = RawClient.read(ch);
                } catch (IOException e) {
                    f = Optional.empty();
                }
                if (f.isEmpty()) {
                    seen.add(ch.isOpen() ? "EOF" : "watchdog");
                    return seen;
                }
                seen.add(String.valueOf(f.get().type()));
                if (cancelTurns && f.get().type() == 'T') {
                    try {
                        ch.write(ByteBuffer.wrap(new byte[] {Wire.CANCEL}));
                    } catch (IOException e) {
                        // gone
                    }
                }
            }
        } finally {
            watchdog.cancel(false);
        }
    }

    @Property(tries = 300)
    void randomBytesAreNeverRun(@ForAll @Size(max = 4096) byte[] bytes, @ForAll boolean withMagic) throws IOException {
        byte[] b = bytes;
        if (withMagic) {
            b = ByteBuffer.allocate(4 + bytes.length).putInt(Wire.MAGIC).put(bytes).array();
        }
        List<String> seen = exchange(b, true);
        assertEquals("EOF", seen.get(seen.size() - 1), seen.toString());
        assertTrue(seen.stream().allMatch(t -> t.equals("R") || t.equals("EOF")), seen.toString());
    }

    @Property(tries = 150)
    void truncatedRequestsAreNeverAnswered(@ForAll @IntRange(min = 0, max = 100_000) int cut) throws IOException {
        byte[] valid = validRequest();
        byte[] prefix = java.util.Arrays.copyOf(valid, cut % valid.length);
        assertEquals(List.of("EOF"), exchange(prefix, true));
    }

    @Property(tries = 150)
    void mutatedRequestsRunNothingWithoutAGoAhead(@ForAll @Size(min = 1, max = 6) List<@IntRange(min = 0, max = 100_000) Integer> at,
                                                   @ForAll byte value) throws IOException {
        byte[] b = validRequest();
        for (int i : at) {
            b[i % b.length] = value;
        }
        List<String> seen = exchange(b, false);
        assertEquals("EOF", seen.get(seen.size() - 1), seen.toString());
        assertFalse(seen.contains("S"), "started without a go-ahead: " + seen);
    }

    @Example
    void oversizedLengthsAreRefusedAtOnce() throws IOException {
        for (int len : new int[] {Wire.MAX_REQUEST + 1, Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
            byte[] head = ByteBuffer.allocate(8).putInt(Wire.MAGIC).putInt(len).array();
            // the sending side stays open: the daemon must end the connection by itself
            assertEquals(List.of("EOF"), exchange(head, false), "length " + Integer.toUnsignedString(len));
        }
        // a request of the largest size announced, then nothing: cut off after the request timeout
        byte[] head = ByteBuffer.allocate(8).putInt(Wire.MAGIC).putInt(Wire.MAX_REQUEST).array();
        assertEquals(List.of("EOF"), exchange(head, false));
        assertNormalCallServed();
    }

    @Example
    void slowClientsAreServedOrCutOff() throws Exception {
        // byte by byte, one write each: served
        byte[] version = RawClient.request(dist.id(), PLUGIN, Path.of("").toAbsolutePath().toString(), List.of(), List.of("CNI_COMMAND=VERSION"), new byte[0]);
        try (SocketChannel ch = connect()) {
            for (byte x : version) {
                ch.write(ByteBuffer.wrap(new byte[] {x}));
            }
            List<RawClient.Frame> frames = RawClient.handOver(ch, new byte[0]);
            assertEquals("TSOX", frames.stream().map(f -> String.valueOf(f.type())).reduce("", String::concat));
        }
        // a byte every 100 ms: the daemon ends the connection before the request is complete
        try (SocketChannel ch = connect()) {
            int sent = 0;
            try {
                for (byte x : validRequest()) {
                    ch.write(ByteBuffer.wrap(new byte[] {x}));
                    sent++;
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                // cut off
            }
            System.out.println("FIGURES fuzz: a client sending a byte every 100 ms was cut off after " + sent + " bytes");
            assertTrue(sent < validRequest().length, "cut off before the end");
            assertEquals(Optional.empty(), RawClient.read(ch).map(RawClient.Frame::type));
        }
        assertNormalCallServed();
    }

    @Example
    void idleClientsAreCutOff() throws IOException {
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                idle.add(connect());
            }
            for (SocketChannel ch : idle) {
                assertEquals(List.of("EOF"), readToEnd(ch), "the daemon ends an idle connection");
            }
        } finally {
            for (SocketChannel ch : idle) {
                ch.close();
            }
        }
        assertNormalCallServed();
    }

    @Example
    void aThousandIdleConnectionsAtOnce() throws IOException {
        long pid = dist.daemon().pid();
        String before = DaemonMemory.of(pid);
        List<SocketChannel> idle = new ArrayList<>();
        String during;
        try {
            for (int i = 0; i < 1000; i++) {
                idle.add(connect());
            }
            during = DaemonMemory.of(pid);
            // each ends: cut off after the request timeout, or refused at once beyond --max-sessions
            long refused = 0;
            for (SocketChannel ch : idle) {
                List<String> seen = readToEnd(ch);
                assertTrue(seen.equals(List.of("EOF")) || seen.equals(List.of("R", "EOF")), seen.toString());
                refused += seen.size() - 1;
            }
            System.out.println("FIGURES fuzz: of 1,000 idle connections " + refused + " were refused at once (the rest cut off)");
        } finally {
            for (SocketChannel ch : idle) {
                ch.close();
            }
        }
        assertNormalCallServed();
        System.out.println("FIGURES fuzz: 1,000 idle connections: daemon memory before " + before + ", with them open "
                + during + ", after " + DaemonMemory.of(pid));
    }
}
