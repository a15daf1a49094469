package dev.jcni.plugins.macvlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netns.NetNs;
import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.ip.Traffic;
import dev.jcni.plugins.macvlan.MvRig.Impl;
import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jcni's macvlan on a real kernel (host and containers are namespaces of the test, the master a veth end
 * of the test): modes seen in traffic between two containers, linkInContainer, bcqueuelen,
 * rollback of a failed ADD at every step, DEL that always succeeds, CHECK's refusals, bad input.
 */
@KernelTest
class MacvlanIT {
    private MvRig rig;

    @BeforeEach
    void setUp() {
        rig = new MvRig();
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private static String withPrev(String conf, Result r) {
        return conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + new String(r.toJson(), StandardCharsets.UTF_8) + "}";
    }

    @ParameterizedTest
    @ValueSource(strings = {"bridge", "private", "vepa"})
    void twoContainersOnOneMasterTalkOnlyInBridgeMode(String mode) throws Exception {
        String conf = rig.conf("1.0.0", "\"master\":\"m0\",\"mode\":\"" + mode + "\"", rig.ipam(false));
        TestNetns c1 = rig.netns();
        TestNetns c2 = rig.netns();
        Result r1 = rig.run(Impl.JCNI, "ADD", c1, "", conf).result();
        Result r2 = rig.run(Impl.JCNI, "ADD", c2, "", conf).result();
        boolean reached = Traffic.ping(c1, r2.ips().get(0).address().address());
        // bridge: switched inside the master; private: never; vepa: only through an external hairpin switch (the veth peer is none)
        assertEquals(mode.equals("bridge"), reached, mode);
        rig.run(Impl.JCNI, "CHECK", c1, "", withPrev(conf, r1)).assertQuietSuccess();
        rig.run(Impl.JCNI, "DEL", c1, "", conf).assertQuietSuccess();
        rig.run(Impl.JCNI, "DEL", c2, "", conf).assertQuietSuccess();
    }

    @Test
    void passthruTakesTheMasterForOneContainerOnly() {
        String conf = rig.conf("1.0.0", "\"master\":\"m0\",\"mode\":\"passthru\"", null);
        TestNetns c1 = rig.netns();
        TestNetns c2 = rig.netns();
        rig.run(Impl.JCNI, "ADD", c1, "", conf).result();
        Dist.Run second = rig.run(Impl.JCNI, "ADD", c2, "", conf);
        assertNotEquals(0, second.exitCode());
        assertTrue(second.error().msg().startsWith("failed to create macvlan: "), second.stdout());
        assertTrue(c2.exec("ip", "-o", "link", "show").ok().lines().allMatch(l -> l.contains(" lo:")), "nothing left in the second container");
    }

    @Test
    void linkInContainerUsesAMasterInsideTheContainer() {
        TestNetns c = rig.netns();
        MvRig.masterIn(c, "cm0");
        String conf = rig.conf("1.0.0", "\"master\":\"cm0\",\"linkInContainer\":true", rig.ipam(false));
        Result r = rig.run(Impl.JCNI, "ADD", c, "", conf).result();
        String link = c.exec("ip", "-d", "-o", "link", "show", "eth0").ok();
        assertTrue(link.contains("eth0@cm0") && link.contains("macvlan mode bridge"), link);
        rig.run(Impl.JCNI, "CHECK", c, "", withPrev(conf, r)).assertQuietSuccess();
        rig.run(Impl.JCNI, "DEL", c, "", conf).assertQuietSuccess();
        assertTrue(c.exec("ip", "link", "show", "eth0").exitCode() != 0);
        // and without linkInContainer, cm0 is not found in the host
        Dist.Run bad = rig.run(Impl.JCNI, "ADD", c, "", rig.conf("1.0.0", "\"master\":\"cm0\"", null));
        assertTrue(bad.error().msg().contains("failed to lookup master \"cm0\""), bad.stdout());
    }

    @Test
    void linkInContainerFindsTheContainersDefaultRoute() {
        TestNetns c = rig.netns();
        MvRig.masterIn(c, "cm1");
        c.exec("ip", "route", "add", "default", "dev", "cm1").ok();
        String conf = rig.conf("1.0.0", "\"linkInContainer\":true", null);
        rig.run(Impl.JCNI, "ADD", c, "", conf).result();
        assertTrue(c.exec("ip", "-d", "-o", "link", "show", "eth0").ok().contains("eth0@cm1"));
    }

    @Test
    void bcqueuelen() {
        TestNetns c = rig.netns();
        String conf = rig.conf("1.0.0", "\"master\":\"m0\",\"bcqueuelen\":2345", null);
        Dist.Run add = rig.run(Impl.JCNI, "ADD", c, "", conf);
        if (add.exitCode() != 0 && add.stdout().contains("Operation not supported")) {
            Kernel.skipMissingFeature("macvlan bcqueuelen", add.stdout());
        }
        add.result();
        String link = c.exec("ip", "-d", "-o", "link", "show", "eth0").ok();
        assertTrue(link.contains("bcqueuelen 2345"), link);
    }

    @Test
    void delAlwaysSucceeds() {
        String conf = rig.conf("1.0.0", "\"master\":\"m0\"", rig.ipam(false));
        TestNetns c = rig.netns();
        rig.run(Impl.JCNI, "DEL", c, "", conf).assertQuietSuccess();
        rig.run(Impl.JCNI, "DEL", null, "", conf).assertQuietSuccess();
        Map<String, String> env = MvRig.env("DEL", c, "");
        env.put("CNI_NETNS", "/run/netns/jcnit-gone-" + rig.b);
        Dist.run(List.of("ip", "netns", "exec", rig.host.name(), Impl.JCNI.exe().toString()), env, conf).assertQuietSuccess();
        // and a master that is gone does not matter to DEL
        rig.run(Impl.JCNI, "DEL", c, "", rig.conf("1.0.0", "\"master\":\"nosuchlink\"", null)).assertQuietSuccess();
    }

    @Test
    void checkRefusesWhatDoesNotMatch() {
        String conf = rig.conf("1.0.0", "\"master\":\"m0\"", rig.ipam(false));
        TestNetns c = rig.netns();
        Result r = rig.run(Impl.JCNI, "ADD", c, "", conf).result();
        String priv = rig.conf("1.0.0", "\"master\":\"m0\",\"mode\":\"private\"", rig.ipam(false));
        assertEquals("container macvlan mode bridge does not match expected value: private",
                rig.run(Impl.JCNI, "CHECK", c, "", withPrev(priv, r)).error().msg());
        assertEquals("required prevResult missing", rig.run(Impl.JCNI, "CHECK", c, "", conf).error().msg());
        c.exec("ip", "link", "set", "eth0", "address", "0a:58:0a:00:00:99").ok();
        assertTrue(rig.run(Impl.JCNI, "CHECK", c, "", withPrev(conf, r)).error().msg().startsWith("interface eth0 Mac "));
        c.exec("ip", "link", "del", "eth0").ok();
        assertEquals("container Interface name in prevResult: eth0 not found",
                rig.run(Impl.JCNI, "CHECK", c, "", withPrev(conf, r)).error().msg());
        rig.run(Impl.JCNI, "DEL", c, "", conf).assertQuietSuccess();
    }

    @Test
    void badInputFailsBeforeAnythingIsMade() {
        TestNetns c = rig.netns();
        Object[][] cases = {
            {rig.conf("1.0.0", "\"master\":\"m0\",\"mode\":\"hairpin\"", null), 7, "unknown macvlan mode: \"hairpin\""},
            {rig.conf("1.0.0", "\"master\":\"m0\",\"mtu\":9000", null), 7, "invalid MTU 9000, must be [0, master MTU(1500)]"},
            {rig.conf("1.0.0", "\"master\":\"m0\",\"mtu\":-1", null), 7, "invalid MTU -1, must be [0, master MTU(1500)]"},
            {rig.conf("1.0.0", "\"master\":\"nosuchlink\"", null), 999, "failed to lookup master \"nosuchlink\": Link not found"},
            {rig.conf("1.0.0", "\"master\":\"m0\",\"mac\":\"zz\"", null), 7, "invalid args zz for MAC addr: "},
            {rig.conf("1.0.0", "\"master\":\"m0\",\"mtu\":\"big\"", null), 6, "failed to load netconf: "},
            {rig.conf("1.0.0", "", null), 999, "no default route interface found"},
        };
        for (Object[] k : cases) {
            Dist.Run r = rig.run(Impl.JCNI, "ADD", c, "", (String) k[0]);
            CniException e = r.error();
            assertEquals(k[1], e.code(), r.stdout());
            assertTrue(e.msg().startsWith((String) k[2]), e.msg());
        }
        Dist.Run unknownArg = rig.run(Impl.JCNI, "ADD", c, "FOO=bar", rig.conf("1.0.0", "\"master\":\"m0\"", null));
        assertEquals("ARGS: unknown args [\"FOO=bar\"]", unknownArg.error().msg());
        assertTrue(c.exec("ip", "-o", "link", "show").ok().lines().allMatch(l -> l.contains(" lo:")), "nothing was made");
    }

    /** A failure at each step of ADD leaves no device (under any name) and no reservation. */
    @ParameterizedTest
    @ValueSource(strings = {"link", "rename", "ipam", "configure", "result"})
    void failedAddLeavesNothing(String point) throws Exception {
        TestNetns c = rig.netns();
        String conf = rig.conf("1.0.0", "\"master\":\"m0\"", rig.ipam(true));
        Map<String, String> env = MvRig.env("ADD", c, "");
        env.remove("CNI_COMMAND");
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Macvlan plugin = new Macvlan(p -> {
            if (p.equals(point)) {
                throw new IllegalStateException("injected at " + p);
            }
        });
        try (NetNs ns = NetNs.get(rig.host.path())) {
            PluginHarness.Outcome out = ns.call(() -> Fixture.inProcess(plugin, "ADD", env, conf));
            assertNotEquals(0, out.exitCode(), out.stdout());
            assertTrue(out.stdout().contains("injected at " + point), out.stdout());
        }
        assertTrue(c.exec("ip", "-o", "link", "show").ok().lines().allMatch(l -> l.contains(" lo:")),
                point + ": " + c.exec("ip", "-o", "link", "show").ok());
        String store = Kernel.exec("sh", "-c", "ls " + rig.dataDir + "/" + rig.network + " 2>/dev/null || true").ok();
        assertTrue(store.lines().noneMatch(l -> l.startsWith("10.") || l.startsWith("fd00")), point + ": " + store);
    }
}
