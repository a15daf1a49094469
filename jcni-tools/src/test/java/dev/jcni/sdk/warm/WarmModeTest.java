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
import dev.jcni.sdk.version.SpecVersions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm mode end to end, through launchers of the contract's shape, jcni-shim (compiled here with
 * gcc) and the daemon in a JVM of its own: the runtime cannot tell a warm call from a cold one
 * except by time. Root: the rendezvous is root-only.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmModeTest {
    static final String PLUGIN = "warmtest";
    static final String MAIN = WarmTestPlugin.class.getName();

    @TempDir
    static Path dir;
    WarmDist dist;

    @BeforeAll
    void startDaemon() {
        dist = WarmDist.create(dir.resolve("dist"), Map.of(PLUGIN, MAIN, "noplugin", NoRunMain.class.getName()),
                WarmDist.testClassPath());
        dist.startDaemon();
    }

    @AfterAll
    void stopDaemon() {
        if (dist != null) {
            dist.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> env(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        m.put("JCNI_WARM_DEBUG", "1");
        return m;
    }

    private static Map<String, String> add(String command, String... more) {
        List<String> kv = new ArrayList<>(List.of("CNI_COMMAND", command, "CNI_CONTAINERID", "c-" + command.toLowerCase(),
                "CNI_NETNS", "/run/netns/nowhere", "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin"));
        kv.addAll(List.of(more));
        return env(kv.toArray(String[]::new));
    }

    record Case(String name, Map<String, String> env, String stdin) {
    }

    static final String OK = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"warmtest\"}";

    static List<Case> protocolCases() {
        return List.of(
                new Case("VERSION", env("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"0.4.0\"}"),
                new Case("VERSION, empty stdin", env("CNI_COMMAND", "VERSION"), ""),
                new Case("no CNI_COMMAND: the about text", env(), ""),
                new Case("ADD without CNI_CONTAINERID", env("CNI_COMMAND", "ADD", "CNI_IFNAME", "eth0"), OK),
                new Case("ADD, bad JSON", add("ADD"), "{\"cniVersion\":\"1.0.0\""),
                new Case("ADD, not an object", add("ADD"), "[1,2]"),
                new Case("ADD, no name", add("ADD"), "{\"cniVersion\":\"1.0.0\",\"type\":\"warmtest\"}"),
                new Case("ADD, unknown version", add("ADD"), "{\"cniVersion\":\"9.9.9\",\"name\":\"net\"}"),
                new Case("ADD", add("ADD"), OK),
                new Case("ADD as 0.3.1", add("ADD"), "{\"cniVersion\":\"0.3.1\",\"name\":\"net\",\"type\":\"warmtest\"}"),
                new Case("ADD, bad ifname", add("ADD", "CNI_IFNAME", "a/b"), OK),
                new Case("ADD, bad CNI_ARGS", add("ADD", "CNI_ARGS", "novalue"), OK),
                new Case("ADD, the plugin throws", add("ADD"), "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"fail\":1}"),
                new Case("ADD, stray output", add("ADD", "JCNI_LOG_LEVEL", "warning"),
                        "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"stray\":1}"),
                new Case("ADD into its own netns", add("ADD", "CNI_NETNS", "/proc/self/ns/net"), OK),
                new Case("DEL", add("DEL"), OK),
                new Case("CHECK at 0.3.0", add("CHECK"), "{\"cniVersion\":\"0.3.0\",\"name\":\"net\"}"),
                new Case("GC", env("CNI_COMMAND", "GC", "CNI_PATH", "/opt/cni/bin"), "{\"cniVersion\":\"1.1.0\",\"name\":\"net\"}"),
                new Case("STATUS at 1.0.0", env("CNI_COMMAND", "STATUS"), OK),
                new Case("unknown command", add("FOO"), OK),
                new Case("JCNI_JAVA_OPTS: refused, runs cold", add("ADD", "JCNI_JAVA_OPTS", "-Dx=y"), OK));
    }

    @Test
    void protocolAndBadInputAreByteIdenticalColdAndWarm() {
        long servedBefore = dist.servedCalls();
        int warmCases = 0;
        for (Case c : protocolCases()) {
            Run cold = dist.cold(PLUGIN, c.env(), bytes(c.stdin()), dir);
            Run warm = dist.warm(PLUGIN, c.env(), bytes(c.stdin()), dir);
            String what = c.name() + "\ncold: " + cold + "\nwarm: " + warm;
            assertEquals(cold.exitCode(), warm.exitCode(), what);
            assertArrayEquals(cold.stdout(), warm.stdout(), what);
            String warmErr = WarmDist.normalizeStderr(warm.err());
            if (c.env().containsKey("JCNI_JAVA_OPTS")) {
                // the launcher itself goes cold: JVM options only a JVM of its own honours
                assertTrue(warmErr.startsWith("jcni " + PLUGIN + ": going cold: JCNI_JAVA_OPTS is set\n"), what);
                assertFalse(dist.servedWarm(warm), what);
                warmErr = warmErr.substring(warmErr.indexOf('\n') + 1);
            } else {
                assertTrue(dist.servedWarm(warm), "served warm: " + what);
                warmCases++;
            }
            assertEquals(WarmDist.normalizeStderr(cold.err()), warmErr, what);
        }
        assertEquals(servedBefore + warmCases, dist.servedCalls(), "every other case was served warm");
    }

    @Test
    void theCallersEnvironmentAndDirectoryReachThePluginAndItsChildren() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work-" + Kernel.uniqueName("")));
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"record\":\"record.txt\"}";
        // a UTF-8 locale: without one, the cold JVM decodes the environment as ASCII (issue 13);
        // warm mode always reads it as UTF-8
        Map<String, String> env = add("ADD", "SOME_VAR", "with spaces and = signs", "UTF8_VAR", "grüße", "LANG", "C.UTF-8");
        Run cold = dist.cold(PLUGIN, env, bytes(conf), work);
        assertEquals(0, cold.exitCode(), cold.toString());
        String coldRecord = Files.readString(work.resolve("record.txt"));
        Run warm = dist.warm(PLUGIN, env, bytes(conf), work);
        assertEquals(0, warm.exitCode(), warm.toString());
        assertEquals("", warm.err(), "served warm");
        assertTrue(dist.servedWarm(warm), warm.toString());
        String warmRecord = Files.readString(work.resolve("record.txt"));
        assertEquals(coldRecord, warmRecord);
        assertTrue(warmRecord.contains("cwd=" + work + "\n"), warmRecord);
        assertTrue(warmRecord.contains("resolved=" + work.resolve("rel/x") + "\n"), warmRecord);
        assertTrue(warmRecord.contains("child:\n" + work + "\n"), warmRecord);
        assertTrue(warmRecord.contains("\nSOME_VAR=with spaces and = signs\n"), warmRecord);
        assertTrue(warmRecord.contains("\nUTF8_VAR=grüße\n"), warmRecord);
        assertFalse(warmRecord.contains("JCNI_LOG_LEVEL=debug"), "the daemon's own environment does not leak: " + warmRecord);
    }

    @Test
    void refusedCallsRunColdWithStdinIntact() throws IOException {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"warmtest\"}";
        Run expected = dist.cold(PLUGIN, add("ADD"), bytes(conf), dir);
        assertEquals(0, expected.exitCode(), expected.toString());

        // the next version of the distribution (another dist id, the same socket), before the daemon restarts
        Path extra = Files.createDirectories(dir.resolve("extra-" + Kernel.uniqueName("")));
        Files.writeString(extra.resolve("marker.txt"), "makes the class path, so the dist id, differ");
        WarmDist next = WarmDist.create(dir.resolve("next-" + Kernel.uniqueName("")), dist.name(), Map.of(PLUGIN, MAIN),
                WarmDist.testClassPath() + ":" + extra);
        Run r = next.warm(PLUGIN, add("ADD"), bytes(conf), dir);
        assertColdCopyOf(expected, r, "dist id \"" + next.id() + "\" is not the daemon's");

        // a plugin the dist does not have (only a hand-made call can ask for one)
        r = WarmDist.exec(List.of(dist.shim().toString(), dist.socket().toString(), dist.id(), "not-in-dist",
                dist.launcher(PLUGIN).toString()), withPath(add("ADD")), bytes(conf), dir);
        assertColdCopyOf(expected, r, "plugin \"not-in-dist\" is not in the dist");

        // arguments for the launcher: the loaded plugin's main would not see them
        r = WarmDist.exec(List.of(dist.launcher(PLUGIN).toString(), "some-arg"), withPath(add("ADD")), bytes(conf), dir);
        assertColdCopyOf(expected, r, "the launcher was given arguments");

        // a plugin whose main never calls PluginMain.run
        r = dist.warm("noplugin", add("ADD"), bytes(conf), dir);
        assertTrue(r.err().contains("going cold: the daemon refused the call: cannot load the plugin"), r.toString());

        // a large stdin goes through the memfd intact
        String big = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"pad\":\"" + "x".repeat(300_000) + "\"}";
        Run bigCold = dist.cold(PLUGIN, add("ADD"), bytes(big), dir);
        r = next.warm(PLUGIN, add("ADD"), bytes(big), dir);
        assertColdCopyOf(bigCold, r, "is not the daemon's");

        // stdin beyond what a request may carry: read to its end all the same, and run cold with all of it
        String huge = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"pad\":\"" + "y".repeat(17 << 20) + "\"}";
        Run hugeCold = dist.cold(PLUGIN, add("ADD"), bytes(huge), dir);
        assertEquals(0, hugeCold.exitCode(), hugeCold.toString());
        r = dist.warm(PLUGIN, add("ADD"), bytes(huge), dir);
        assertColdCopyOf(hugeCold, r, "stdin too large");
    }

    private static Map<String, String> withPath(Map<String, String> env) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.putIfAbsent("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        return e;
    }

    private static void assertColdCopyOf(Run expected, Run actual, String reason) {
        assertEquals(expected.exitCode(), actual.exitCode(), actual.toString());
        assertArrayEquals(expected.stdout(), actual.stdout(), actual.toString());
        assertTrue(actual.err().startsWith("jcni-shim: going cold: ") && actual.err().contains(reason), actual.toString());
    }

    @Test
    void theShimsOwnErrorJsonCarriesTheConfigurationsCniVersion() {
        // refused (a plugin the dist lacks), then no launcher to run cold: the shim's own error, in
        // the cniVersion the daemon's errors would carry
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"x\":[1,{\"y\":\"}\"}]}", "0.4.0");
        cases.put(" {\"name\":\"n\", \"cniVersion\" : \"1.0.0\"}\n", "1.0.0");
        cases.put("{\"cniVersion\":\"9.9.9\"}", SpecVersions.CURRENT);
        cases.put("{\"name\":\"n\",\"x\":{\"cniVersion\":\"0.3.1\"}}", SpecVersions.CURRENT);
        cases.put("{\"cniVersion\":\"0.3.1\"", SpecVersions.CURRENT);
        cases.put("{\"cniVersion\":0.3}", SpecVersions.CURRENT);
        cases.put("", SpecVersions.CURRENT);
        cases.put("{\"cniVersion\":\"\"}", "");
        String msg = "jcni-shim: cannot exec the launcher for the cold path";
        cases.forEach((stdin, version) -> {
            Run r = WarmDist.exec(List.of(dist.shim().toString(), dist.socket().toString(), dist.id(), "not-in-dist",
                    dir.resolve("no-launcher").toString()), withPath(env("CNI_COMMAND", "VERSION")), bytes(stdin), dir);
            assertEquals(1, r.exitCode(), r.toString());
            assertEquals(new String(new CniException(999, msg).toJson(version), StandardCharsets.UTF_8), r.out(), stdin);
        });
    }

    @Test
    void aRetiredThreadFailsItsCallAndTheDaemonGoesOn() {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"retire\":1}";
        Run r = dist.warm(PLUGIN, add("ADD"), bytes(conf), dir);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(dist.servedWarm(r), r.toString());
        CniException e = CniException.fromJson(r.stdout());
        assertEquals(999, e.code());
        assertTrue(e.msg().contains("could not return to its network namespace"), e.msg());
        assertTrue(dist.daemonLog().contains("the thread is retired"), dist.daemonLog());
        Run next = dist.warm(PLUGIN, add("ADD"), bytes(OK), dir);
        assertEquals(0, next.exitCode(), next.toString());
        assertEquals("", next.err());
        assertTrue(dist.servedWarm(next), next.toString());
    }

    @Test
    void parallelCallsAreServedAndEachGetsItsOwnAnswer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<Run>> runs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = "par-" + i;
                Map<String, String> env = add("ADD", "CNI_CONTAINERID", id, "CNI_IFNAME", "eth" + (i % 10));
                runs.add(pool.submit(() -> dist.warm(PLUGIN, env, bytes(OK), dir)));
            }
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i).get(120, TimeUnit.SECONDS);
                assertEquals(0, r.exitCode(), r.toString());
                assertEquals("", r.err(), r.toString());
                assertTrue(dist.servedWarm(r), r.toString());
                assertTrue(r.out().contains("\"name\": \"eth" + (i % 10) + "\""), r.out());
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
