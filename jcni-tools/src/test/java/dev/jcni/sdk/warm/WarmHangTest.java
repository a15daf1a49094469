package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.testsupport.WarmDist.Run;
import dev.jcni.sdk.types.CniException;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm mode when the daemon is slow, wedged or crowded (issue 20): a stopped daemon costs a
 * bounded wait and the call runs cold, once; a call abandoned before its go-ahead never runs; a
 * waiting call stops waiting when its caller goes away, and waits at most {@code --turn-timeout};
 * a served call is counted before its answer is sent; a failing accept does not spin; large
 * requests do not exhaust the daemon's heap. One distribution for the class, a daemon per test.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmHangTest {
    static final String PLUGIN = "warmtest";

    @TempDir
    static Path dir;
    WarmDist dist;

    @BeforeAll
    void create() {
        dist = WarmDist.create(dir.resolve("dist"), Map.of(PLUGIN, WarmTestPlugin.class.getName()), WarmDist.testClassPath());
    }

    @AfterEach
    void stopDaemon() {
        if (dist.daemon() != null && dist.daemon().isAlive()) {
            Kernel.exec("kill", "-CONT", String.valueOf(dist.daemon().pid()));
        }
        dist.stopDaemon();
    }

    @AfterAll
    void close() {
        if (dist != null) {
            dist.close();
        }
    }

    private static byte[] conf(String extra) {
        return WarmFaultsTest.conf(extra);
    }

    private static Map<String, String> env(String command, String containerId) {
        return WarmFaultsTest.env(command, containerId);
    }

    private byte[] request(Map<String, String> env, byte[] stdin) throws IOException {
        List<String> e = new ArrayList<>();
        env.forEach((k, v) -> e.add(k + "=" + v));
        return RawClient.request(dist.id(), PLUGIN, Path.of("").toAbsolutePath().toString(), List.of(), e, stdin);
    }

    private SocketChannel connect() throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(dist.socket()));
    }

    /** Reads frames up to the first that is not a 'W'. */
    private static Optional<RawClient.Frame> firstAnswer(SocketChannel ch) throws IOException {
        Optional<RawClient.Frame> f = RawClient.read(ch);
        while (f.isPresent() && f.get().type() == 'W') {
            f = RawClient.read(ch);
        }
        return f;
    }

    /** Starts a warm call without waiting for it. */
    private Process startWarm(Map<String, String> env, byte[] stdin) throws IOException {
        return dist.start(PLUGIN, env, stdin, dir);
    }

    private static void awaitFile(Path p) throws InterruptedException {
        WarmDist.awaitFile(p);
    }

    private static List<String> lines(Path p) throws IOException {
        return Files.exists(p) ? Files.readAllLines(p) : List.of();
    }

    private long logLines(String text) {
        return dist.daemonLog().lines().filter(l -> l.contains(text)).count();
    }

    private boolean awaitLogLines(String text, long n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (logLines(text) < n) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    @Test
    void aStoppedDaemonCostsABoundedWaitAndTheCallRunsColdOnce() throws Exception {
        dist.startDaemon();
        Path count = dir.resolve("count-stopped");
        byte[] conf = conf(",\"count\":\"" + count + "\"");
        Map<String, String> version = env("VERSION", "");
        Map<String, String> add = env("ADD", "st1");
        // the shim's own patience (500 ms), not the tests' 10 s
        version.put("JCNI_WARM_PATIENCE_MS", "");
        add.put("JCNI_WARM_PATIENCE_MS", "");
        long t0 = System.nanoTime();
        Run coldVersion = dist.cold(PLUGIN, version, conf, dir);
        long coldMs = (System.nanoTime() - t0) / 1_000_000;
        Run warmVersion = dist.warm(PLUGIN, version, conf, dir);
        assertTrue(dist.servedWarm(warmVersion), warmVersion.toString());
        long served = dist.servedCalls();

        String pid = String.valueOf(dist.daemon().pid());
        Kernel.exec("kill", "-STOP", pid);
        long versionMs;
        long addMs;
        Run v;
        Run a;
        try {
            t0 = System.nanoTime();
            v = dist.warm(PLUGIN, version, conf, dir);
            versionMs = (System.nanoTime() - t0) / 1_000_000;
            t0 = System.nanoTime();
            a = dist.warm(PLUGIN, add, conf, dir);
            addMs = (System.nanoTime() - t0) / 1_000_000;
        } finally {
            Kernel.exec("kill", "-CONT", pid);
        }
        System.out.println("FIGURES stopped daemon: CNI_COMMAND=VERSION answered cold in " + versionMs + " ms, ADD in "
                + addMs + " ms; a cold VERSION alone takes " + coldMs + " ms");
        assertEquals(0, v.exitCode(), v.toString());
        assertArrayEquals(coldVersion.stdout(), v.stdout(), v.toString());
        assertEquals("jcni-shim: going cold: the daemon did not answer in time\n", v.err());
        assertEquals(0, a.exitCode(), a.toString());
        assertEquals("jcni-shim: going cold: the daemon did not answer in time\n", a.err());
        assertEquals(List.of("st1"), lines(count), "the cold ADD ran");

        // resumed, the daemon reads both requests, offers their start, and finds their callers gone
        assertTrue(awaitLogLines("no go-ahead", 2), dist.daemonLog());
        assertEquals(served, dist.servedCalls(), "the daemon ran neither call");
        assertEquals(List.of("st1"), lines(count), "the ADD ran once, cold");
        Run next = dist.warm(PLUGIN, env("ADD", "st2"), conf, dir);
        assertTrue(dist.servedWarm(next), next.toString());
        assertEquals(List.of("st1", "st2"), lines(count));
    }

    @Test
    void aCallAbandonedBeforeItsGoAheadNeverRuns() throws Exception {
        dist.startDaemon();
        Path count = dir.resolve("count-abandoned");
        byte[] conf = conf(",\"count\":\"" + count + "\"");
        // the shim's timer fires as the turn arrives: it closes instead of answering
        try (SocketChannel ch = connect()) {
            ch.write(ByteBuffer.wrap(request(env("ADD", "ab1"), conf)));
            assertEquals('T', firstAnswer(ch).orElseThrow().type());
        }
        // a go-ahead that comes after the daemon stopped waiting for it: no start, and the caller sees it
        try (SocketChannel ch = connect()) {
            ch.write(ByteBuffer.wrap(request(env("ADD", "ab2"), conf)));
            assertEquals('T', firstAnswer(ch).orElseThrow().type());
            assertTrue(awaitLogLines("no go-ahead", 1), dist.daemonLog());
            Thread.sleep(Daemon.GO_TIMEOUT_MILLIS + 3_000);
            try {
                ch.write(ByteBuffer.wrap(new byte[] {Wire.GO}));
            } catch (IOException e) {
                // closed already: the same for the caller, no start
            }
            assertEquals(Optional.empty(), RawClient.read(ch).map(RawClient.Frame::type), "no 'S' after a late 'G'");
        }
        assertTrue(awaitLogLines("no go-ahead", 2), dist.daemonLog());
        Run r = dist.warm(PLUGIN, env("ADD", "ab1"), conf, dir);
        assertTrue(dist.servedWarm(r), r.toString());
        assertEquals(List.of("ab1"), lines(count), "only the call that said go ran");
    }

    @Test
    void aWaitingCallWhoseCallerLeavesStopsWaitingAndNeverRuns() throws Exception {
        dist.startDaemon();
        Path count = dir.resolve("count-waiting");
        Path record = dir.resolve("holder");
        Process holder = startWarm(env("ADD", "w1"), conf(",\"record\":\"" + record + "\",\"sleepMs\":60000,\"count\":\""
                + count + "\""));
        try {
            awaitFile(Path.of(record + ".started"));
            try (SocketChannel ch = connect()) {
                ch.write(ByteBuffer.wrap(request(env("ADD", "w1"), conf(",\"count\":\"" + count + "\""))));
                assertEquals('W', RawClient.read(ch).orElseThrow().type(), "the daemon says the call waits");
                assertEquals('W', RawClient.read(ch).orElseThrow().type(), "and says it again while it waits");
            }
            // the holder still runs: only the caller's leaving ends the wait
            assertTrue(dist.daemonLogShows("went away while its call waited"), dist.daemonLog());
            assertTrue(holder.isAlive());
        } finally {
            holder.destroyForcibly().waitFor();
        }
        awaitFile(Path.of(record + ".interrupted"));
        Run del = dist.warm(PLUGIN, env("DEL", "w1"), conf(""), dir);
        assertTrue(dist.servedWarm(del), del.toString());
        assertEquals(List.of("w1"), lines(count), "only the holder's ADD ran");
    }

    @Test
    void aCallWaitsForItsTurnAtMostTheTurnTimeout() throws Exception {
        dist.startDaemon("--turn-timeout", "1");
        Path count = dir.resolve("count-turn");
        Path record = dir.resolve("busy");
        Process holder = startWarm(env("ADD", "t1"), conf(",\"record\":\"" + record + "\",\"sleepMs\":60000"));
        try {
            awaitFile(Path.of(record + ".started"));
            // the same container: a cold run would run beside the earlier call; "try again later"
            byte[] conf04 = "{\"cniVersion\":\"0.4.0\",\"name\":\"net\",\"count\":\"COUNT\"}".replace("COUNT", count.toString())
                    .getBytes(StandardCharsets.UTF_8);
            Run r = dist.warm(PLUGIN, env("ADD", "t1"), conf04, dir);
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(dist.servedWarm(r), r.toString());
            CniException e = CniException.fromJson(r.stdout());
            assertEquals(11, e.code(), r.toString());
            assertTrue(e.msg().contains("an earlier call of the same container is still running"), e.msg());
            assertTrue(r.out().contains("\"cniVersion\": \"0.4.0\""), r.out());
            assertEquals(List.of(), lines(count), "the call did not run");
        } finally {
            holder.destroyForcibly().waitFor();
        }
        dist.stopDaemon();

        // no permit in time: refused, the call runs cold
        dist.startDaemon("--turn-timeout", "1", "--max-calls", "1");
        holder = startWarm(env("ADD", "p1"), conf(",\"record\":\"" + record + "-2\",\"sleepMs\":60000"));
        try {
            awaitFile(Path.of(record + "-2.started"));
            Run r = dist.warm(PLUGIN, env("ADD", "p2"), conf(",\"count\":\"" + count + "\""), dir);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.err().startsWith("jcni-shim: going cold: the daemon refused the call: the daemon is busy"), r.toString());
            assertFalse(dist.servedWarm(r), r.toString());
            assertEquals(List.of("p2"), lines(count), "run once, cold");
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    @Test
    void aServedCallIsCountedBeforeItsAnswerIsSent() throws Exception {
        dist.startDaemon();
        // an answer far larger than the socket's buffer: the daemon is stuck sending it until we read
        String big = "x".repeat(2 << 20);
        byte[] conf = conf(",\"bigError\":\"" + big + "\"");
        long before = dist.servedCalls();
        try (SocketChannel ch = connect()) {
            ch.write(ByteBuffer.wrap(request(env("ADD", "big1"), conf)));
            assertEquals('T', firstAnswer(ch).orElseThrow().type());
            ch.write(ByteBuffer.wrap(new byte[] {Wire.GO}));
            assertEquals('S', RawClient.read(ch).orElseThrow().type());
            ByteBuffer head = ByteBuffer.allocate(5);
            for (;;) {
                head.clear();
                while (head.hasRemaining()) {
                    if (ch.read(head) < 0) {
                        throw new AssertionError("EOF");
                    }
                }
                head.flip();
                if (head.get(0) != 'E') {
                    break;
                }
                ByteBuffer skip = ByteBuffer.allocate(head.getInt(1));
                while (skip.hasRemaining() && ch.read(skip) >= 0) {
                    // stderr
                }
            }
            assertEquals('O', (char) head.get(0));
            assertTrue(head.getInt(1) > big.length());
            // the daemon is still writing the stdout frame: the call must be counted already
            assertEquals(before + 1, dist.servedCalls(), dist.daemonLog());
            ByteBuffer rest = ByteBuffer.allocate(head.getInt(1));
            while (rest.hasRemaining() && ch.read(rest) >= 0) {
                // the error JSON
            }
            RawClient.Frame exit = RawClient.read(ch).orElseThrow();
            assertEquals('X', exit.type());
            assertEquals(1, ByteBuffer.wrap(exit.payload()).getInt());
        }
    }

    @Test
    void aFailingAcceptPausesInsteadOfSpinning() throws Exception {
        dist.startDaemon();
        String pid = String.valueOf(dist.daemon().pid());
        String limits = Kernel.exec("prlimit", "--pid", pid, "--nofile", "--raw", "--noheadings", "--output", "SOFT,HARD")
                .stdout().trim();
        String[] softHard = limits.split("\\s+");
        long open;
        try (Stream<Path> fds = Files.list(Path.of("/proc", pid, "fd"))) {
            open = fds.count();
        }
        List<SocketChannel> clients = new ArrayList<>();
        long failures;
        try {
            Kernel.ExecResult set = Kernel.exec("prlimit", "--pid", pid, "--nofile=" + (open + 2) + ":" + softHard[1]);
            assertEquals(0, set.exitCode(), set.stderr());
            for (int i = 0; i < 8; i++) {
                clients.add(connect());
            }
            assertTrue(dist.daemonLogShows("accept failed"), "accept fails: out of descriptors");
            Thread.sleep(2_000);
            failures = logLines("accept failed");
        } finally {
            Kernel.exec("prlimit", "--pid", pid, "--nofile=" + softHard[0] + ":" + softHard[1]);
            for (SocketChannel c : clients) {
                c.close();
            }
        }
        System.out.println("FIGURES accept failed " + failures + " times in about 2 s without descriptors");
        // without a pause, thousands of failures a second
        assertTrue(failures < 40, failures + " failing accepts");
        Run r = dist.warm(PLUGIN, env("VERSION", ""), conf(""), dir);
        assertTrue(dist.servedWarm(r), r.toString() + dist.daemonLog());
    }

    @Test
    void largeRequestsAtOnceAreBounded() throws Exception {
        dist.startDaemon();
        long pid = dist.daemon().pid();
        String before = DaemonMemory.of(pid);
        byte[] big = conf(",\"pad\":\"" + "y".repeat(3 << 20) + "\"");
        byte[] req = request(env("VERSION", ""), big);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<String> outcomes = new ArrayList<>();
        try {
            List<Future<String>> f = new ArrayList<>();
            // each sends all but its last byte, so that all six are in flight at once, then the rest
            java.util.concurrent.CyclicBarrier inFlight = new java.util.concurrent.CyclicBarrier(6);
            for (int i = 0; i < 6; i++) {
                f.add(pool.submit(() -> {
                    try (SocketChannel ch = connect()) {
                        boolean refused = false;
                        try {
                            ch.write(ByteBuffer.wrap(req, 0, req.length - 1));
                        } catch (IOException e) {
                            refused = true;
                        }
                        inFlight.await(120, TimeUnit.SECONDS);
                        if (refused) {
                            return "refused unread";
                        }
                        List<RawClient.Frame> frames;
                        try {
                            frames = RawClient.handOver(ch, new byte[] {req[req.length - 1]});
                        } catch (IOException e) {
                            return "refused unread";
                        }
                        String types = frames.stream().map(fr -> String.valueOf(fr.type())).reduce("", String::concat);
                        if (types.endsWith("R")) {
                            return "refused: " + frames.get(frames.size() - 1).text();
                        }
                        return types.isEmpty() ? "refused unread" : types;
                    }
                }));
            }
            for (Future<String> r : f) {
                outcomes.add(r.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        String after = DaemonMemory.of(pid);
        System.out.println("FIGURES 6 requests of 3 MiB at once: " + outcomes + "; daemon memory before " + before
                + ", after " + after);
        for (String o : outcomes) {
            assertTrue(o.equals("refused unread") || o.equals("refused: too many request bytes in flight") || o.matches("TSE*O?X"),
                    outcomes.toString());
        }
        assertTrue(outcomes.stream().anyMatch(o -> o.startsWith("TS")), "one at least was served: " + outcomes);
        assertTrue(outcomes.stream().filter(o -> o.startsWith("refused")).count() >= 4,
                "8 MiB of requests in flight at most: two of 3 MiB " + outcomes);
        // and a request of the largest size, alone, is served
        byte[] largest = request(env("VERSION", ""), conf(",\"pad\":\"" + "z".repeat(Wire.MAX_REQUEST - (64 << 10)) + "\""));
        try (SocketChannel ch = connect()) {
            List<RawClient.Frame> frames = RawClient.handOver(ch, largest);
            assertEquals("TSOX", frames.stream().map(fr -> String.valueOf(fr.type())).reduce("", String::concat));
        }
        System.out.println("FIGURES a request of " + largest.length + " bytes served; daemon memory after it "
                + DaemonMemory.of(pid));
        assertFalse(dist.daemonLog().contains("OutOfMemoryError"), dist.daemonLog());
        Run r = dist.warm(PLUGIN, env("VERSION", ""), conf(""), dir);
        assertTrue(dist.servedWarm(r), r.toString());
    }
}
