package dev.jcni.plugins.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The packaged tuning plugin on the kernel: a veth eth0 in a namespace of the test's own, a private data directory. */
@KernelTest
class TuningIT {
    final Rig rig = new Rig();

    @AfterEach
    void cleanUp() {
        rig.close();
    }

    static final String ALL = "\"sysctl\":{\"net.core.somaxconn\":\"512\",\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"},"
            + "\"mac\":\"c2:b0:57:49:47:f1\",\"mtu\":1300,\"promisc\":true,\"allmulti\":true,\"txQLen\":321";

    @Test
    void addSetsEverythingCheckComparesDelRestoresEverything() {
        List<String> before = rig.state();
        String conf = rig.conf("1.0.0", ALL);
        Result r = Fixture.jcni("tuning", "ADD", rig.env(), conf).result();
        assertEquals("c2:b0:57:49:47:f1", r.interfaces().get(0).mac(), "the prevResult, with the new MAC");
        assertEquals("10.99.0.2/24", r.ips().get(0).address().toString());
        List<String> after = rig.state();
        assertTrue(after.get(0).contains("PROMISC") && after.get(0).contains("ALLMULTI"), after.toString());
        assertEquals(List.of("mtu 1300", "qlen 321", "mac c2:b0:57:49:47:f1", "net/core/somaxconn 512", "net/ipv4/conf/eth0/arp_filter 1"),
                after.subList(1, 6));
        assertEquals(List.of("tuning-" + rig.ns.name() + "_eth0.json"), rig.files(), "the values to restore, in Go's file");

        Fixture.jcni("tuning", "CHECK", rig.env(), Fixture.withPrev(conf, r)).assertQuietSuccess();
        rig.ns.exec("ip", "link", "set", "eth0", "mtu", "1400").ok();
        CniException e = Fixture.jcni("tuning", "CHECK", rig.env(), Fixture.withPrev(conf, r)).error();
        assertEquals("Error: Tuning configured MTU of eth0 is 1300, current value is 1400", e.msg());
        rig.ns.exec("ip", "link", "set", "eth0", "mtu", "1300").ok();
        rig.ns.exec("sh", "-c", "echo 0 > /proc/sys/net/ipv4/conf/eth0/arp_filter").ok();
        e = Fixture.jcni("tuning", "CHECK", rig.env(), Fixture.withPrev(conf, r)).error();
        assertEquals("Error: Tuning configured value of /proc/sys/net/ipv4/conf/eth0/arp_filter is 1, current value is 0", e.msg());

        Fixture.jcni("tuning", "DEL", rig.env(), conf).assertQuietSuccess();
        assertEquals(before, rig.state(), "DEL restores every attribute and (beyond Go) every sysctl");
        assertEquals(List.of(), rig.files());
        Fixture.jcni("tuning", "DEL", rig.env(), conf).assertQuietSuccess();
    }

    @Test
    void checkFollowsGoOnPromiscAndComparesMacsAsAddresses() {
        String conf = rig.conf("1.0.0", "\"mac\":\"C2:B0:57:49:47:F1\"");
        Result r = Fixture.jcni("tuning", "ADD", rig.env(), conf).result();
        Fixture.jcni("tuning", "CHECK", rig.env(), Fixture.withPrev(conf, r)).assertQuietSuccess();
        rig.ns.exec("ip", "link", "set", "eth0", "promisc", "on").ok();
        CniException e = Fixture.jcni("tuning", "CHECK", rig.env(), Fixture.withPrev(conf, r)).error();
        assertEquals("Error: Tuning link eth0 configured promisc is false, current value is 1", e.msg(), "as Go: promisc off is checked too");
        Fixture.jcni("tuning", "DEL", rig.env(), conf).assertQuietSuccess();
        assertEquals("mac " + rig.mac, rig.state().get(3));
    }

    @Test
    void aSecondAddKeepsTheValuesFromBeforeTheFirst() {
        List<String> before = rig.state();
        String conf = rig.conf("1.0.0", "\"mtu\":1300,\"sysctl\":{\"net.core.somaxconn\":\"512\"}");
        Fixture.jcni("tuning", "ADD", rig.env(), conf).result();
        Fixture.jcni("tuning", "ADD", rig.env(), rig.conf("1.0.0", "\"mtu\":1200,\"sysctl\":{\"net.core.somaxconn\":\"600\"}")).result();
        Fixture.jcni("tuning", "DEL", rig.env(), conf).assertQuietSuccess();
        assertEquals(before, rig.state());
    }

    @Test
    void delWithoutNamespaceOrWithTheNamespaceGoneSucceedsAndForgets() {
        String conf = rig.conf("1.0.0", "\"mtu\":1300");
        Fixture.jcni("tuning", "ADD", rig.env(), conf).result();
        Map<String, String> gone = new LinkedHashMap<>(rig.env());
        gone.put("CNI_NETNS", "/run/netns/jcni-no-such-ns");
        Fixture.jcni("tuning", "DEL", gone, conf).assertQuietSuccess();
        assertEquals(List.of(), rig.files(), "nothing left to restore in a namespace that is gone");
        Map<String, String> none = new LinkedHashMap<>(rig.env());
        none.put("CNI_NETNS", "");
        Fixture.jcni("tuning", "DEL", none, conf).assertQuietSuccess();
        Fixture.jcni("tuning", "DEL", rig.env(), rig.conf("1.0.0", "")).assertQuietSuccess();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"sysctl\":{\"net.core.somaxconn\":\"512\",\"kernel.shmmax\":\"1\"}",
        "\"sysctl\":{\"net.core.somaxconn\":\"512\",\"net.core.jcni_no_such_sysctl\":\"1\"}",
        "\"sysctl\":{\"net.core.somaxconn\":\"512\"},\"mac\":\"zz\"",
        "\"sysctl\":{\"net.core.somaxconn\":\"512\"},\"mtu\":\"x\"",
        "\"sysctl\":{\"net.core.somaxconn\":\"512\"},\"mtu\":99999999",
        "\"sysctl\":{\"net.core.somaxconn\":\"512\"},\"mtu\":1300,\"txQLen\":-5"})
    void badInputIsASpecErrorAndLeavesEverythingAsItWas(String fields) {
        List<String> before = rig.state();
        Dist.Run run = Fixture.jcni("tuning", "ADD", rig.env(), rig.conf("1.0.0", fields));
        CniException e = run.error();
        assertNotEquals(0, e.code());
        assertFalse(run.stdout().contains("Exception"), run.stdout());
        assertEquals(before, rig.state(), e.msg());
        assertEquals(List.of(), rig.files(), e.msg());
    }

    @Test
    void missingPrevResultOrNamespaceOrInterface() {
        String noPrev = "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"tuning\",\"dataDir\":\"" + rig.dataDir + "\",\"mtu\":1300}";
        assertEquals("Required prevResult missing", Fixture.jcni("tuning", "ADD", rig.env(), noPrev).error().msg());
        Map<String, String> gone = new LinkedHashMap<>(rig.env());
        gone.put("CNI_NETNS", "/run/netns/jcni-no-such-ns");
        assertEquals(999, Fixture.jcni("tuning", "ADD", gone, rig.conf("1.0.0", "\"mtu\":1300")).error().code());
        Map<String, String> eth9 = new LinkedHashMap<>(rig.env());
        eth9.put("CNI_IFNAME", "eth9");
        assertEquals("failed to get \"eth9\": Link not found", Fixture.jcni("tuning", "ADD", eth9, rig.conf("1.0.0", "\"mtu\":1300")).error().msg());
        assertEquals(List.of(), rig.files());
    }

    @Test
    void theAllowlistRefusesWhatItDoesNotList() throws Exception {
        Path allow = rig.dataDir.resolve("allowlist.conf");
        Files.writeString(allow, "^net\\.core\\.somaxconn$\n");
        List<String> before = rig.state();
        PluginHarness h = PluginHarness.of(new Tuning(allow, dev.jcni.plugins.ip.Rollback.NO_FAULTS));
        for (Map.Entry<String, String> e : rig.env().entrySet()) {
            h = h.env(e.getKey(), e.getValue());
        }
        CniException e = h.run("ADD", rig.conf("1.0.0", "\"sysctl\":{\"net.core.somaxconn\":\"512\",\"net.ipv4.ip_forward\":\"1\"}")).error();
        assertEquals(7, e.code());
        assertTrue(e.msg().startsWith("Sysctl net.ipv4.ip_forward is not allowed."), e.msg());
        assertEquals(before, rig.state());
        h.run("ADD", rig.conf("1.0.0", "\"sysctl\":{\"net.core.somaxconn\":\"512\"}")).result();
        assertEquals("net/core/somaxconn 512", rig.state().get(4));
    }

    @Test
    void resultInTheConfigurationsVersion() {
        Dist.Run run = Fixture.jcni("tuning", "ADD", rig.env(), rig.conf("0.3.1", "\"mac\":\"c2:b0:57:49:47:f1\""));
        Result r = run.result();
        assertEquals("0.3.1", r.cniVersion());
        assertTrue(run.stdout().contains("\"version\": \"4\""), run.stdout());
        assertEquals("c2:b0:57:49:47:f1", r.interfaces().get(0).mac());
    }
}
