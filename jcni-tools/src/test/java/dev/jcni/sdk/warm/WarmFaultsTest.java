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
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm mode when things go wrong: the daemon killed mid-call, absent or stale, a non-root caller,
 * a caller killed mid-call, the daemon restarted while calls arrive. Each test has a daemon of
 * its own.
 */
@KernelTest
class WarmFaultsTest {
    static final String PLUGIN = "warmtest";

    @TempDir
    Path dir;
    WarmDist dist;

    @BeforeEach
    void start() {
        dist = WarmDist.create(dir.resolve("dist"), Map.of(PLUGIN, WarmTestPlugin.class.getName()), WarmDist.testClassPath());
        dist.startDaemon();
    }

    @AfterEach
    void stop() {
        dist.close();
    }

    static byte[] conf(String extra) {
        return ("{\"cniVersion\":\"1.0.0\",\"name\":\"net\"" + extra + "}").getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> env(String command, String containerId) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        m.put("CNI_COMMAND", command);
        m.put("CNI_CONTAINERID", containerId);
        m.put("CNI_NETNS", "/run/netns/nowhere");
        m.put("CNI_IFNAME", "eth0");
        m.put("JCNI_WARM_DEBUG", "1");
        m.put("JCNI_WARM_PATIENCE_MS", "10000");
        return m;
    }

    /** Starts a warm call without waiting for it. */
    private Process startWarm(Map<String, String> env, byte[] stdin) throws IOException {
        return dist.start(PLUGIN, env, stdin, dir);
    }

    private static void awaitFile(Path p) throws InterruptedException {
        WarmDist.awaitFile(p);
    }

    @Test
    void daemonKilledMidCallLeavesTheCallerWithAnErrorJson() throws Exception {
        Path record = dir.resolve("killed");
        Process call = startWarm(env("ADD", "k1"), conf(",\"record\":\"" + record + "\",\"sleepMs\":20000"));
        awaitFile(Path.of(record + ".started"));
        long t0 = System.nanoTime();
        dist.killDaemon();
        assertTrue(call.waitFor(10, TimeUnit.SECONDS), "the caller does not hang on a dead daemon");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String out = new String(call.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, call.exitValue(), out);
        CniException e = CniException.fromJson(out.getBytes(StandardCharsets.UTF_8));
        assertEquals(999, e.code());
        assertTrue(e.msg().contains("warm-mode daemon died mid-call"), e.msg());
        assertTrue(ms < 5000, "answered " + ms + " ms after the kill");
        assertFalse(Files.exists(Path.of(record + ".finished")));
    }

    @Test
    void daemonAbsentOrStaleMeansCold() throws Exception {
        Run cold = dist.cold(PLUGIN, env("ADD", "a1"), conf(""), dir);
        assertEquals(0, cold.exitCode(), cold.toString());

        // killed: the socket file stays, nobody listens
        dist.killDaemon();
        assertTrue(Files.exists(dist.socket()));
        Run stale = dist.warm(PLUGIN, env("ADD", "a1"), conf(""), dir);
        assertEquals(0, stale.exitCode(), stale.toString());
        assertArrayEquals(cold.stdout(), stale.stdout());
        assertEquals("jcni-shim: going cold: the daemon is not listening\n", stale.err());

        // no socket at all: the launcher does not even run the shim
        Files.delete(dist.socket());
        Run absent = dist.warm(PLUGIN, env("ADD", "a1"), conf(""), dir);
        assertEquals(0, absent.exitCode(), absent.toString());
        assertArrayEquals(cold.stdout(), absent.stdout());
        assertEquals("", absent.err());

        // a new daemon replaces the stale socket and serves again
        dist.startDaemon();
        long served = dist.servedCalls();
        Run warm = dist.warm(PLUGIN, env("ADD", "a1"), conf(""), dir);
        assertArrayEquals(cold.stdout(), warm.stdout());
        assertTrue(dist.servedWarm(warm), warm.toString());
        assertEquals(served + 1, dist.servedCalls());
    }

    @Test
    void aNonRootCallerCannotSubmit() throws Exception {
        long served = dist.servedCalls();
        for (Path p : List.of(dir, dist.dir(), dist.dir().resolve("lib"))) {
            // nobody may run the shim
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
        }
        // through the shim: the root-only /run/jcni keeps it out, the call goes cold
        Run r = WarmDist.exec(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                dist.shim().toString(), dist.socket().toString(), dist.id(), PLUGIN, "/bin/true"),
                env("VERSION", ""), new byte[0], Path.of("/"));
        assertTrue(r.err().contains("jcni-shim: going cold: the socket or its directory is not root's alone"), r.toString());

        // straight to a socket others can reach: the daemon checks SO_PEERCRED
        dist.stopDaemon();
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
        Path open = run.resolve("open.sock");
        dist.startDaemon("--socket", open.toString());
        served = dist.servedCalls();
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-rw-rw-"));
        String cp = RawClient.class.getProtectionDomain().getCodeSource().getLocation().getPath() + ":"
                + Wire.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Kernel.ExecResult asNobody = Kernel.exec("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                java, "-XX:-UsePerfData", "-cp", cp, RawClient.class.getName(), open.toString(), dist.id(), PLUGIN);
        assertEquals("R:the caller is not root", asNobody.stdout().trim(), asNobody.stderr());
        Kernel.ExecResult asRoot = Kernel.exec(java, "-cp", cp, RawClient.class.getName(), open.toString(), dist.id(), PLUGIN);
        assertEquals("S", asRoot.stdout().trim(), asRoot.stderr());
        assertEquals(served + 1, dist.servedCalls(), "only root's call was served");
    }

    @Test
    void aCallerKilledMidCallDoesNotLeaveTheDaemonStuck() throws Exception {
        Path record = dir.resolve("abandoned");
        byte[] slow = conf(",\"record\":\"" + record + "\",\"sleepMs\":30000");
        Process call = startWarm(env("ADD", "k2"), slow);
        awaitFile(Path.of(record + ".started"));
        call.destroyForcibly().waitFor();
        awaitFile(Path.of(record + ".interrupted"));
        assertFalse(Files.exists(Path.of(record + ".finished")));
        // the runtime's DEL after its timeout: served, after the abandoned ADD ended
        Run del = dist.warm(PLUGIN, env("DEL", "k2"), conf(",\"record\":\"" + record + "\""), dir);
        assertEquals(0, del.exitCode(), del.toString());
        assertEquals("", del.err());
        assertTrue(dist.servedWarm(del), del.toString());
        assertTrue(Files.exists(Path.of(record + ".del")));
        assertTrue(dist.daemonLog().contains("of a call went away"), dist.daemonLog());
        // and everything else goes on
        Run next = dist.warm(PLUGIN, env("ADD", "k3"), conf(""), dir);
        assertEquals(0, next.exitCode(), next.toString());
        assertEquals("", next.err());
        assertTrue(dist.servedWarm(next), next.toString());
    }

    @Test
    void aCallOfAContainerWaitsForItsAbandonedPredecessor() throws Exception {
        Path record = dir.resolve("slow");
        Process call = startWarm(env("ADD", "k4"), conf(",\"record\":\"" + record + "\",\"sleepMs\":1500"));
        awaitFile(Path.of(record + ".started"));
        Run del = dist.warm(PLUGIN, env("DEL", "k4"), conf(",\"record\":\"" + record + "\""), dir);
        assertEquals(0, del.exitCode(), del.toString());
        assertTrue(dist.servedWarm(del), del.toString());
        assertTrue(Files.exists(Path.of(record + ".finished")), "DEL ran after the ADD of the same container ended");
        assertEquals(0, call.waitFor());
    }

    @Test
    void theDaemonRestartedWhileCallsArriveLosesNoCall() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger coldCalls = new AtomicInteger();
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            int worker = t;
            Thread th = new Thread(() -> {
                for (int i = 0; running.get(); i++) {
                    Run r = dist.warm(PLUGIN, env("ADD", "r" + worker + "-" + i), conf(""), dir);
                    calls.incrementAndGet();
                    if (!r.err().isEmpty()) {
                        coldCalls.incrementAndGet();
                    }
                    try {
                        if (r.exitCode() != 0) {
                            throw new AssertionError("exit " + r.exitCode());
                        }
                        Result.fromJson(r.stdout());
                    } catch (RuntimeException | AssertionError e) {
                        failures.add(r + " " + e);
                    }
                }
            });
            th.start();
            callers.add(th);
        }
        Thread.sleep(1500);
        // a call in flight when the stop comes finishes
        Path record = dir.resolve("inflight");
        Process inflight = startWarm(env("ADD", "inflight"), conf(",\"record\":\"" + record + "\",\"sleepMs\":2000"));
        awaitFile(Path.of(record + ".started"));
        dist.stopDaemon();
        assertFalse(Files.exists(dist.socket()), "a graceful stop removes the socket");
        assertEquals(0, inflight.waitFor(), new String(inflight.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        assertTrue(Files.exists(Path.of(record + ".finished")));
        Thread.sleep(1000);
        dist.startDaemon();
        Thread.sleep(1500);
        running.set(false);
        for (Thread th : callers) {
            th.join();
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + calls + " calls failed (" + coldCalls
                + " went cold): " + failures.peek());
        assertTrue(calls.get() > 10, calls + " calls");
        assertTrue(dist.daemonLog().contains("stopping: socket removed"), dist.daemonLog());
    }
}
