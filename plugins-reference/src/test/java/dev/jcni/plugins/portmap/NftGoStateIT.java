package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The nftables backend against the state the newest Go plugin makes (Debian's v1.1.1 has no nftables
 * backend, so Go's transaction is replayed as knftables writes it — the text of Go's own unit test
 * for the same inputs): jcni's CHECK accepts it, jcni's DEL removes it, and jcni's ADD makes the
 * identical ruleset.
 */
@KernelTest
class NftGoStateIT {

    @Test
    void goHeadStateIsCheckedAndRemovedAndJcniMakesTheSame() {
        String tag = String.format("%08x", ThreadLocalRandom.current().nextInt());
        String link = "jpn" + tag;
        String id = "jpn-" + tag;
        int a = 200 + ThreadLocalRandom.current().nextInt(50);
        int b = 1 + ThreadLocalRandom.current().nextInt(250);
        int p = 20000 + ThreadLocalRandom.current().nextInt(9000);
        String c4 = "10." + a + "." + b + ".5";
        String c6 = String.format("fd00:%x:%x::5", a, b);
        String hostIp = "10." + a + "." + (b + 1) + ".1";
        SharedState shared = SharedState.capture();
        try {
            Kernel.exec("ip", "link", "add", link, "type", "bridge").ok();
            Kernel.exec("ip", "link", "set", link, "up").ok();
            Kernel.exec("ip", "addr", "add", "10." + a + "." + b + ".1/24", "dev", link).ok();
            Kernel.exec("ip", "addr", "add", String.format("fd00:%x:%x::1/64", a, b), "dev", link, "nodad").ok();

            String q = "\"" + id + "\"";
            String go = String.join("\n",
                    "add table ip cni_hostport { comment \"CNI portmap plugin\" ; }",
                    "add chain ip cni_hostport hostports",
                    "add chain ip cni_hostport hostip_hostports",
                    "add chain ip cni_hostport hostports_all",
                    "flush chain ip cni_hostport hostports_all",
                    "add rule ip cni_hostport hostports_all jump hostip_hostports",
                    "add rule ip cni_hostport hostports_all jump hostports",
                    "add chain ip cni_hostport prerouting { type nat hook prerouting priority -100 ; }",
                    "flush chain ip cni_hostport prerouting",
                    "add rule ip cni_hostport prerouting fib daddr type local jump hostports_all",
                    "add chain ip cni_hostport output { type nat hook output priority -100 ; }",
                    "flush chain ip cni_hostport output",
                    "add rule ip cni_hostport output fib daddr type local jump hostports_all",
                    "add chain ip cni_hostport masquerading { type nat hook postrouting priority 100 ; }",
                    "add rule ip cni_hostport hostports tcp dport " + p + " dnat to " + c4 + ":80 comment " + q,
                    "add rule ip cni_hostport hostports udp dport " + p + " dnat to " + c4 + ":53 comment " + q,
                    "add rule ip cni_hostport hostports ip daddr " + hostIp + " tcp dport " + (p + 1) + " dnat to " + c4 + ":81 comment " + q,
                    "add rule ip cni_hostport masquerading ip saddr " + c4 + " ip daddr " + c4 + " masquerade comment " + q,
                    "add rule ip cni_hostport masquerading ip saddr 127.0.0.1 ip daddr " + c4 + " masquerade comment " + q,
                    "add table ip6 cni_hostport { comment \"CNI portmap plugin\" ; }",
                    "add chain ip6 cni_hostport hostports",
                    "add chain ip6 cni_hostport hostip_hostports",
                    "add chain ip6 cni_hostport hostports_all",
                    "flush chain ip6 cni_hostport hostports_all",
                    "add rule ip6 cni_hostport hostports_all jump hostip_hostports",
                    "add rule ip6 cni_hostport hostports_all jump hostports",
                    "add chain ip6 cni_hostport prerouting { type nat hook prerouting priority -100 ; }",
                    "flush chain ip6 cni_hostport prerouting",
                    "add rule ip6 cni_hostport prerouting fib daddr type local jump hostports_all",
                    "add chain ip6 cni_hostport output { type nat hook output priority -100 ; }",
                    "flush chain ip6 cni_hostport output",
                    "add rule ip6 cni_hostport output fib daddr type local jump hostports_all",
                    "add chain ip6 cni_hostport masquerading { type nat hook postrouting priority 100 ; }",
                    "add rule ip6 cni_hostport hostports tcp dport " + p + " dnat to [" + c6 + "]:80 comment " + q,
                    "add rule ip6 cni_hostport hostports udp dport " + p + " dnat to [" + c6 + "]:53 comment " + q,
                    "add rule ip6 cni_hostport masquerading ip6 saddr " + c6 + " ip6 daddr " + c6 + " masquerade comment " + q,
                    "") ;
            Kernel.execWithInput(go.getBytes(StandardCharsets.UTF_8), "nft", "-f", "-").ok();
            String goState = ruleset(id);
            assertTrue(goState.contains("dnat to " + c4 + ":80"), goState);

            String prev = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
                    + "\"ips\":[{\"interface\":0,\"address\":\"" + c4 + "/24\"},{\"interface\":0,\"address\":\"" + c6 + "/64\"}]}";
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"jpn\",\"type\":\"portmap\",\"backend\":\"nftables\","
                    + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + p + ",\"containerPort\":80,\"protocol\":\"tcp\"},"
                    + "{\"hostPort\":" + p + ",\"containerPort\":53,\"protocol\":\"udp\"},"
                    + "{\"hostPort\":" + (p + 1) + ",\"containerPort\":81,\"protocol\":\"tcp\",\"hostIP\":\"" + hostIp + "\"}]},"
                    + "\"prevResult\":" + prev + "}";
            Map<String, String> env = Map.of("CNI_CONTAINERID", id, "CNI_NETNS", "/run/netns/jpn-none", "CNI_IFNAME", "eth0",
                    "CNI_PATH", "/usr/lib/cni");

            Dist.cni("portmap", "CHECK", env, conf).assertQuietSuccess();
            Dist.cni("portmap", "DEL", env, conf).assertQuietSuccess();
            assertEquals(List.of(), Firewall.traces("jpn", id), "jcni DEL removes Go's rules");
            assertTrue(Firewall.nftTable(false).size() > 0, "the shared table stays, as with Go");

            Dist.Run add = Dist.cni("portmap", "ADD", env, conf);
            assertEquals(0, add.exitCode(), add.toString());
            assertEquals(goState, ruleset(id), "jcni's ADD makes Go's ruleset");
            Dist.cni("portmap", "CHECK", env, conf).assertQuietSuccess();
            Dist.cni("portmap", "DEL", env, conf).assertQuietSuccess();
            assertEquals(List.of(), Firewall.traces("jpn", id));
        } finally {
            Firewall.removeContainer("jpn", id);
            Kernel.exec("ip", "link", "del", link);
            shared.restore();
        }
    }

    /** Both tables as nft lists them, without handles. */
    static String ruleset(String id) {
        List<String> out = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            out.addAll(Kernel.exec("nft", "list", "table", v6 ? "ip6" : "ip", NftPortMapper.TABLE).ok().lines().toList());
        }
        return out.stream().collect(Collectors.joining("\n"));
    }
}
