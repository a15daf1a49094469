package dev.jcni.sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.NetConfList;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime against the Go reference plugins v1.1.1 (/usr/lib/cni, spec up to 1.0.0), in
 * namespaces, bridges, subnets and directories of the test's own; everything is removed afterwards.
 */
@KernelTest
class RealPluginsTest {
    static final Path GO_PLUGINS = Path.of("/usr/lib/cni");
    static final List<String> HOSTPORT_CHAINS = List.of("CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ");

    @TempDir
    Path tmp;
    CniConfig cni;
    String network;
    String bridge;
    String subnetPrefix;
    final List<TestNetns> namespaces = new ArrayList<>();
    final List<Runnable> dels = new ArrayList<>();
    Set<String> natChainsBefore;

    @BeforeEach
    void setUp() {
        Kernel.assumeGoPlugins();
        cni = CniConfig.create(List.of(GO_PLUGINS.toString())).withCacheDir(tmp.resolve("cache"));
        network = Kernel.uniqueName("jcnitest-");
        bridge = Kernel.uniqueName("jcb");
        ThreadLocalRandom r = ThreadLocalRandom.current();
        subnetPrefix = "10." + (240 + r.nextInt(10)) + "." + r.nextInt(256) + ".";
        natChainsBefore = natChains();
    }

    @AfterEach
    void tearDown() {
        for (Runnable del : dels) {
            try {
                del.run();
            } catch (RuntimeException e) {
                // best effort: the namespace and the bridge go below anyway
            }
        }
        namespaces.forEach(TestNetns::close);
        if (Kernel.exec("ip", "link", "show", bridge).exitCode() == 0) {
            Kernel.exec("ip", "link", "del", bridge);
        }
        removeHostportChainsWeCreated();
    }

    TestNetns netns() {
        TestNetns ns = TestNetns.create();
        namespaces.add(ns);
        return ns;
    }

    RuntimeConf attach(NetConfList list, TestNetns ns, String containerId, Map<String, Object> caps) {
        RuntimeConf rt = RuntimeConf.of(containerId, ns.path().toString(), "eth0").withCapabilityArgs(caps);
        dels.add(() -> cni.delNetworkList(list, rt));
        return rt;
    }

    String ipam() {
        return "{'type':'host-local','dataDir':'" + tmp.resolve("ipam") + "','ranges':[[{'subnet':'" + subnetPrefix + "0/24'}]]}";
    }

    NetConfList bridgeList() {
        return NetConfList.fromJson(("{'cniVersion':'1.0.0','name':'" + network + "','plugins':["
                + "{'type':'bridge','bridge':'" + bridge + "','isGateway':false,'ipMasq':false,'ipam':" + ipam() + "},"
                + "{'type':'portmap','capabilities':{'portMappings':true},'snat':false}]}")
                .replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    NetConfList ptpList() {
        return NetConfList.fromJson(("{'cniVersion':'1.0.0','name':'" + network + "','plugins':["
                + "{'type':'ptp','ipMasq':false,'ipam':" + ipam() + "}]}").replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    static String addressIn(TestNetns ns) {
        JsonNode j = json(ns.exec("ip", "-j", "-4", "addr", "show", "dev", "eth0"));
        return j.size() == 0 ? "" : j.get(0).get("addr_info").get(0).get("local").asText();
    }

    static boolean hasEth0(TestNetns ns) {
        return ns.exec("ip", "link", "show", "eth0").exitCode() == 0;
    }

    static JsonNode json(Kernel.ExecResult r) {
        try {
            return Json.parse(r.ok().getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    List<String> reservedIps() throws Exception {
        Path d = tmp.resolve("ipam").resolve(network);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(subnetPrefix)).sorted().toList();
        }
    }

    static Set<String> natChains() {
        Set<String> out = new java.util.TreeSet<>();
        for (String line : Kernel.exec("iptables", "-t", "nat", "-S").stdout().split("\n")) {
            if (line.startsWith("-N ")) {
                out.add(line.substring(3).trim());
            }
        }
        return out;
    }

    void removeHostportChainsWeCreated() {
        Set<String> now = natChains();
        for (String chain : now) {
            if (chain.startsWith("CNI-DN-") && !natChainsBefore.contains(chain)) {
                String rules = Kernel.exec("iptables", "-t", "nat", "-S", chain).stdout();
                if (rules.contains(subnetPrefix)) {
                    Kernel.exec("iptables", "-t", "nat", "-F", chain);
                    Kernel.exec("iptables", "-t", "nat", "-X", chain);
                }
            }
        }
        for (String chain : HOSTPORT_CHAINS) {
            if (now.contains(chain) && !natChainsBefore.contains(chain)
                    && Kernel.exec("iptables", "-t", "nat", "-S", chain).stdout().strip().split("\n").length == 1) {
                for (String parent : List.of("PREROUTING", "OUTPUT", "POSTROUTING")) {
                    for (String line : Kernel.exec("iptables", "-t", "nat", "-S", parent).stdout().split("\n")) {
                        if (line.startsWith("-A " + parent + " ") && line.contains("-j " + chain)) {
                            List<String> cmd = new ArrayList<>(List.of("iptables", "-t", "nat", "-D"));
                            cmd.addAll(List.of(line.substring(3).trim().split("\\s+")));
                            Kernel.exec(cmd.toArray(String[]::new));
                        }
                    }
                }
                Kernel.exec("iptables", "-t", "nat", "-F", chain);
                Kernel.exec("iptables", "-t", "nat", "-X", chain);
            }
        }
    }

    @Test
    void bridgeHostLocalPortmapAddWithPortMappingsDelTwiceCacheFieldByField() throws Exception {
        NetConfList list = bridgeList();
        TestNetns ns = netns();
        Map<String, Object> caps = Map.of("portMappings",
                List.of(Map.of("hostPort", 30000 + ThreadLocalRandom.current().nextInt(20000), "containerPort", 80, "protocol", "tcp")));
        RuntimeConf rt = attach(list, ns, "jcni-real-1", caps);

        Result r = cni.addNetworkList(list, rt);
        assertEquals("1.0.0", r.cniVersion());
        String ip = r.ips().get(0).address().address().getHostAddress();
        assertTrue(ip.startsWith(subnetPrefix), ip);
        assertEquals(ip, addressIn(ns));
        assertTrue(r.interfaces().stream().map(Interface::name).toList().containsAll(List.of(bridge, "eth0")));
        assertEquals(List.of(ip), reservedIps());
        assertTrue(Kernel.exec("iptables", "-t", "nat", "-S").stdout().contains(ip + ":80"),
                "portmap got runtimeConfig.portMappings and made a DNAT rule");

        Path cacheFile = tmp.resolve("cache/results/" + network + "-jcni-real-1-eth0");
        JsonNode c = Json.parse(Files.readAllBytes(cacheFile));
        assertEquals("cniCacheV1", c.get("kind").asText());
        assertEquals("jcni-real-1", c.get("containerId").asText());
        assertEquals(Json.text(list.bytes()), Json.text(Base64.getDecoder().decode(c.get("config").asText())));
        assertEquals("eth0", c.get("ifName").asText());
        assertEquals(network, c.get("networkName").asText());
        assertEquals(ns.path().toString(), c.get("netns").asText());
        assertFalse(c.has("cniArgs"));
        assertEquals(Json.text(Json.sorted(dev.jcni.sdk.internal.GoJson.encode(caps)).toString().getBytes(StandardCharsets.UTF_8)),
                Json.text(Json.write(c.get("capabilityArgs"))));
        assertEquals(Json.text(Json.sorted(Json.parse(r.toJson())).toString().getBytes(StandardCharsets.UTF_8)),
                Json.text(Json.write(c.get("result"))));

        assertEquals(Set.of("portMappings"), cni.validateNetworkList(list));
        cni.getStatusNetworkList(list);

        cni.delNetworkList(list, rt);
        assertFalse(hasEth0(ns));
        assertEquals(List.of(), reservedIps());
        assertFalse(Files.exists(cacheFile));
        assertFalse(Kernel.exec("iptables", "-t", "nat", "-S").stdout().contains(ip + ":80"), "portmap's DNAT rule is gone");
        cni.delNetworkList(list, rt);
    }

    /** portmap v1.1.1's CHECK fails on IPv4-only attachments with port mappings (it looks for its IPv6 chain): checked without. */
    @Test
    void bridgeHostLocalPortmapAddCheckDel() throws Exception {
        NetConfList list = bridgeList();
        TestNetns ns = netns();
        RuntimeConf rt = attach(list, ns, "jcni-real-3", Map.of());
        String ip = cni.addNetworkList(list, rt).ips().get(0).address().address().getHostAddress();
        assertEquals(ip, addressIn(ns));
        cni.checkNetworkList(list, rt);
        cni.delNetworkList(list, rt);
        assertFalse(hasEth0(ns));
        assertEquals(List.of(), reservedIps());
    }

    @Test
    void ptpHostLocalAddCheckDelTwice() throws Exception {
        NetConfList list = ptpList();
        TestNetns ns = netns();
        RuntimeConf rt = attach(list, ns, "jcni-real-2", Map.of());
        Result r = cni.addNetworkList(list, rt);
        String ip = r.ips().get(0).address().address().getHostAddress();
        assertEquals(ip, addressIn(ns));
        cni.checkNetworkList(list, rt);
        cni.delNetworkList(list, rt);
        assertFalse(hasEth0(ns));
        assertEquals(List.of(), reservedIps());
        cni.delNetworkList(list, rt);
    }

    @Test
    void gcDeletesStaleAttachmentAndKeepsValidOne() throws Exception {
        NetConfList list = ptpList();
        TestNetns staleNs = netns();
        TestNetns validNs = netns();
        RuntimeConf stale = attach(list, staleNs, "jcni-stale", Map.of());
        RuntimeConf valid = attach(list, validNs, "jcni-valid", Map.of());
        String staleIp = cni.addNetworkList(list, stale).ips().get(0).address().address().getHostAddress();
        String validIp = cni.addNetworkList(list, valid).ips().get(0).address().address().getHostAddress();
        assertEquals(List.of(staleIp, validIp).stream().sorted().toList(), reservedIps());

        cni.gcNetworkList(list, List.of(new Attachment("jcni-valid", "eth0")));

        assertFalse(hasEth0(staleNs));
        assertEquals(validIp, addressIn(validNs));
        assertEquals(List.of(validIp), reservedIps());
        assertEquals(List.of("jcni-valid"), cni.getCachedAttachments().stream().map(NetworkAttachment::containerId).toList());
        cni.checkNetworkList(list, valid);
    }
}
