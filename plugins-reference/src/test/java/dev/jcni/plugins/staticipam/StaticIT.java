package dev.jcni.plugins.staticipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.ip.Parity;
import dev.jcni.plugins.ip.State;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * static as the IPAM of the packaged ptp, on the kernel: the addresses and routes it gives end up on
 * the container's eth0, CHECK passes, DEL leaves nothing; bad input is a spec error and leaves
 * nothing; and the whole jcni stack (ptp + static) against Go's ptp + static v1.1.1.
 */
@KernelTest
class StaticIT {
    final Fixture f = new Fixture();

    @AfterEach
    void cleanUp() {
        f.close();
    }

    static String ipam(Fixture f, String extra) {
        return "{\"type\":\"static\",\"addresses\":[{\"address\":\"" + f.prefix4 + "7/24\",\"gateway\":\"" + f.prefix4 + "1\"},"
                + "{\"address\":\"" + f.prefix6 + "7/64\",\"gateway\":\"" + f.prefix6 + "1\"}],\"routes\":[{\"dst\":\"10.123.0.0/16\"}],"
                + "\"dns\":{\"nameservers\":[\"" + f.prefix4 + "53\"]}" + extra + "}";
    }

    @Test
    void ptpWithStaticAddCheckDel() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("s1", ns, "eth0");
        String conf = f.conf("1.0.0", "ptp", "", ipam(f, ""));
        Result r = Fixture.jcni("ptp", "ADD", env, conf).result();
        assertEquals(List.of(f.prefix4 + "7/24", f.prefix6 + "7/64"), r.ips().stream().map(i -> i.address().toString()).toList());
        assertEquals(List.of(f.prefix4 + "53"), r.dns().nameservers());
        List<String> cont = State.container(ns);
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("addr eth0 inet " + f.prefix4 + "7/24")), cont.toString());
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("route 10.123.0.0/16 via " + f.prefix4 + "1 dev eth0")), cont.toString());
        Fixture.jcni("ptp", "CHECK", env, Fixture.withPrev(conf, r)).assertQuietSuccess();
        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
        assertEquals(List.of(), f.leftovers(ns));
        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void cniArgsAndTheIpsCapabilityReachTheInterface() {
        TestNetns ns = f.netns();
        Map<String, String> env = new LinkedHashMap<>(f.env("s2", ns, "eth0"));
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=p;IP=" + f.prefix4 + "9/24;GATEWAY=" + f.prefix4 + "1");
        String conf = f.conf("1.0.0", "ptp", "", "{\"type\":\"static\"}");
        Fixture.jcni("ptp", "ADD", env, conf).result();
        assertTrue(ns.exec("ip", "-4", "-o", "addr", "show", "dev", "eth0").ok().contains(" " + f.prefix4 + "9/24 "));
        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
        assertEquals(List.of(), f.leftovers(ns));
    }

    @Test
    void badInputIsASpecErrorAndLeavesNothing() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("s3", ns, "eth0");
        for (String ipam : List.of("{\"type\":\"static\",\"addresses\":[{\"address\":\"" + f.prefix4 + "7\"}]}",
                "{\"type\":\"static\",\"addresses\":[{\"address\":\"" + f.prefix4 + "7/24\",\"gateway\":\"x\"}]}",
                "{\"type\":\"static\",\"addresses\":[{\"address\":\"" + f.prefix4 + "7/24\"}]}")) {
            Dist.Run run = Fixture.jcni("ptp", "ADD", env, f.conf("1.0.0", "ptp", "", ipam));
            CniException e = run.error();
            assertTrue(e.code() == 6 || e.code() == 7 || e.code() == 999, e.toString());
            assertFalse(run.stdout().contains("Exception"), run.stdout());
            assertEquals(List.of(), f.leftovers(ns), ipam);
        }
    }

    /** jcni's ptp + static against Go's ptp + static (v1.1.1): result, container, host, firewall; cross ADD/DEL. */
    @Test
    void wholeJcniStackSameAsGo() {
        Kernel.assumeGoPlugins();
        Parity.compareWithGo(Parity.Impl.JCNI_STACK, "ptp", fx -> fx.conf("1.0.0", "ptp", "\"ipMasq\":true", ipam(fx, "")));
    }
}
