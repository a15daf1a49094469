package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.bridge.Bridge;
import dev.jcni.plugins.hostlocal.HostLocal;
import dev.jcni.plugins.portmap.Portmap;
import dev.jcni.plugins.ptp.Ptp;
import dev.jcni.sdk.runtime.CniConfig;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.NetConfList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile names: container ids, network names and interface names with quotes, {@code ..}, {@code /},
 * newlines, NUL and NUL-like escapes, shell and nft syntax, and very long values. Each is refused with a
 * coded error before anything is made, or (a long but legal container id) works and is undone; no file
 * appears outside the {@code dataDir} and the cache directory, and no firewall rule holds anything but
 * what the plugins meant (they run iptables and nft with argument vectors, never a shell).
 */
@KernelTest
class HostileNamesIT {
    static final String TAG = Kernel.uniqueName("jhost");

    @TempDir
    Path tmp;

    /** Values no container id, network name or interface name may take. */
    static final List<String> HOSTILE = List.of("a\"b", "a'b", "..", "../../../etc/passwd", "a/../../b", "/abs", "a\nb", "a\rb",
            "a\u0000b", "a\\u0000b", "a%00b", "a\\x00b", "$(touch /tmp/" + TAG + "-pwned)", "`id`", "a;iptables -F", "a b", "-j ACCEPT",
            "--help", "a\tb", "é", "a:b", "x".repeat(100_000) + "/");

    /** Values no interface name may take (too long in bytes, {@code .}/{@code ..}, a {@code /}, {@code :} or white space). */
    static final List<String> HOSTILE_IFNAMES = List.of(".", "..", "../../../etc/passwd", "a/../../b", "/abs", "a\nb", "a\rb", "a b",
            "-j ACCEPT", "a\tb", "a:b", "x".repeat(16), "\u00e9".repeat(8), "x".repeat(100_000));

    /** Legal for the kernel, but full of characters that mean something to nft or a shell; per main plugin. */
    static final Map<Network.Main, List<String>> ODD_INTERFACES = Map.of(
            Network.Main.BRIDGE, List.of("e#x", "e;x", "e\"x", "eth0"),
            Network.Main.PTP, List.of("e#x", "e\"x", "eth0"));

    static Plugin plugin(String name) {
        return GeneratedBadInputIT.plugin(name);
    }

    String conf(String plugin, String name, Path data) {
        String ipam = "{\"type\":\"host-local\",\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.248.1.0/24\"}]]}";
        String extra = switch (plugin) {
            case "bridge" -> ",\"bridge\":\"" + TAG.substring(0, 12) + "\",\"macspoofchk\":true,\"ipMasq\":true,\"ipam\":" + ipam;
            case "ptp" -> ",\"ipMasq\":true,\"ipMasqBackend\":\"nftables\",\"ipam\":" + ipam;
            case "host-local" -> ",\"ipam\":" + ipam;
            default -> ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":18080,\"containerPort\":80,\"protocol\":\"tcp\"}]},"
                    + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/x\"}],"
                    + "\"ips\":[{\"interface\":0,\"address\":\"10.248.1.5/24\"}]}";
        };
        return "{\"cniVersion\":\"1.0.0\",\"name\":" + json(name) + ",\"type\":\"" + plugin + "\"" + extra + "}";
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /**
     * Rule: every hostile container id, network name and interface name is refused by every plugin
     * with code 4 or 7 (a missing or invalid variable, an invalid network name), and nothing is made:
     * the directory around the {@code dataDir} holds only the empty {@code dataDir}, no canary file
     * appears, no link or firewall rule names the run.
     */
    @Test
    void hostileNamesAreRefusedWithACodeAndReachNoPath() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("a").resolve("data"));
        int calls = 0;
        for (String plugin : List.of("bridge", "ptp", "host-local", "portmap")) {
            for (String where : List.of("CNI_CONTAINERID", "name", "CNI_IFNAME")) {
                for (String bad : where.equals("CNI_IFNAME") ? HOSTILE_IFNAMES : HOSTILE) {
                    for (String verb : List.of("ADD", "DEL", "CHECK")) {
                        Map<String, String> env = new java.util.LinkedHashMap<>(Map.of("CNI_CONTAINERID", TAG, "CNI_NETNS",
                                "/run/netns/" + TAG + "-absent", "CNI_IFNAME", "eth0"));
                        String name = TAG;
                        if (where.equals("name")) {
                            name = bad;
                        } else {
                            env.put(where, bad);
                        }
                        Dist.Run r = Calls.inProcess(plugin(plugin), verb, env, conf(plugin, name, data));
                        calls++;
                        String what = plugin + " " + verb + " " + where + "=" + (bad.length() > 40 ? bad.substring(0, 40) + "..." : bad)
                                + ": " + (r.toString().length() > 2000 ? r.toString().substring(0, 2000) : r);
                        assertEquals(1, r.exitCode(), what);
                        CniException e = r.error();
                        assertTrue(e.code() == 4 || e.code() == 7, what);
                        assertFalse(r.stdout().contains("\tat ") || r.stderr().contains("\tat "), what);
                        assertEquals(List.of(), Store.files(data), what);
                        assertEquals(List.of("data"), Store.files(data.getParent()), what);
                    }
                }
            }
        }
        assertFalse(Files.exists(Path.of("/tmp/" + TAG + "-pwned")));
        assertFalse(Kernel.exec("iptables-save").ok().contains(TAG));
        assertFalse(Kernel.exec("nft", "list", "ruleset").ok().contains(TAG));
        Calls.figure("hostile names (in-process)", calls + " calls with " + HOSTILE.size()
                + " hostile container ids and network names and " + HOSTILE_IFNAMES.size() + " hostile interface names: all refused with code 4 or 7, nothing made");
    }

    /**
     * Rule: the runtime's result cache never reads or removes a file outside its directory, whatever the
     * container id: a canary cache entry planted where {@code ../} would lead stays unread and in place.
     */
    @Test
    void theResultCacheNeverLeavesItsDirectory() throws IOException {
        Path cache = Files.createDirectories(tmp.resolve("b").resolve("cache"));
        NetConfList list = NetConfList.fromJson(("{\"cniVersion\":\"1.1.0\",\"name\":\"" + TAG + "\",\"plugins\":[{\"type\":\"host-local\","
                + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + tmp.resolve("b").resolve("data") + "\",\"ranges\":[[{\"subnet\":"
                + "\"10.248.2.0/24\"}]]}}]}").getBytes(StandardCharsets.UTF_8));
        CniConfig cni = CniConfig.create(List.of(Dist.bin().toString())).withCacheDir(cache);
        // results/<net>-x/../../../canary-eth0 is tmp/b/canary-eth0
        Path canary = tmp.resolve("b").resolve("canary-eth0");
        byte[] entry = ("{\"kind\":\"cniCacheV1\",\"containerId\":\"x\",\"ifName\":\"eth0\",\"networkName\":\"" + TAG + "\",\"config\":\"e30=\","
                + "\"result\":{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.248.2.9/24\"}]}}").getBytes(StandardCharsets.UTF_8);
        Files.write(canary, entry);
        RuntimeConf rt = RuntimeConf.of("x/../../../canary", "/run/netns/" + TAG + "-absent", "eth0");
        CniException read = org.junit.jupiter.api.Assertions.assertThrows(CniException.class, () -> cni.getNetworkListCachedResult(list, rt));
        assertEquals(4, read.code(), read.getMessage());
        assertEquals(Optional.empty(), cni.getNetworkListCachedConfig(list, rt));
        CniException del = org.junit.jupiter.api.Assertions.assertThrows(CniException.class, () -> cni.delNetworkList(list, rt));
        assertEquals(4, del.code(), "the plugin refuses the id: " + del.getMessage());
        CniException add = org.junit.jupiter.api.Assertions.assertThrows(CniException.class, () -> cni.addNetworkList(list, rt));
        assertEquals(4, add.code(), add.getMessage());
        assertArrayEquals(entry, Files.readAllBytes(canary), "the canary is untouched");
        assertFalse(Files.exists(cache.resolve("results")), "nothing was cached");
    }

    /**
     * Rule: interface names that the kernel accepts but that mean something to nft or a shell, and a
     * long container id (300 characters, legal), through a bridge list (spoof check in nft,
     * masquerading in iptables) and a ptp list (masquerading in nft) with portmap: ADD either succeeds
     * (then the firewall holds the attachment's own rules only, named in full) or fails with a code;
     * DEL and GC then leave nothing.
     */
    @Test
    void oddButLegalNamesWorkOrFailWithACodeAndDelLeavesNothing() {
        Calls.requireMode();
        List<String> outcomes = new ArrayList<>();
        for (Network.Main main : Network.Main.values()) {
            try (Network net = new Network(main, false)) {
                for (String ifName : ODD_INTERFACES.get(main)) {
                    TestNetns ns = net.netns();
                    RuntimeConf base = net.attachment(ns);
                    String cid = ifName.equals("eth0") ? base.containerId() + "-" + "c".repeat(300) : base.containerId();
                    RuntimeConf rt = RuntimeConf.of(cid, base.netns(), ifName).withCapabilityArgs(base.capabilityArgs());
                    String outcome;
                    try {
                        net.cni.addNetworkList(net.list, rt);
                        outcome = "ok";
                        // the rules made: every iptables rule of the attachment's masquerading chain has one target
                        String chain = dev.jcni.plugins.firewall.Names.chainName(net.f.net, cid);
                        for (String l : Kernel.exec("iptables-save", "-t", "nat").ok().lines().filter(l -> l.contains(chain)).toList()) {
                            assertEquals(1, l.split(" -j ", -1).length - 1, ifName + ": " + l);
                        }
                    } catch (CniException e) {
                        outcome = "code " + e.code();
                        assertTrue(e.code() > 0, e.getMessage());
                    }
                    outcomes.add(main + " " + (ifName.equals("eth0") ? "300-character container id" : ifName) + ": " + outcome);
                    net.cni.delNetworkList(net.list, rt);
                    net.cni.gcNetworkList(net.list, List.of());
                    assertEquals(List.of(), net.leftovers(ns, rt), main + " " + ifName);
                    ns.close();
                }
            }
        }
        Calls.figure("hostile names (kernel)", String.join("; ", outcomes));
    }
}
