package dev.jcni.plugins.ptp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.ip.State;
import dev.jcni.plugins.ip.Traffic;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged ptp plugin on the kernel, in namespaces of its own. */
@KernelTest
class PtpIT {
    final Fixture f = new Fixture();

    @AfterEach
    void cleanUp() {
        f.close();
    }

    @Test
    void dualStackAddCheckDelWithMtu() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "ptp", "\"mtu\":1400", f.ipamDual("[{\"dst\":\"0.0.0.0/0\"}]"));
        Result r = Fixture.jcni("ptp", "ADD", env, conf).result();
        assertEquals(2, r.interfaces().size());
        assertTrue(r.interfaces().get(0).name().matches("veth[0-9a-f]{8}"));
        assertEquals("eth0", r.interfaces().get(1).name());
        assertEquals(ns.path().toString(), r.interfaces().get(1).sandbox());
        assertEquals(1, r.ips().get(0).interfaceIndex().getAsInt());
        assertEquals(1, r.routes().size(), "the IPAM routes");
        String g4 = f.prefix4 + "1";
        String g6 = f.prefix6 + "1";
        List<String> cont = State.container(ns);
        assertTrue(cont.contains("route " + f.subnet4 + " via " + g4 + " dev eth0 src " + f.prefix4 + "2"), cont.toString());
        assertTrue(cont.contains("route " + g4 + " dev eth0 scope link src " + f.prefix4 + "2"), cont.toString());
        assertTrue(cont.contains("route default via " + g4 + " dev eth0"), cont.toString());
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("route6 " + f.subnet6 + " via " + g6 + " dev eth0 src " + f.prefix6 + "2")),
                cont.toString());
        assertTrue(cont.stream().noneMatch(l -> l.contains("proto kernel") && l.contains(f.subnet4)), "the kernel's prefix route is gone");
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("link eth0:") && l.contains("mtu 1400")));
        List<String> host = State.hostRoutesAndAddrs(f.prefix4, f.prefix6);
        assertTrue(host.contains("route " + f.prefix4 + "2 dev vethX scope host"), host.toString());
        assertTrue(host.stream().anyMatch(l -> l.startsWith("addr vethX inet " + g4 + "/32 scope global vethX")), host.toString());
        assertTrue(host.stream().anyMatch(l -> l.startsWith("addr vethX inet6 " + g6 + "/128 scope global")), host.toString());

        Fixture.jcni("ptp", "CHECK", env, Fixture.withPrev(conf, r)).assertQuietSuccess();
        ns.exec("ip", "route", "del", "default").ok();
        CniException e = Fixture.jcni("ptp", "CHECK", env, Fixture.withPrev(conf, r)).error();
        assertTrue(e.msg().startsWith("Expected Route 0.0.0.0/0"), e.msg());

        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
        assertEquals(List.of(), State.hostRoutesAndAddrs(f.prefix4, f.prefix6));
        assertTrue(f.store().keySet().stream().noneMatch(k -> k.startsWith("10.")));
        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void ipMasqAndDnsOverrideAndDelWithoutNetns() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "ptp", "\"ipMasq\":true,\"dns\":{\"nameservers\":[\"10.0.0.53\"],\"search\":[\"example\"]}",
                f.ipam4());
        Result r = Fixture.jcni("ptp", "ADD", env, conf).result();
        assertEquals(List.of("10.0.0.53"), r.dns().nameservers());
        assertEquals(3, f.iptablesLines().stream().filter(l -> l.startsWith("iptables -A")).count(), f.iptablesLines().toString());
        Map<String, String> noNs = new LinkedHashMap<>(env);
        noNs.put("CNI_NETNS", "");
        Fixture.jcni("ptp", "DEL", noNs, conf).assertQuietSuccess();
        assertEquals(List.of(), f.iptablesLines(), "beyond Go (plugins#810)");
        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void nftablesBackend() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "ptp", "\"ipMasq\":true,\"ipMasqBackend\":\"nftables\"", f.ipam4());
        Fixture.jcni("ptp", "ADD", env, conf).result();
        assertTrue(f.nftLines().stream().anyMatch(l -> l.startsWith("ip saddr " + f.prefix4 + "2 ip daddr != " + f.subnet4 + " masquerade")),
                f.nftLines().toString());
        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
        assertEquals(List.of(), f.nftLines());
    }

    @Test
    void containerReachesTheHostSideGateway() throws Exception {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "ptp", "", f.ipam4());
        Fixture.jcni("ptp", "ADD", env, conf).result();
        assertTrue(Traffic.ping(ns, Ip.parse(f.prefix4 + "1")));
        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void statusAndGc() {
        TestNetns a = f.netns();
        TestNetns b = f.netns();
        Map<String, String> ea = f.env("ca", a, "eth0");
        Map<String, String> eb = f.env("cb", b, "eth0");
        String conf = f.conf("1.1.0", "ptp", "\"ipMasq\":true,\"ipMasqBackend\":\"nftables\"", f.ipam4());
        Fixture.jcni("ptp", "ADD", ea, conf).result();
        Result rb = Fixture.jcni("ptp", "ADD", eb, conf).result();
        String gc = f.conf("1.1.0", "ptp", "\"ipMasq\":true,\"cni.dev/valid-attachments\":[{\"containerID\":\"cb\",\"ifname\":\"eth0\"}]",
                f.ipam4());
        Fixture.jcni("ptp", "GC", Map.of("CNI_PATH", f.cniPath), gc).assertQuietSuccess();
        List<String> left = f.nftLines();
        assertTrue(left.stream().anyMatch(l -> l.contains("id: cb")), left.toString());
        assertTrue(left.stream().noneMatch(l -> l.contains("id: ca")), left.toString());
        assertEquals(List.of(Ip.format(rb.ips().get(0).address().address())),
                f.store().keySet().stream().filter(k -> k.startsWith("10.")).toList(), "IPAM GC released ca's address");
        Fixture.jcni("ptp", "STATUS", Map.of("CNI_PATH", f.cniPath), gc).assertQuietSuccess();
        Fixture.jcni("ptp", "DEL", ea, conf).assertQuietSuccess();
        Fixture.jcni("ptp", "DEL", eb, conf).assertQuietSuccess();
    }

    @Test
    void badInputLeavesNothingBehind() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        for (String c : List.of(f.conf("1.0.0", "ptp", "", null), f.conf("1.0.0", "ptp", "\"mtu\":\"x\"", f.ipam4()),
                f.conf("1.0.0", "ptp", "\"ipMasq\":true,\"ipMasqBackend\":\"x\"", f.ipam4()),
                f.conf("1.0.0", "ptp", "", "{\"type\":\"host-local\",\"dataDir\":\"" + f.dataDir + "\",\"subnet\":\"10.1.2.3/33\"}"))) {
            Dist.Run run = Fixture.jcni("ptp", "ADD", env, c);
            assertEquals(1, run.exitCode(), c);
            assertFalse(run.stdout().contains("Exception"), run.stdout());
            assertTrue(ns.exec("ip", "link", "show", "eth0").exitCode() != 0, c);
        }
        Map<String, String> gone = new LinkedHashMap<>(env);
        gone.put("CNI_NETNS", "/run/netns/jcni-no-such-ns");
        assertEquals(999, Fixture.jcni("ptp", "ADD", gone, f.conf("1.0.0", "ptp", "", f.ipam4())).error().code());
        assertTrue(f.store().keySet().stream().noneMatch(k -> k.startsWith("10.")), "no address was taken");
        Fixture.jcni("ptp", "DEL", f.env("never", ns, "eth3"), f.conf("1.0.0", "ptp", "\"ipMasq\":true", f.ipam4())).assertQuietSuccess();
        assertEquals(List.of(), State.hostRoutesAndAddrs(f.prefix4));
    }

    /**
     * A cold ADD and DEL on the bundled runtime take every class from the distribution's archive
     * (none from a jar: the training covers the call's way) and link no lambda (the first one sets
     * up java.lang.invoke, several ms of a cold call; docs/performance.md, issue 22's cold path).
     */
    @Test
    void aColdCallTakesEveryClassFromTheArchiveAndLinksNoLambda(@TempDir Path dir) throws IOException {
        assertTrue(Files.isRegularFile(Dist.bin().resolveSibling("lib").resolve("archives/runtime/_dist.jsa")),
                "the reference distribution carries its runtime and archive");
        TestNetns ns = f.netns();
        String conf = f.conf("1.0.0", "ptp", "", f.ipam4());
        Result added = null;
        for (String command : List.of("ADD", "DEL")) {
            Path log = dir.resolve(command + ".classes");
            Map<String, String> env = new LinkedHashMap<>(f.env("cold-classes", ns, "eth0"));
            env.put("JCNI_JAVA_OPTS", "-Xlog:class+load=info:file=" + log);
            Dist.Run run = Fixture.jcni("ptp", command, env, added == null ? conf : Fixture.withPrev(conf, added));
            if (command.equals("ADD")) {
                added = run.result();
            } else {
                run.assertQuietSuccess();
            }
            List<String> lines = Files.readAllLines(log);
            assertTrue(lines.stream().anyMatch(l -> l.contains(" dev.jcni.plugins.ptp.Ptp source: shared objects file")),
                    command + ": the log names ptp's class from the archive");
            List<String> notShared = lines.stream().filter(l -> l.contains(" source: ") && !l.contains("source: shared objects file"))
                    .toList();
            assertEquals(List.of(), notShared, command + ": classes that did not come from the archive");
            assertEquals(List.of(), lines.stream().filter(l -> l.contains("$$Lambda$")).toList(), command + ": lambdas linked");
        }
        assertEquals(List.of(), State.hostRoutesAndAddrs(f.prefix4));
    }
}
