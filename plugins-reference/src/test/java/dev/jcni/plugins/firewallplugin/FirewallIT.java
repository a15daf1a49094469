package dev.jcni.plugins.firewallplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netns.NetNs;
import dev.jcni.plugins.firewallplugin.FwRig.Impl;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.ip.Traffic;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jcni's firewall on a real kernel, its "host" a namespace of the test (a router with a bridge, two
 * container namespaces behind it in two subnets, so that their traffic is routed through the router's
 * FORWARD chain): forwarding allowed per container by the plugin's rules (their counters move), the
 * admin chain honoured, DEL removing one container's rules only, a failed ADD leaving none.
 */
@KernelTest
class FirewallIT {
    private FwRig rig;
    private TestNetns router;
    private TestNetns a;
    private TestNetns b;

    @BeforeEach
    void setUp() {
        rig = new FwRig();
        router = rig.netns();
        a = rig.netns();
        b = rig.netns();
        router.exec("ip", "link", "add", "br0", "type", "bridge").ok();
        router.exec("ip", "link", "set", "br0", "up").ok();
        router.exec("ip", "addr", "add", rig.v4(1) + "/26", "dev", "br0").ok();
        router.exec("ip", "addr", "add", rig.v4(65) + "/26", "dev", "br0").ok();
        int i = 0;
        for (TestNetns c : List.of(a, b)) {
            String port = "p" + i;
            Kernel.exec("ip", "-n", router.name(), "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", c.name()).ok();
            router.exec("ip", "link", "set", port, "master", "br0", "up").ok();
            c.exec("ip", "addr", "add", rig.v4(i == 0 ? 2 : 66) + "/26", "dev", "eth0").ok();
            c.exec("ip", "link", "set", "eth0", "up").ok();
            c.exec("ip", "route", "add", "default", "via", rig.v4(i == 0 ? 1 : 65)).ok();
            i++;
        }
        router.exec("sysctl", "-qw", "net.ipv4.ip_forward=1").ok();
        // the router namespace's own FORWARD policy (never the host's): only what the plugin lets through passes
        router.exec("iptables", "-w", "-P", "FORWARD", "DROP").ok();
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private String conf(String fields, int n) {
        return rig.conf("1.0.0", fields, FwRig.prev("br0", rig.v4(n) + "/26"));
    }

    private static boolean ping(TestNetns from, String to) {
        try {
            return Traffic.ping(from, InetAddress.getByName(to));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A new TCP connection (a SYN in state NEW, unlike a repeated ping that conntrack knows): true when it got through. */
    private static boolean tcp(TestNetns from, TestNetns server, String to) throws Exception {
        try {
            return Traffic.tcp(from, server, InetAddress.getByName(to));
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    /** @return the packet counter of the CNI-FORWARD rule with this source */
    private long sourceRulePackets(String ip) {
        for (String l : router.exec("iptables", "-w", "-L", "CNI-FORWARD", "-v", "-x", "-n").ok().lines().toList()) {
            String[] w = l.trim().split("\\s+");
            if (w.length >= 8 && w[2].equals("ACCEPT") && w[7].equals(ip)) {
                return Long.parseLong(w[0]);
            }
        }
        throw new AssertionError("no rule for source " + ip);
    }

    @Test
    void forwardingAllowedPerContainerAndAdminChainHonoured() throws Exception {
        String ipA = rig.v4(2);
        String ipB = rig.v4(66);
        assertTrue(!ping(a, ipB), "the router's FORWARD policy drops everything before the plugin runs");
        FwRig.run(Impl.JCNI, router, "ADD", "ctr-a", conf("", 2)).result();
        assertTrue(ping(a, ipB), "A's rules let A's connection out and its replies back in");
        assertTrue(sourceRulePackets(ipA) > 0, "the -s rule of A counted A's packets");
        FwRig.run(Impl.JCNI, router, "ADD", "ctr-b", conf("", 66)).result();
        assertTrue(ping(b, ipA));
        assertTrue(sourceRulePackets(ipB) > 0);

        router.exec("iptables", "-w", "-A", "CNI-ADMIN", "-s", ipA, "-j", "DROP").ok();
        assertTrue(!ping(a, ipB), "a DROP in the admin chain comes before the plugin's ACCEPT");
        router.exec("iptables", "-w", "-D", "CNI-ADMIN", "-s", ipA, "-j", "DROP").ok();
        assertTrue(ping(a, ipB));

        assertTrue(tcp(a, b, ipB), "a new TCP connection from A");
        FwRig.run(Impl.JCNI, router, "DEL", "ctr-a", conf("", 2)).assertQuietSuccess();
        assertTrue(!tcp(a, b, ipB), "A's rules are gone: its new connections are dropped");
        assertTrue(tcp(b, a, ipA), "B's rules stay: B still reaches A, and A's replies come back");
        FwRig.run(Impl.JCNI, router, "CHECK", "ctr-b", conf("", 66)).assertQuietSuccess();
        String left = router.exec("iptables", "-w", "-S", "CNI-FORWARD").ok();
        assertTrue(!left.contains(ipA + "/32"), left);
    }

    @Test
    void customAdminChain() {
        String admin = "JFW-OPS-" + rig.b;
        String c = conf("\"iptablesAdminChainName\":\"" + admin + "\"", 2);
        FwRig.run(Impl.JCNI, router, "ADD", "ctr-a", c).result();
        String rules = router.exec("iptables", "-w", "-S", "CNI-FORWARD").ok();
        assertTrue(rules.lines().toList().get(1).equals(
                "-A CNI-FORWARD -m comment --comment \"CNI firewall plugin admin overrides\" -j " + admin), rules);
        FwRig.run(Impl.JCNI, router, "ADD", "ctr-b", conf("\"iptablesAdminChainName\":\"" + admin + "\"", 66)).result();
        assertTrue(ping(a, rig.v4(66)));
        router.exec("iptables", "-w", "-A", admin, "-s", rig.v4(2), "-j", "DROP").ok();
        assertTrue(!ping(a, rig.v4(66)));
        assertTrue(ping(b, rig.v4(2)) == false, "A's replies are dropped too");
        FwRig.run(Impl.JCNI, router, "CHECK", "ctr-a", c).assertQuietSuccess();
        FwRig.run(Impl.JCNI, router, "DEL", "ctr-a", c).assertQuietSuccess();
        assertTrue(router.exec("iptables", "-w", "-S", admin).ok().contains("-j DROP"), "the admin chain is the operator's: DEL keeps it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"same-bridge", "isolated"})
    void ingressPolicy(String policy) {
        FwRig.run(Impl.JCNI, router, "ADD", "ctr-a", conf("\"ingressPolicy\":\"" + policy + "\"", 2)).result();
        FwRig.run(Impl.JCNI, router, "ADD", "ctr-b", conf("\"ingressPolicy\":\"" + policy + "\"", 66)).result();
        List<String> s1 = router.exec("iptables", "-w", "-S", "CNI-ISOLATION-STAGE-1").ok().lines().toList();
        List<String> forward = router.exec("iptables", "-w", "-S", "FORWARD").ok().lines().toList();
        assertEquals("-A FORWARD -m comment --comment \"CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)\" -j CNI-ISOLATION-STAGE-1",
                forward.get(1), forward.toString());
        assertEquals("-A FORWARD -m comment --comment \"CNI firewall plugin rules\" -j CNI-FORWARD", forward.get(2));
        assertEquals(policy.equals("isolated") ? 4 : 3, s1.size(), s1.toString()); // -N, rules, RETURN
        // both containers hang off one bridge: same-bridge lets them talk, isolated does not
        assertEquals(policy.equals("same-bridge"), ping(a, rig.v4(66)), policy);
    }

    /** A failed ADD (a fault after each family's rules, and after the backend) leaves no rule of the container. */
    @ParameterizedTest
    @ValueSource(strings = {"iptables-v4", "iptables-v6", "backend"})
    void failedAddLeavesNoRuleOfTheContainer(String point) throws Exception {
        String c = rig.conf("1.0.0", "\"backend\":\"iptables\"", FwRig.prev("br0", rig.v4(2) + "/26", rig.v6(2) + "/64"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_CONTAINERID", "ctr-a");
        env.put("CNI_NETNS", "/run/netns/x");
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/nonexistent");
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Firewall plugin = new Firewall(() -> false, p -> {
            if (p.equals(point)) {
                throw new IllegalStateException("injected at " + p);
            }
        });
        try (NetNs ns = NetNs.get(router.path())) {
            var out = ns.call(() -> Fixture.inProcess(plugin, "ADD", env, c));
            assertNotEquals(0, out.exitCode(), out.stdout());
            assertTrue(out.stdout().contains("injected at " + point), out.stdout());
        }
        List<String> left = FwRig.filter(router);
        assertTrue(left.stream().noneMatch(l -> l.contains(rig.v4(2)) || l.contains(rig.v6(2))), left.toString());
        assertTrue(left.contains("iptables -N CNI-FORWARD"), "the plugin ran in the router namespace: " + left);
        assertTrue(Kernel.exec("iptables", "-w", "-S").ok().lines().noneMatch(l -> l.contains(rig.v4(2))), "the host is untouched");
    }
}
