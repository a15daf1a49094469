package dev.jcni.plugins.warm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.testsupport.WarmDist.Run;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference plugins in warm mode: a distribution packaged by {@code jcni package} from the
 * reference distribution's jars (target/cni/lib) and this module's test plugins, under a name of its
 * own; the real launchers, shim and daemon launcher.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmIT {
    @TempDir
    static Path dir;
    static WarmDist dist;

    @BeforeAll
    void start() throws IOException {
        // the reference distribution's class path, in its order, and this module's test classes
        String cp = Dist.referenceClassPath(Path.of("target", "test-classes"));
        Map<String, String> plugins = new LinkedHashMap<>();
        plugins.put("host-local", "dev.jcni.plugins.hostlocal.HostLocal");
        plugins.put("bridge", "dev.jcni.plugins.bridge.Bridge");
        plugins.put("ptp", "dev.jcni.plugins.ptp.Ptp");
        plugins.put("portmap", "dev.jcni.plugins.portmap.Portmap");
        plugins.put("loopback", "dev.jcni.plugins.loopback.Loopback");
        plugins.put("static", "dev.jcni.plugins.staticipam.StaticIpam");
        plugins.put("tuning", "dev.jcni.plugins.tuning.Tuning");
        plugins.put("firewall", "dev.jcni.plugins.firewallplugin.Firewall");
        plugins.put("macvlan", "dev.jcni.plugins.macvlan.Macvlan");
        plugins.put("retiretest", RetireTestPlugin.class.getName());
        dist = WarmDist.create(dir.resolve("dist"), plugins, cp);
        // two calls at once: the nested-delegation test needs more calls than permits
        dist.startDaemon("--max-calls", "2");
    }

    @AfterAll
    void stop() {
        if (dist != null) {
            dist.close();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, String> env(String command, String id, String netns, String... more) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CNI_COMMAND", command);
        m.put("CNI_CONTAINERID", id);
        m.put("CNI_NETNS", netns);
        m.put("CNI_IFNAME", "eth0");
        m.put("CNI_PATH", dist.dir().resolve("bin").toString());
        m.put("JCNI_WARM_DEBUG", "1");
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    void fiftyParallelHostLocalAddsGetFiftyAddresses() throws Exception {
        Path data = Files.createDirectories(dir.resolve("ipam-" + Kernel.uniqueName("")));
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"warm50\",\"type\":\"host-local\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.244.0.0/24\"}]]}}";
        long served = dist.servedCalls();
        List<Run> adds = parallel(50, i -> dist.warm("host-local", env("ADD", "w" + i, "/run/netns/absent"), bytes(conf), dir));
        Set<String> addresses = new HashSet<>();
        for (Run r : adds) {
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("", r.err(), "served warm: " + r);
            addresses.add(Ip.format(Result.fromJson(r.stdout()).ips().get(0).address().address()));
        }
        assertEquals(50, addresses.size(), addresses.toString());
        assertServed(served + 50, "50 host-local ADDs");
        for (Run r : parallel(50, i -> dist.warm("host-local", env("DEL", "w" + i, "/run/netns/absent"), bytes(conf), dir))) {
            assertEquals(0, r.exitCode(), r.toString());
        }
        try (Stream<Path> s = Files.list(data.resolve("warm50"))) {
            assertEquals(List.of("last_reserved_ip.0", "lock"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void bridgeWithHostLocalWarmFromARelativeDirectory() throws Exception {
        String br = Kernel.uniqueName("jwbr");
        Path work = Files.createDirectories(dir.resolve("work-" + Kernel.uniqueName("")));
        // relative dataDir, CNI_NETNS and CNI_PATH: resolved against the caller's directory, not the daemon's
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"warmbr\",\"type\":\"bridge\",\"bridge\":\"" + br + "\","
                + "\"isGateway\":true,\"ipMasq\":true,\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"ipam\","
                + "\"ranges\":[[{\"subnet\":\"10.245.0.0/24\"}]]}}";
        try (TestNetns ns = TestNetns.create()) {
            Path netnsLink = work.resolve("netns");
            Files.createSymbolicLink(netnsLink, ns.path());
            Map<String, String> add = env("ADD", "wb1", "netns", "CNI_PATH", "../dist/bin");
            long served = dist.servedCalls();
            Run r = dist.warm("bridge", add, bytes(conf), work);
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("", r.err(), r.toString());
            assertServed(served + 1, "bridge was served warm, its host-local delegate in-process");
            Result res = Result.fromJson(r.stdout());
            assertEquals("10.245.0.2/24", res.ips().get(0).address().toString());
            assertTrue(Files.exists(work.resolve("ipam/warmbr/10.245.0.2")), "the store is in the caller's directory");
            assertTrue(ns.exec("ip", "-4", "-br", "addr", "show", "eth0").ok().contains("10.245.0.2/24"));
            Run del = dist.warm("bridge", env("DEL", "wb1", "netns", "CNI_PATH", "../dist/bin"), bytes(conf), work);
            assertEquals(0, del.exitCode(), del.toString());
            assertEquals("", del.out());
            assertFalse(Files.exists(work.resolve("ipam/warmbr/10.245.0.2")));
            assertFalse(ns.exec("ip", "link", "show", "eth0").exitCode() == 0, "the container's veth is gone");
        } finally {
            Kernel.exec("ip", "link", "del", br);
        }
    }

    /** The drop-ins of issue 25 served warm: loopback and tuning on a namespace of the test's, static as ptp's IPAM, in-process. */
    @Test
    void loopbackStaticAndTuningServedWarm() throws Exception {
        try (TestNetns ns = TestNetns.create()) {
            ns.exec("ip", "link", "set", "lo", "down").ok();
            long served = dist.servedCalls();
            Run lo = dist.warm("loopback", env("ADD", "wl1", ns.path().toString()),
                    bytes("{\"cniVersion\":\"1.1.0\",\"name\":\"warmlo\",\"type\":\"loopback\"}"), dir);
            assertEquals(0, lo.exitCode(), lo.toString());
            assertEquals("", lo.err(), lo.toString());
            assertTrue(ns.exec("ip", "-o", "link", "show", "lo").ok().contains(",UP"), "lo is up");
            String ptp = "{\"cniVersion\":\"1.1.0\",\"name\":\"warmst\",\"type\":\"ptp\",\"ipam\":{\"type\":\"static\","
                    + "\"addresses\":[{\"address\":\"10.248.0.2/24\",\"gateway\":\"10.248.0.1\"}]}}";
            Run add = dist.warm("ptp", env("ADD", "ws1", ns.path().toString()), bytes(ptp), dir);
            assertEquals(0, add.exitCode(), add.toString());
            assertTrue(ns.exec("ip", "-4", "-br", "addr", "show", "eth0").ok().contains("10.248.0.2/24"));
            Path data = Files.createDirectories(dir.resolve("tuning-" + Kernel.uniqueName("")));
            String tuning = "{\"cniVersion\":\"1.1.0\",\"name\":\"warmst\",\"type\":\"tuning\",\"dataDir\":\"" + data + "\",\"mtu\":1300,"
                    + "\"sysctl\":{\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"},\"prevResult\":" + new String(add.stdout(), StandardCharsets.UTF_8) + "}";
            Run tu = dist.warm("tuning", env("ADD", "ws1", ns.path().toString()), bytes(tuning), dir);
            assertEquals(0, tu.exitCode(), tu.toString());
            assertTrue(ns.exec("ip", "-o", "link", "show", "eth0").ok().contains(" mtu 1300 "));
            assertEquals("1", ns.exec("cat", "/proc/sys/net/ipv4/conf/eth0/arp_filter").ok().trim(), "the container's sysctl, from the daemon");
            assertEquals(0, dist.warm("tuning", env("DEL", "ws1", ns.path().toString()), bytes(tuning), dir).exitCode());
            assertEquals("0", ns.exec("cat", "/proc/sys/net/ipv4/conf/eth0/arp_filter").ok().trim());
            assertEquals(0, dist.warm("ptp", env("DEL", "ws1", ns.path().toString()), bytes(ptp), dir).exitCode());
            assertServed(served + 5, "loopback ADD, ptp ADD (its static delegate in-process), tuning ADD and DEL, ptp DEL: all warm");
        }
    }

    /**
     * Delegates exec'd through a wrapper (not a launcher of the distribution, so not run in-process)
     * hand their calls back to the daemon while the delegating calls hold every permit: they skip the
     * turn, or the daemon would deadlock.
     */
    @Test
    void nestedCallsThroughTheDaemonDoNotDeadlock() throws Exception {
        Path wrappers = Files.createDirectories(dir.resolve("wrappers-" + Kernel.uniqueName("")));
        Path hostLocal = wrappers.resolve("host-local");
        Files.writeString(hostLocal, "#!/bin/sh\nexec " + dist.launcher("host-local") + " \"$@\"\n");
        hostLocal.toFile().setExecutable(true);
        Path data = Files.createDirectories(dir.resolve("nested-" + Kernel.uniqueName("")));
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"nested\",\"type\":\"ptp\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.247.0.0/24\"}]]}}";
        List<TestNetns> namespaces = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                namespaces.add(TestNetns.create());
            }
            long served = dist.servedCalls();
            List<Run> adds = parallel(4, i -> dist.warm("ptp", env("ADD", "n" + i, namespaces.get(i).path().toString(),
                    "CNI_PATH", wrappers.toString()), bytes(conf), dir));
            for (Run r : adds) {
                assertEquals(0, r.exitCode(), r.toString());
                assertEquals("", r.err(), r.toString());
            }
            assertServed(served + 8, "4 ptp calls and their 4 host-local delegates, all warm");
            for (Run r : parallel(4, i -> dist.warm("ptp", env("DEL", "n" + i, namespaces.get(i).path().toString(),
                    "CNI_PATH", wrappers.toString()), bytes(conf), dir))) {
                assertEquals(0, r.exitCode(), r.toString());
            }
        } finally {
            namespaces.forEach(TestNetns::close);
        }
    }

    @Test
    void badInputIsByteIdenticalColdAndWarm() {
        List<Object[]> cases = List.of(
                new Object[] {"host-local", env("ADD", "b1", "/run/netns/x"), "{\"cniVersion\":\"1.0.0\""},
                new Object[] {"host-local", env("ADD", "b1", "/run/netns/x"), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}"},
                new Object[] {"bridge", env("ADD", "b2", "/run/netns/does-not-exist"),
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\",\"ipam\":{}}"},
                new Object[] {"ptp", env("VERSION", "", ""), "{\"cniVersion\":\"0.3.1\"}"},
                new Object[] {"portmap", env("ADD", "b3", "/run/netns/x"),
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"portmap\",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":\"x\"}]}}"},
                new Object[] {"bridge", env("DEL", "b4", ""), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\"}"},
                new Object[] {"firewall", env("ADD", "b5", "/run/netns/x"), "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\"}"},
                new Object[] {"macvlan", env("ADD", "b6", "/run/netns/does-not-exist"),
                    "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"macvlan\",\"mode\":\"x\"}"});
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Map<String, String> e = (Map<String, String>) c[1];
            Run cold = dist.cold((String) c[0], e, bytes((String) c[2]), dir);
            // read after the cold run (a JVM start): the daemon has logged the previous warm call by then
            long served = dist.servedCalls();
            Run warm = dist.warm((String) c[0], e, bytes((String) c[2]), dir);
            String what = c[0] + " " + c[2] + "\ncold: " + cold + "\nwarm: " + warm;
            // the warm run was served by the daemon (one call), the cold one was not: else cold is compared with cold
            assertServed(served + 1, what);
            assertEquals(cold.exitCode(), warm.exitCode(), what);
            assertArrayEquals(cold.stdout(), warm.stdout(), what);
            assertEquals(WarmDist.normalizeStderr(cold.err()), WarmDist.normalizeStderr(warm.err()), what);
        }
    }

    @Test
    void aThreadThatCannotReturnToItsNamespaceIsRetired() {
        try (TestNetns ns = TestNetns.create()) {
            Map<String, String> e = env("ADD", "rt1", ns.path().toString());
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"retiretest\"}";
            Run cold = dist.cold("retiretest", e, bytes(conf), dir);
            assertEquals(70, cold.exitCode(), "cold: the JVM halts: " + cold);
            Run warm = dist.warm("retiretest", e, bytes(conf), dir);
            assertEquals(1, warm.exitCode(), warm.toString());
            CniException err = CniException.fromJson(warm.stdout());
            assertEquals(999, err.code());
            assertTrue(err.msg().contains("could not return to its network namespace"), err.msg());
            assertTrue(dist.daemonLogShows("the thread is retired"), dist.daemonLog());
        }
        // the daemon stays correct: the next call runs in the host namespace
        Path data = dir.resolve("after-retire");
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"after\",\"type\":\"host-local\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.246.0.0/24\"}]]}}";
        Run next = dist.warm("host-local", env("ADD", "rt2", "/run/netns/absent"), bytes(conf), dir);
        assertEquals(0, next.exitCode(), next.toString());
        assertEquals("", next.err());
    }

    @Test
    void aThreadLeftInAnotherNamespaceServesNoMoreCalls() throws IOException {
        String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        Path where = dir.resolve("where");
        try (TestNetns ns = TestNetns.create()) {
            // a plugin that setns'd without NetNs and never came back: its call succeeds, its thread ends
            Run leak = dist.warm("retiretest", env("ADD", "lk1", ns.path().toString()),
                    bytes("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"leak\":1}"), dir);
            assertEquals(0, leak.exitCode(), leak.toString());
            assertTrue(dist.daemonLogShows("a worker thread is retired and serves no more calls: /proc/thread-self/ns/net"),
                    dist.daemonLog());
            for (int i = 0; i < 5; i++) {
                Run r = dist.warm("retiretest", env("ADD", "lk2", "/run/netns/absent"),
                        bytes("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"where\":\"" + where + "\"}"), dir);
                assertEquals(0, r.exitCode(), r.toString());
                assertEquals(host, Files.readString(where), "later calls run in the host namespace");
            }
        }
    }

    /**
     * Waits (at most 10 s: the daemon may count a call after its caller has the answer) until the
     * daemon's served count reaches {@code expected}, and asserts it is exactly that.
     */
    private static void assertServed(long expected, String what) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long now = dist.servedCalls();
        while (now < expected && System.nanoTime() < end) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            now = dist.servedCalls();
        }
        assertEquals(expected, now, "calls served by the daemon: " + what);
    }

    private static List<Run> parallel(int n, java.util.function.IntFunction<Run> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Run>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                fs.add(pool.submit(() -> call.apply(k)));
            }
            List<Run> out = new ArrayList<>();
            for (Future<Run> f : fs) {
                out.add(f.get(300, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
