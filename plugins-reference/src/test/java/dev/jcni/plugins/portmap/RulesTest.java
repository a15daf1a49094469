package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.firewall.SpecLines;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The rules both backends generate, against the values of Go's own unit tests for the same inputs
 * (plugins/meta/portmap/portmap_iptables_test.go and portmap_nftables_test.go at HEAD).
 */
class RulesTest {
    static final String LONG_ID = "icee6giejonei6sohng6ahngee7laquohquee9shiGo7fohferakah3Feiyoolu2pei7ciPhoh7shaoX6vai3vuf0ahfaeng8yohb9ceu0daez5hashee8ooYai5wa3y";

    static final String EIGHT = "\"runtimeConfig\":{\"portMappings\":["
            + "{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
            + "{\"hostPort\":8081,\"containerPort\":80,\"protocol\":\"tcp\"},"
            + "{\"hostPort\":8080,\"containerPort\":81,\"protocol\":\"udp\"},"
            + "{\"hostPort\":8082,\"containerPort\":82,\"protocol\":\"udp\"},"
            + "{\"hostPort\":8083,\"containerPort\":83,\"protocol\":\"tcp\",\"hostIP\":\"192.168.0.2\"},"
            + "{\"hostPort\":8084,\"containerPort\":84,\"protocol\":\"tcp\",\"hostIP\":\"0.0.0.0\"},"
            + "{\"hostPort\":8085,\"containerPort\":85,\"protocol\":\"tcp\",\"hostIP\":\"2001:db8:a::1\"},"
            + "{\"hostPort\":8086,\"containerPort\":86,\"protocol\":\"tcp\",\"hostIP\":\"::\"}]}";

    static final IpPrefix NET4 = IpPrefix.parse("10.0.0.2/24");
    static final IpPrefix NET6 = IpPrefix.parse("2001:db8::2/64");

    static PortmapConfig config(String extra) {
        return PortmapConfigTest.parse(PortmapConfigTest.conf(extra));
    }

    static List<String> r(String line) {
        return List.of(line.split(" "));
    }

    @Test
    void chainNamesAreGos() {
        assertEquals("CNI-DN-bfd599665540dd91d5d28", IptablesRules.dnatChain("testNetName", LONG_ID));
        assertEquals("CNI-DN-67e92b96e692a494b6b85", IptablesRules.dnatChain("test", LONG_ID));
    }

    @Test
    void iptablesRulesEqualGos() {
        PortmapConfig c = config(EIGHT + ",\"snat\":true,\"conditionsV4\":[\"-a\",\"b\"],\"conditionsV6\":[\"-c\",\"d\"]");
        String comment = "dnat name: \"test\" id: \"" + LONG_ID + "\"";
        String chain = "CNI-DN-67e92b96e692a494b6b85";
        assertEquals(List.of(
                List.of("-m", "comment", "--comment", comment, "-m", "multiport", "-p", "tcp", "--destination-ports",
                        "8080,8081,8083,8084,8085,8086", "-a", "b", "-j", chain),
                List.of("-m", "comment", "--comment", comment, "-m", "multiport", "-p", "udp", "--destination-ports",
                        "8080,8082", "-a", "b", "-j", chain)),
                IptablesRules.entryRules(c, LONG_ID, false));
        assertEquals(List.of(
                r("-p tcp --dport 8080 -s 10.0.0.2/24 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8080 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80"),
                r("-p tcp --dport 8081 -s 10.0.0.2/24 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8081 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8081 -j DNAT --to-destination 10.0.0.2:80"),
                r("-p udp --dport 8080 -s 10.0.0.2/24 -j CNI-HOSTPORT-SETMARK"),
                r("-p udp --dport 8080 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK"),
                r("-p udp --dport 8080 -j DNAT --to-destination 10.0.0.2:81"),
                r("-p udp --dport 8082 -s 10.0.0.2/24 -j CNI-HOSTPORT-SETMARK"),
                r("-p udp --dport 8082 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK"),
                r("-p udp --dport 8082 -j DNAT --to-destination 10.0.0.2:82"),
                r("-p tcp --dport 8083 -d 192.168.0.2 -s 10.0.0.2/24 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8083 -d 192.168.0.2 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8083 -d 192.168.0.2 -j DNAT --to-destination 10.0.0.2:83"),
                r("-p tcp --dport 8084 -s 10.0.0.2/24 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8084 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8084 -j DNAT --to-destination 10.0.0.2:84")),
                IptablesRules.dnatRules(c, NET4));
        assertEquals(List.of(
                r("-p tcp --dport 8080 -s 2001:db8::2/64 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8080 -j DNAT --to-destination [2001:db8::2]:80"),
                r("-p tcp --dport 8081 -s 2001:db8::2/64 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8081 -j DNAT --to-destination [2001:db8::2]:80"),
                r("-p udp --dport 8080 -s 2001:db8::2/64 -j CNI-HOSTPORT-SETMARK"),
                r("-p udp --dport 8080 -j DNAT --to-destination [2001:db8::2]:81"),
                r("-p udp --dport 8082 -s 2001:db8::2/64 -j CNI-HOSTPORT-SETMARK"),
                r("-p udp --dport 8082 -j DNAT --to-destination [2001:db8::2]:82"),
                r("-p tcp --dport 8085 -d 2001:db8:a::1 -s 2001:db8::2/64 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8085 -d 2001:db8:a::1 -j DNAT --to-destination [2001:db8::2]:85"),
                r("-p tcp --dport 8086 -s 2001:db8::2/64 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8086 -j DNAT --to-destination [2001:db8::2]:86")),
                IptablesRules.dnatRules(c, NET6));
        assertEquals("-c", IptablesRules.entryRules(c, LONG_ID, true).get(0).get(10), "IPv6 entry rules take conditionsV6");
    }

    @Test
    void withoutSnatOnlyDnatRules() {
        PortmapConfig c = config(EIGHT + ",\"snat\":false");
        assertEquals(List.of(
                r("-p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80"),
                r("-p tcp --dport 8081 -j DNAT --to-destination 10.0.0.2:80"),
                r("-p udp --dport 8080 -j DNAT --to-destination 10.0.0.2:81"),
                r("-p udp --dport 8082 -j DNAT --to-destination 10.0.0.2:82"),
                r("-p tcp --dport 8083 -d 192.168.0.2 -j DNAT --to-destination 10.0.0.2:83"),
                r("-p tcp --dport 8084 -j DNAT --to-destination 10.0.0.2:84")),
                IptablesRules.dnatRules(c, NET4));
    }

    @Test
    void externalMarkChainAndMasqAll() {
        PortmapConfig c = config("\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]},"
                + "\"externalSetMarkChain\":\"PLZ-SET-MARK\"");
        assertEquals(List.of(
                r("-p tcp --dport 8080 -s 10.0.0.2/24 -j PLZ-SET-MARK"),
                r("-p tcp --dport 8080 -s 127.0.0.1 -j PLZ-SET-MARK"),
                r("-p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80")),
                IptablesRules.dnatRules(c, NET4));
        PortmapConfig all = config("\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]},"
                + "\"masqAll\":true");
        assertEquals(List.of(
                r("-p tcp --dport 8080 -s 0.0.0.0/0 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80")),
                IptablesRules.dnatRules(all, NET4));
        assertEquals(List.of(
                r("-p tcp --dport 8080 -s ::/0 -j CNI-HOSTPORT-SETMARK"),
                r("-p tcp --dport 8080 -j DNAT --to-destination [2001:db8::2]:80")),
                IptablesRules.dnatRules(all, NET6));
    }

    @Test
    void markChains() {
        assertEquals(r("-m comment --comment X -j MARK --set-xmark 0x20/0x20").subList(4, 8),
                IptablesRules.setMarkRule(5).subList(4, 8));
        assertEquals("CNI portfwd masquerade mark", IptablesRules.setMarkRule(5).get(3));
        assertEquals(r("-m mark --mark 0x2000/0x2000 -j MASQUERADE"), IptablesRules.masqRule(13));
        assertEquals("0x1/0x1", IptablesRules.mark(0));
        assertEquals("0x80000000/0x80000000", IptablesRules.mark(31));
        assertEquals(List.of("-m", "comment", "--comment", "CNI portfwd requiring masquerade", "-j", "CNI-HOSTPORT-MASQ"),
                IptablesRules.masqEntryRule());
        assertEquals(r("-m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT"), IptablesRules.topDnatEntryRule());
    }

    @Test
    void twentyMappingsMakeTwoMultiportChunks() {
        List<String> m = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            m.add("{\"hostPort\":" + (9000 + i) + ",\"containerPort\":80,\"protocol\":\"tcp\"}");
        }
        PortmapConfig c = config("\"runtimeConfig\":{\"portMappings\":[" + String.join(",", m) + "]}");
        List<List<String>> entries = IptablesRules.entryRules(c, "c1", false);
        assertEquals(2, entries.size());
        assertEquals("9000,9001,9002,9003,9004,9005,9006,9007,9008,9009,9010,9011,9012,9013,9014", entries.get(0).get(9));
        assertEquals("9015,9016,9017,9018,9019", entries.get(1).get(9));
    }

    @Test
    void longCommentsAreCutAsGo() {
        String id = "x".repeat(300);
        String c = IptablesRules.comment("n", id);
        // Go keeps 253 characters and adds "...": 256 in all (iptables-nft takes it; legacy would not)
        assertEquals(256, c.length());
        assertTrue(c.endsWith("..."));
        assertEquals(255, IptablesRules.comment("n", "x".repeat(255 - 21)).length(), "255 characters are kept");
    }

    @Test
    void gcReadsTheContainerIdOnlyFromThisNetworksEntryRules() {
        String chain = IptablesRules.dnatChain("net1", "abc");
        String line = "-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment \"dnat name: \\\"net1\\\" id: \\\"abc\\\"\" -m multiport "
                + "--dports 8080 -j " + chain;
        assertEquals(Optional.of("abc"), IptablesRules.containerIdOfEntry("net1", SpecLines.split(line)));
        assertEquals(Optional.empty(), IptablesRules.containerIdOfEntry("net2", SpecLines.split(line)));
        assertEquals(Optional.empty(), IptablesRules.containerIdOfEntry("net1", SpecLines.split(line.replace(chain, "CNI-DN-other"))));
        assertEquals(Optional.of(8080), IptablesPortMapper.udpPort(r("-A CNI-DN-x -p udp -m udp --dport 8080 -j DNAT --to-destination 1.2.3.4:80")));
        assertEquals(Optional.empty(), IptablesPortMapper.udpPort(r("-A CNI-DN-x -p tcp -m tcp --dport 8080 -j DNAT --to-destination 1.2.3.4:80")));
    }

    @Test
    void nftTransactionHasGosObjectsAndRules() {
        PortmapConfig c = config(EIGHT + ",\"backend\":\"nftables\",\"snat\":true,\"conditionsV4\":[\"a\",\"b\"],\"conditionsV6\":[\"c\",\"d\"]");
        String id = "icee6giejonei6so";
        // knftables' fake dumps the state sorted; Go's transaction also flushes the three chains it refills
        TreeSet<String> expected = new TreeSet<>(List.of(
                "add table ip cni_hostport { comment \"CNI portmap plugin\" ; }",
                "add chain ip cni_hostport hostip_hostports",
                "add chain ip cni_hostport hostports",
                "add chain ip cni_hostport hostports_all",
                "add chain ip cni_hostport masquerading { type nat hook postrouting priority 100 ; }",
                "add chain ip cni_hostport output { type nat hook output priority -100 ; }",
                "add chain ip cni_hostport prerouting { type nat hook prerouting priority -100 ; }",
                "add rule ip cni_hostport hostports tcp dport 8080 dnat to 10.0.0.2:80 comment \"" + id + "\"",
                "add rule ip cni_hostport hostports tcp dport 8081 dnat to 10.0.0.2:80 comment \"" + id + "\"",
                "add rule ip cni_hostport hostports udp dport 8080 dnat to 10.0.0.2:81 comment \"" + id + "\"",
                "add rule ip cni_hostport hostports udp dport 8082 dnat to 10.0.0.2:82 comment \"" + id + "\"",
                "add rule ip cni_hostport hostports ip daddr 192.168.0.2 tcp dport 8083 dnat to 10.0.0.2:83 comment \"" + id + "\"",
                "add rule ip cni_hostport hostports tcp dport 8084 dnat to 10.0.0.2:84 comment \"" + id + "\"",
                "add rule ip cni_hostport hostports_all jump hostip_hostports",
                "add rule ip cni_hostport hostports_all jump hostports",
                "add rule ip cni_hostport masquerading ip saddr 10.0.0.2 ip daddr 10.0.0.2 masquerade comment \"" + id + "\"",
                "add rule ip cni_hostport masquerading ip saddr 127.0.0.1 ip daddr 10.0.0.2 masquerade comment \"" + id + "\"",
                "add rule ip cni_hostport output a b fib daddr type local jump hostports_all",
                "add rule ip cni_hostport prerouting a b fib daddr type local jump hostports_all",
                "flush chain ip cni_hostport hostports_all",
                "flush chain ip cni_hostport output",
                "flush chain ip cni_hostport prerouting"));
        assertEquals(expected, new TreeSet<>(NftPortMapper.addScript(c, id, NET4).lines().toList()));

        PortmapConfig noSnat = config(EIGHT + ",\"backend\":\"nftables\",\"snat\":false,\"conditionsV6\":[\"c\",\"d\"]");
        TreeSet<String> expected6 = new TreeSet<>(List.of(
                "add table ip6 cni_hostport { comment \"CNI portmap plugin\" ; }",
                "add chain ip6 cni_hostport hostip_hostports",
                "add chain ip6 cni_hostport hostports",
                "add chain ip6 cni_hostport hostports_all",
                "add chain ip6 cni_hostport output { type nat hook output priority -100 ; }",
                "add chain ip6 cni_hostport prerouting { type nat hook prerouting priority -100 ; }",
                "add rule ip6 cni_hostport hostports tcp dport 8080 dnat to [2001:db8::2]:80 comment \"" + id + "\"",
                "add rule ip6 cni_hostport hostports tcp dport 8081 dnat to [2001:db8::2]:80 comment \"" + id + "\"",
                "add rule ip6 cni_hostport hostports udp dport 8080 dnat to [2001:db8::2]:81 comment \"" + id + "\"",
                "add rule ip6 cni_hostport hostports udp dport 8082 dnat to [2001:db8::2]:82 comment \"" + id + "\"",
                "add rule ip6 cni_hostport hostports ip6 daddr 2001:db8:a::1 tcp dport 8085 dnat to [2001:db8::2]:85 comment \"" + id + "\"",
                "add rule ip6 cni_hostport hostports tcp dport 8086 dnat to [2001:db8::2]:86 comment \"" + id + "\"",
                "add rule ip6 cni_hostport hostports_all jump hostip_hostports",
                "add rule ip6 cni_hostport hostports_all jump hostports",
                "add rule ip6 cni_hostport output c d fib daddr type local jump hostports_all",
                "add rule ip6 cni_hostport prerouting c d fib daddr type local jump hostports_all",
                "flush chain ip6 cni_hostport hostports_all",
                "flush chain ip6 cni_hostport output",
                "flush chain ip6 cni_hostport prerouting"));
        assertEquals(expected6, new TreeSet<>(NftPortMapper.addScript(noSnat, id, NET6).lines().toList()));
    }

    @Test
    void nftMasqAllMasqueradesEverySource() {
        PortmapConfig c = config("\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]},"
                + "\"backend\":\"nftables\",\"masqAll\":true");
        List<String> masq = NftPortMapper.addScript(c, "c1", NET4).lines().filter(l -> l.contains("masquerade")).toList();
        assertEquals(List.of("add rule ip cni_hostport masquerading ip saddr 0.0.0.0/0 ip daddr 10.0.0.2 masquerade comment \"c1\""), masq);
    }

    @Test
    void containerAddressesFollowGosInterfaceRules() {
        String prev = "{\"cniVersion\":\"1.0.0\",\"interfaces\":["
                + "{\"name\":\"br0\"},{\"name\":\"veth1\"},{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"},{\"name\":\"eth1\",\"sandbox\":\"/run/netns/x\"}],"
                + "\"ips\":[{\"interface\":0,\"address\":\"10.9.0.1/24\"},{\"interface\":3,\"address\":\"10.8.0.2/24\"},"
                + "{\"interface\":2,\"address\":\"fd00:1::2/64\"},{\"interface\":2,\"address\":\"10.0.0.2/24\"},"
                + "{\"interface\":2,\"address\":\"10.0.0.3/24\"},{\"interface\":2,\"address\":\"fd00:1::3/64\"}]}";
        ContainerAddresses a = ContainerAddresses.of(Result.fromJson(prev.getBytes(StandardCharsets.UTF_8)), "eth0");
        assertEquals(Optional.of(IpPrefix.parse("10.0.0.2/24")), a.v4());
        assertEquals(Optional.of(IpPrefix.parse("fd00:1::2/64")), a.v6());
        String noIndex = "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.9/24\"},{\"interface\":7,\"address\":\"10.0.0.8/24\"}]}";
        ContainerAddresses b = ContainerAddresses.of(Result.fromJson(noIndex.getBytes(StandardCharsets.UTF_8)), "eth0");
        assertEquals(Optional.of(IpPrefix.parse("10.0.0.9/24")), b.v4());
        assertEquals(Optional.empty(), b.v6());
    }
}
