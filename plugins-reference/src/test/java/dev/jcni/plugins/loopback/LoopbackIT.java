package dev.jcni.plugins.loopback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The packaged loopback plugin on the kernel, in namespaces of its own. */
@KernelTest
class LoopbackIT {
    private final List<TestNetns> namespaces = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        namespaces.forEach(TestNetns::close);
    }

    /** @return a namespace whose lo is down, as a new sandbox's is */
    TestNetns netns() {
        TestNetns ns = TestNetns.create();
        namespaces.add(ns);
        ns.exec("ip", "link", "set", "lo", "down").ok();
        return ns;
    }

    static Map<String, String> env(TestNetns ns, String netns) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_CONTAINERID", "lo-" + ns.name());
        e.put("CNI_NETNS", netns);
        e.put("CNI_IFNAME", "eth0");
        return e;
    }

    static String conf(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"lo-test\",\"type\":\"loopback\"}";
    }

    static boolean loUp(TestNetns ns) {
        String line = ns.exec("ip", "-o", "link", "show", "lo").ok();
        return line.substring(line.indexOf('<'), line.indexOf('>')).contains(",UP");
    }

    @Test
    void addBringsLoUpAndNamesItsAddressesCheckPassesDelBringsItDown() {
        TestNetns ns = netns();
        Map<String, String> env = env(ns, ns.path().toString());
        assertFalse(loUp(ns));
        Result r = Fixture.jcni("loopback", "ADD", env, conf("1.1.0")).result();
        assertTrue(loUp(ns));
        assertEquals(1, r.interfaces().size());
        assertEquals("lo", r.interfaces().get(0).name(), "CNI_IFNAME is ignored");
        assertEquals("00:00:00:00:00:00", r.interfaces().get(0).mac());
        assertEquals(ns.path().toString(), r.interfaces().get(0).sandbox());
        assertEquals(List.of("127.0.0.1/8", "::1/128"), r.ips().stream().map(i -> i.address().toString()).toList());
        assertTrue(r.ips().stream().allMatch(i -> i.interfaceIndex().getAsInt() == 0));
        assertTrue(ns.exec("ip", "-o", "addr", "show", "dev", "lo").ok().contains(" 127.0.0.1/8 "), "the kernel's address on lo");

        Fixture.jcni("loopback", "CHECK", env, Fixture.withPrev(conf("1.1.0"), r)).assertQuietSuccess();
        Fixture.jcni("loopback", "DEL", env, conf("1.1.0")).assertQuietSuccess();
        assertFalse(loUp(ns), "DEL brings lo down, as Go does");
        CniException e = Fixture.jcni("loopback", "CHECK", env, Fixture.withPrev(conf("1.1.0"), r)).error();
        assertEquals(999, e.code());
        assertEquals("loopback interface is down", e.msg());
        Fixture.jcni("loopback", "DEL", env, conf("1.1.0")).assertQuietSuccess();
    }

    @Test
    void resultPerVersion() {
        TestNetns ns = netns();
        Map<String, String> env = env(ns, ns.path().toString());
        Dist.Run old = Fixture.jcni("loopback", "ADD", env, conf("0.2.0"));
        assertTrue(old.stdout().contains("\"ip4\": {\n        \"ip\": \"127.0.0.1/8\""), old.stdout());
        assertTrue(old.stdout().contains("\"ip6\": {\n        \"ip\": \"::1/128\""), old.stdout());
        Dist.Run v031 = Fixture.jcni("loopback", "ADD", env, conf("0.3.1"));
        assertTrue(v031.stdout().contains("\"version\": \"4\""), v031.stdout());
        assertTrue(v031.stdout().contains("\"version\": \"6\""), v031.stdout());
        Dist.Run v1 = Fixture.jcni("loopback", "ADD", env, conf("1.0.0"));
        assertFalse(v1.stdout().contains("\"version\""), v1.stdout());
        assertEquals(Fixture.jcni("loopback", "ADD", env, conf("1.0.0")).result(), v1.result(), "ADD twice is the same ADD");
    }

    @Test
    void aPrevResultIsPassedThrough() {
        TestNetns ns = netns();
        Map<String, String> env = env(ns, ns.path().toString());
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"lo-test\",\"type\":\"loopback\",\"prevResult\":{\"cniVersion\":\"1.0.0\","
                + "\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"" + ns.path() + "\"}],\"ips\":[{\"address\":\"10.77.1.2/24\",\"interface\":0}]}}";
        Result r = Fixture.jcni("loopback", "ADD", env, conf).result();
        assertEquals("eth0", r.interfaces().get(0).name());
        assertEquals(List.of("10.77.1.2/24"), r.ips().stream().map(i -> i.address().toString()).toList());
        assertTrue(loUp(ns), "lo is up all the same");
    }

    @Test
    void delWithoutOrWithAGoneNamespaceSucceeds() {
        TestNetns ns = netns();
        Fixture.jcni("loopback", "DEL", env(ns, ""), conf("1.0.0")).assertQuietSuccess();
        Fixture.jcni("loopback", "DEL", env(ns, "/run/netns/jcni-no-such-ns"), conf("1.0.0")).assertQuietSuccess();
    }

    @Test
    void badInputIsASpecErrorAndChangesNothing() {
        TestNetns ns = netns();
        Map<String, String> env = env(ns, ns.path().toString());
        Map<String, String> gone = env(ns, "/run/netns/jcni-no-such-ns");
        CniException missing = Fixture.jcni("loopback", "ADD", gone, conf("1.0.0")).error();
        assertEquals(999, missing.code());
        assertTrue(missing.msg().contains("jcni-no-such-ns"), missing.msg());
        assertEquals(999, Fixture.jcni("loopback", "CHECK", gone, conf("1.0.0")).error().code());
        CniException notNs = Fixture.jcni("loopback", "DEL", env(ns, "/tmp"), conf("1.0.0")).error();
        assertEquals(999, notNs.code(), "a path that is not a namespace is an error, as in Go");
        for (String bad : List.of("{", "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"type\":\"loopback\",\"prevResult\":{\"ips\":5}}",
                "{\"cniVersion\":\"9.9.9\",\"name\":\"x\",\"type\":\"loopback\"}")) {
            Dist.Run run = Fixture.jcni("loopback", "ADD", env, bad);
            assertEquals(1, run.exitCode(), bad);
            assertFalse(run.stdout().contains("Exception"), run.stdout());
            assertTrue(run.error().code() > 0, run.stdout());
            assertFalse(loUp(ns), "nothing was touched: " + bad);
        }
    }

    @Test
    void aNonLoopbackAddressOnLoIsRefused() {
        TestNetns ns = netns();
        ns.exec("ip", "addr", "add", "10.77.9.9/32", "dev", "lo").ok();
        CniException e = Fixture.jcni("loopback", "ADD", env(ns, ns.path().toString()), conf("1.0.0")).error();
        assertEquals(999, e.code());
        assertEquals("loopback interface found with non-loopback address \"10.77.9.9\"", e.msg());
    }
}
