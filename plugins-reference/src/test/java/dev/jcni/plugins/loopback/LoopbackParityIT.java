package dev.jcni.plugins.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jcni's loopback against Go's v1.1.1 ({@code /usr/lib/cni/loopback}): the same result (Go labels a
 * 1.0.0-shaped result with the configuration's version, so it is read as 1.0.0 and converted), the
 * same {@code lo} after ADD and after DEL, and each implementation's DEL undoes the other's ADD.
 */
@KernelTest
class LoopbackParityIT {
    @BeforeEach
    void goPlugins() {
        Kernel.assumeGoPlugins();
    }

    /** lo's flags and addresses. */
    static List<String> lo(TestNetns ns) {
        String link = ns.exec("ip", "-o", "link", "show", "lo").ok();
        List<String> out = new java.util.ArrayList<>();
        out.add(link.substring(link.indexOf('<'), link.indexOf('>') + 1));
        ns.exec("ip", "-o", "addr", "show", "dev", "lo").ok().lines().forEach(l -> out.add(l.replaceAll("\\\\.*", "").trim()));
        return out;
    }

    static Map<String, String> env(TestNetns ns) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_CONTAINERID", "lo-" + ns.name());
        e.put("CNI_NETNS", ns.path().toString());
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", Fixture.GO.toString()); // Go's skel requires it
        return e;
    }

    record Run(Result result, List<String> afterAdd, List<String> afterDel) {
    }

    static Run run(boolean go, String version) {
        try (TestNetns ns = TestNetns.create()) {
            ns.exec("ip", "link", "set", "lo", "down").ok();
            String conf = LoopbackIT.conf(version);
            Dist.Run add = go ? Fixture.go("loopback", "ADD", env(ns), conf) : Fixture.jcni("loopback", "ADD", env(ns), conf);
            assertEquals(0, add.exitCode(), add.stdout() + add.stderr());
            // Go 1.1.1 prints a 1.0.0-shaped result whatever the version: read it as 1.0.0
            Result r = go ? Result.fromJson(add.stdout().getBytes(StandardCharsets.UTF_8), "1.0.0")
                    : Result.fromJson(add.stdout().getBytes(StandardCharsets.UTF_8)).convertTo("1.0.0");
            List<String> afterAdd = lo(ns);
            Dist.Run del = go ? Fixture.go("loopback", "DEL", env(ns), conf) : Fixture.jcni("loopback", "DEL", env(ns), conf);
            del.assertQuietSuccess();
            return new Run(r.withCniVersion("1.0.0"), afterAdd, lo(ns));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.3.1", "0.4.0", "1.0.0"})
    void sameResultAndSameLoAsGo(String version) {
        Run go = run(true, version);
        Run jcni = run(false, version);
        assertEquals(go.afterAdd(), jcni.afterAdd(), "lo after ADD");
        assertEquals(go.afterDel(), jcni.afterDel(), "lo after DEL");
        assertEquals(normalise(go.result()), normalise(jcni.result()), "result");
        assertTrue(go.afterAdd().get(0).contains("UP"), go.afterAdd().toString());
    }

    /** The sandbox differs from run to run (a new namespace each): masked. */
    static Result normalise(Result r) {
        return r.withInterfaces(r.interfaces().stream().map(i -> new dev.jcni.sdk.types.Interface(i.name(), i.mac(), i.mtu(),
                i.sandbox().isEmpty() ? "" : "NETNS", i.socketPath(), i.pciID())).toList());
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void eachDelUndoesTheOthersAdd(boolean goAdds) {
        try (TestNetns ns = TestNetns.create()) {
            ns.exec("ip", "link", "set", "lo", "down").ok();
            String conf = LoopbackIT.conf("1.0.0");
            Dist.Run add = goAdds ? Fixture.go("loopback", "ADD", env(ns), conf) : Fixture.jcni("loopback", "ADD", env(ns), conf);
            assertEquals(0, add.exitCode(), add.stdout());
            assertTrue(LoopbackIT.loUp(ns));
            (goAdds ? Fixture.jcni("loopback", "DEL", env(ns), conf) : Fixture.go("loopback", "DEL", env(ns), conf)).assertQuietSuccess();
            assertTrue(!LoopbackIT.loUp(ns));
        }
    }
}
