package dev.jcni.plugins.firewallplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.firewallplugin.FwRig.Impl;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Result;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jcni's firewall against Go's v1.1.1 (/usr/lib/cni/firewall), each run in a fresh namespace of the
 * test: for the same configuration and previous result both print the same result and leave the same
 * {@code iptables -S} / {@code ip6tables -S} after ADD, after a second container's ADD and after the
 * first container's DEL (only its rules go); each one's CHECK accepts the other's state and each one's
 * DEL removes the other's rules.
 */
@KernelTest
class FirewallParityIT {
    private FwRig rig;

    @BeforeEach
    void setUp() {
        Kernel.assumeGoPlugins();
        rig = new FwRig();
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    /** The configurations compared, by name. */
    private String conf(String which, String prev) {
        return switch (which) {
            case "default" -> rig.conf("1.0.0", "", prev);
            case "v0.4.0-admin-chain" -> rig.conf("0.4.0", "\"backend\":\"iptables\",\"iptablesAdminChainName\":\"JFW-ADM-" + rig.b + "\"", prev);
            case "same-bridge" -> rig.conf("1.0.0", "\"ingressPolicy\":\"same-bridge\"", prev);
            // Go has no nftables backend: "nftables" (like any unknown value) is the automatic choice, iptables here
            case "nftables" -> rig.conf("1.0.0", "\"backend\":\"nftables\"", prev);
            default -> throw new AssertionError(which);
        };
    }

    private String prev(int n) {
        return FwRig.prev("jfwbr" + rig.b, rig.v4(n) + "/24", rig.v6(n) + "/64");
    }

    /** Go v1.1.1's shared ingress rules carry an older comment than Go HEAD's, which jcni follows. */
    private static List<String> normalise(List<String> lines) {
        return lines.stream().map(l -> l.replace("(ingressPolicy: same-bridge|isolated)", "(ingressPolicy: same-bridge)")).toList();
    }

    /** What one implementation leaves after each step. */
    private record Trace(Result result, List<String> afterAdd, List<String> afterSecondAdd, List<String> afterDel) {
    }

    private Trace trace(Impl impl, String which) {
        TestNetns host = rig.netns();
        String c1 = conf(which, prev(2));
        String c2 = conf(which, prev(3));
        Dist.Run add = FwRig.run(impl, host, "ADD", "ctr1", c1);
        Result r = add.result();
        List<String> afterAdd = normalise(FwRig.filter(host));
        FwRig.run(impl, host, "CHECK", "ctr1", c1).assertQuietSuccess();
        FwRig.run(impl, host, "ADD", "ctr2", c2).result();
        List<String> afterSecond = normalise(FwRig.filter(host));
        FwRig.run(impl, host, "DEL", "ctr1", c1).assertQuietSuccess();
        FwRig.run(impl, host, "DEL", "ctr1", c1).assertQuietSuccess();
        FwRig.run(impl, host, "CHECK", "ctr2", c2).assertQuietSuccess();
        return new Trace(r, afterAdd, afterSecond, normalise(FwRig.filter(host)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "v0.4.0-admin-chain", "same-bridge", "nftables"})
    void sameResultAndSameRulesAsGo(String which) {
        Trace go = trace(Impl.GO, which);
        Trace jcni = trace(Impl.JCNI, which);
        assertEquals(go.result(), jcni.result(), "result");
        assertEquals(go.afterAdd(), jcni.afterAdd(), "after ADD");
        assertEquals(go.afterSecondAdd(), jcni.afterSecondAdd(), "after a second container's ADD");
        assertEquals(go.afterDel(), jcni.afterDel(), "after the first container's DEL");
        assertTrue(jcni.afterAdd().stream().anyMatch(l -> l.equals("iptables -A CNI-FORWARD -s " + rig.v4(2) + "/32 -j ACCEPT")),
                jcni.afterAdd().toString());
        assertTrue(jcni.afterAdd().stream().anyMatch(l -> l.equals("ip6tables -A CNI-FORWARD -s " + rig.v6(2) + "/128 -j ACCEPT")),
                jcni.afterAdd().toString());
        assertTrue(jcni.afterDel().stream().noneMatch(l -> l.contains(rig.v4(2) + "/32") || l.contains(rig.v6(2) + "/128")),
                jcni.afterDel().toString());
        assertTrue(jcni.afterDel().stream().anyMatch(l -> l.contains(rig.v4(3) + "/32")), "the other container keeps its rules");
        assertNotEquals(jcni.afterAdd(), jcni.afterDel());
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "v0.4.0-admin-chain", "same-bridge"})
    void eachRemovesAndChecksWhatTheOtherMade(String which) {
        for (Impl adder : Impl.values()) {
            Impl other = adder == Impl.GO ? Impl.JCNI : Impl.GO;
            TestNetns host = rig.netns();
            String c = conf(which, prev(2));
            List<String> before = FwRig.filter(host);
            FwRig.run(adder, host, "ADD", "ctr1", c).result();
            FwRig.run(other, host, "CHECK", "ctr1", c).assertQuietSuccess();
            FwRig.run(other, host, "DEL", "ctr1", c).assertQuietSuccess();
            List<String> left = FwRig.filter(host).stream().filter(l -> !before.contains(l)).toList();
            assertTrue(left.stream().noneMatch(l -> l.contains(rig.v4(2)) || l.contains(rig.v6(2))), adder + " ADD, " + other + " DEL: " + left);
            assertTrue(left.contains("iptables -N CNI-FORWARD"), "the shared chain stays, as with Go: " + left);
        }
    }

    /** Go's CHECK and jcni's fail alike when a container rule is gone (jcni's says which). */
    @ParameterizedTest
    @ValueSource(strings = {"default"})
    void checkFindsAMissingRule(String which) {
        for (Impl impl : Impl.values()) {
            TestNetns host = rig.netns();
            String c = conf(which, prev(2));
            FwRig.run(impl, host, "ADD", "ctr1", c).result();
            host.exec("iptables", "-w", "-D", "CNI-FORWARD", "-s", rig.v4(2) + "/32", "-j", "ACCEPT").ok();
            Dist.Run check = FwRig.run(impl, host, "CHECK", "ctr1", c);
            assertNotEquals(0, check.exitCode(), impl + ": " + check);
            assertTrue(check.error().msg().contains("expected rule [-s " + rig.v4(2) + "/32 -j ACCEPT] not found"),
                    impl + ": " + check.stdout());
        }
    }
}
