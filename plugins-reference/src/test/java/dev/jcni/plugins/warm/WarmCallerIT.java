package dev.jcni.plugins.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.testsupport.WarmDist.Run;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.types.CniException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root caller without CAP_NET_ADMIN and CAP_SYS_ADMIN gets no ADD done through the daemon of the
 * reference distribution (its real class path, so cni-sdk-netlink's native library tells the
 * daemon who calls): the call is refused, runs cold and fails as Go's ptp does, with "operation not
 * permitted"; the same call from a plain root caller is served warm.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmCallerIT {
    static final String REFUSED = "jcni-shim: going cold: the daemon refused the call: "
            + "the calling process does not have what the daemon has (see the daemon's log)\n";

    @TempDir
    static Path dir;
    static WarmDist dist;

    @BeforeAll
    void start() throws IOException {
        String cp = Dist.referenceClassPath();
        Map<String, String> plugins = new LinkedHashMap<>();
        plugins.put("host-local", "dev.jcni.plugins.hostlocal.HostLocal");
        plugins.put("ptp", "dev.jcni.plugins.ptp.Ptp");
        dist = WarmDist.create(dir.resolve("dist"), plugins, cp);
        dist.startDaemon();
    }

    @AfterAll
    void stop() {
        if (dist != null) {
            dist.close();
        }
    }

    private static Map<String, String> env(String command, String id, TestNetns ns) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        m.put("CNI_COMMAND", command);
        m.put("CNI_CONTAINERID", id);
        m.put("CNI_NETNS", ns.path().toString());
        m.put("CNI_IFNAME", "eth0");
        m.put("CNI_PATH", dist.dir().resolve("bin").toString());
        m.put("JCNI_WARM_DEBUG", "1");
        return m;
    }

    private static byte[] conf(Path data) {
        return ("{\"cniVersion\":\"1.0.0\",\"name\":\"callers\",\"type\":\"ptp\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.246.0.0/24\"}]]}}").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRootCallerWithoutNetAdminGetsNoAddThroughTheDaemon() throws IOException {
        Path data = Files.createDirectories(dir.resolve("ipam-" + Kernel.uniqueName("")));
        try (TestNetns ns = TestNetns.create()) {
            long served = dist.servedCalls();
            Run r = WarmDist.exec(List.of("setpriv", "--bounding-set=-net_admin,-sys_admin", dist.launcher("ptp").toString()),
                    env("ADD", "confined", ns), conf(data), dir);
            assertTrue(r.err().startsWith(REFUSED), r.toString());
            assertNotEquals(0, r.exitCode(), r.toString());
            CniException e = CniException.fromJson(r.stdout());
            // Go's ptp: "... operation not permitted" (EPERM); jcni spells strerror's "Operation not permitted"
            assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("operation not permitted"), r.toString());
            assertEquals(served, dist.servedCalls(), "not served warm");
            assertTrue(dist.daemonLogShows("its CapEff lacks capabilities the daemon has (bits 201000)"), dist.daemonLog());
            assertTrue(ns.exec("ip", "-o", "link", "show", "eth0").exitCode() != 0, "no eth0 in the container");
        }
    }

    @Test
    void aPlainRootCallerIsServedWarm() throws IOException {
        Path data = Files.createDirectories(dir.resolve("ipam-" + Kernel.uniqueName("")));
        try (TestNetns ns = TestNetns.create()) {
            long served = dist.servedCalls();
            Run add = dist.warm("ptp", env("ADD", "plain", ns), conf(data), dir);
            assertEquals(0, add.exitCode(), add.toString());
            assertEquals("", add.err(), "served warm: " + add);
            // the daemon logs "served" just after the exit frame: wait for it, bounded
            for (int i = 0; i < 500 && dist.servedCalls() < served + 1; i++) {
                Kernel.exec("sleep", "0.02");
            }
            assertEquals(served + 1, dist.servedCalls(), "ptp served warm, its host-local delegate in-process");
            Run del = dist.warm("ptp", env("DEL", "plain", ns), conf(data), dir);
            assertEquals(0, del.exitCode(), del.toString());
        }
    }
}
