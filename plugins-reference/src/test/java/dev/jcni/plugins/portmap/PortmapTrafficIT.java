package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netns.NetNs;
import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Ip;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real traffic through the packaged {@code portmap} executable, for both backends: Go bridge and
 * host-local (jcni's host-local in the first test) give the container its addresses, jcni's portmap forwards the ports, echo servers in
 * the container answer TCP and UDP.
 */
@KernelTest
class PortmapTrafficIT {

    static Path jcni() {
        return Dist.exe("portmap");
    }

    static String backend(String b) {
        return "\"backend\":\"" + b + "\"";
    }

    static String with(String... parts) {
        List<String> p = new ArrayList<>();
        for (String s : parts) {
            if (!s.isEmpty()) {
                p.add(s);
            }
        }
        return String.join(",", p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void forwardsTcpAndUdpFromTheHostAClientTheContainerItselfAndLocalhost(String backend) throws IOException {
        // this chain uses jcni's host-local (Go's bridge delegates to it); the other tests use Go's
        try (Rig rig = Rig.withJcniHostLocal()) {
            int tcpHost = Rig.port();
            int udpHost = tcpHost + 1;
            Rig.Container c = rig.add(jcni(), backend(backend), List.of(Rig.tcp(tcpHost, 8080), Rig.udp(udpHost, 5353)));
            c.echo = Echo.start(c.handle, "c0", 8080, 5353);
            NetNs client = rig.client();
            for (boolean v6 : new boolean[] {false, true}) {
                InetAddress h = rig.host(v6);
                String gateway = Ip.format(v6 ? rig.gateway6 : rig.gateway4);
                String fam = v6 ? "IPv6 " : "IPv4 ";
                assertTrue(Echo.tcp(Rig.HOST, h, tcpHost).startsWith("c0 "), fam + "host to host address");
                assertTrue(Echo.tcp(Rig.in(client), h, tcpHost).startsWith("c0 "), fam + "client to host address");
                assertEquals("c0 " + gateway, Echo.tcp(Rig.in(c.handle), h, tcpHost), fam + "hairpin, masqueraded");
                assertTrue(Echo.udp(Rig.HOST, 0, h, udpHost).startsWith("c0 "), fam + "UDP host to host address");
                assertTrue(Echo.udp(Rig.in(client), 0, h, udpHost).startsWith("c0 "), fam + "UDP client to host address");
                assertEquals("c0 " + gateway, Echo.udp(Rig.in(c.handle), 0, h, udpHost), fam + "UDP hairpin, masqueraded");
            }
            InetAddress localhost = Ip.parse("127.0.0.1");
            assertEquals("c0 " + Ip.format(rig.gateway4), Echo.tcp(Rig.HOST, localhost, tcpHost), "localhost, masqueraded");
            assertEquals("c0 " + Ip.format(rig.gateway4), Echo.udp(Rig.HOST, 0, localhost, udpHost), "UDP localhost");
            assertEquals("1", Rig.sysctl("net.ipv4.conf." + rig.bridge + ".route_localnet"),
                    "route_localnet on the interface that reaches the container");

            rig.check(jcni(), c).assertQuietSuccess();

            c.del().assertQuietSuccess();
            assertEquals(List.of(), Firewall.traces(rig.network, c.id), "DEL leaves nothing of the container");
            for (boolean v6 : new boolean[] {false, true}) {
                assertThrows(IOException.class, () -> Echo.tcp(Rig.HOST, rig.host(v6), tcpHost), "no forwarding after DEL");
                assertThrows(IOException.class, () -> Echo.tcp(Rig.in(client), rig.host(v6), tcpHost));
            }
            assertThrows(IOException.class, () -> Echo.tcp(Rig.HOST, localhost, tcpHost));
            assertEquals("", c.del().stdout(), "a second DEL succeeds too");
        }
    }

    /** What works without snat, with jcni (either backend) and with Go v1.1.1 (iptables). */
    static List<String> outcomesWithoutSnat(Rig rig, Path portmap, String backend) throws IOException {
        int port = Rig.port();
        Rig.Container c = rig.add(portmap, with(backend, "\"snat\":false"), List.of(Rig.tcp(port, 8080)));
        c.echo = Echo.start(c.handle, "c", 8080, 5353);
        NetNs client = rig.client();
        List<String> out = new ArrayList<>();
        out.add("host " + works(Rig.HOST, rig.host4, port));
        out.add("client " + works(Rig.in(client), rig.host4, port));
        out.add("client6 " + works(Rig.in(client), rig.host6, port));
        out.add("hairpin " + works(Rig.in(c.handle), rig.host4, port));
        out.add("hairpin6 " + works(Rig.in(c.handle), rig.host6, port));
        out.add("localhost " + works(Rig.HOST, Ip.parse("127.0.0.1"), port));
        c.del().assertQuietSuccess();
        return out;
    }

    static String works(Optional<NetNs> from, InetAddress to, int port) {
        try {
            return Echo.tcp(from, to, port).startsWith("c ") ? "works" : "wrong answer";
        } catch (IOException e) {
            return "fails";
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void withoutSnatHairpinAndLocalhostFailAsWithGo(String backend) throws IOException {
        List<String> expected = List.of("host works", "client works", "client6 works", "hairpin fails", "hairpin6 fails",
                "localhost fails");
        try (Rig rig = new Rig()) {
            assertEquals(expected, outcomesWithoutSnat(rig, Rig.GO_PORTMAP, ""), "Go v1.1.1 (iptables)");
        }
        try (Rig rig = new Rig()) {
            assertEquals(expected, outcomesWithoutSnat(rig, jcni(), backend(backend)), "jcni, " + backend);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void hostIpLimitsTheForwardingToThatAddressAndFamily(String backend) throws IOException {
        try (Rig rig = new Rig()) {
            int port = Rig.port();
            Rig.Container c = rig.add(jcni(), backend(backend), List.of(Rig.tcp(port, 8080, rig.host4), Rig.tcp(port, 8080, rig.host6)));
            c.echo = Echo.start(c.handle, "c0", 8080, 5353);
            NetNs client = rig.client();
            assertTrue(Echo.tcp(Rig.in(client), rig.host4, port).startsWith("c0 "));
            assertTrue(Echo.tcp(Rig.in(client), rig.host6, port).startsWith("c0 "));
            assertThrows(IOException.class, () -> Echo.tcp(Rig.in(client), rig.host4b, port), "other host address: not forwarded");
            assertThrows(IOException.class, () -> Echo.tcp(Rig.in(client), rig.host6b, port));
            if (backend.equals("iptables")) {
                String chain = IptablesRules.dnatChain(rig.network, c.id);
                for (String l : Firewall.rules(false, chain)) {
                    assertTrue(l.contains("-d " + Ip.format(rig.host4) + "/32"), l);
                }
                for (String l : Firewall.rules(true, chain)) {
                    assertTrue(l.contains("-d " + Ip.format(rig.host6) + "/128"), l);
                }
            }
            rig.check(jcni(), c).assertQuietSuccess();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void twentyMappingsAllForward(String backend) throws IOException {
        try (Rig rig = new Rig()) {
            int first = Rig.port();
            List<String> m = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                m.add(Rig.tcp(first + i, 8080));
            }
            Rig.Container c = rig.add(jcni(), backend(backend), m);
            c.echo = Echo.start(c.handle, "c0", 8080, 5353);
            NetNs client = rig.client();
            for (int i : new int[] {0, 14, 15, 19}) {
                assertTrue(Echo.tcp(Rig.in(client), rig.host4, first + i).startsWith("c0 "), "port " + (first + i));
                assertTrue(Echo.tcp(Rig.in(client), rig.host6, first + i).startsWith("c0 "), "port " + (first + i));
            }
            if (backend.equals("iptables")) {
                String chain = IptablesRules.dnatChain(rig.network, c.id);
                for (boolean v6 : new boolean[] {false, true}) {
                    long entries = Firewall.rules(v6, IptablesRules.TOP_DNAT_CHAIN).stream().filter(l -> l.endsWith("-j " + chain)).count();
                    assertEquals(2, entries, "two multiport chunks (15 + 5)");
                }
            }
            rig.check(jcni(), c).assertQuietSuccess();
            c.del().assertQuietSuccess();
            assertEquals(List.of(), Firewall.traces(rig.network, c.id));
        }
    }

    static List<String> conntrackTo(int port) throws IOException {
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(Path.of("/proc/net/nf_conntrack"))) {
            if (l.contains(" udp ") && l.contains("dport=" + port + " ")) {
                out.add(l);
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void udpConntrackIsFlushedOnDelAndAReplacementContainerGetsTheTraffic(String backend) throws IOException {
        try (Rig rig = new Rig()) {
            int port = Rig.port();
            int source = Rig.port() + 10000;
            NetNs client = rig.client();
            Rig.Container first = rig.add(jcni(), backend(backend), List.of(Rig.udp(port, 5353)));
            first.echo = Echo.start(first.handle, "first", 8080, 5353);
            assertTrue(Echo.udp(Rig.in(client), source, rig.host4, port).startsWith("first "));
            assertTrue(!conntrackTo(port).isEmpty(), "the flow is tracked");

            first.del().assertQuietSuccess();
            assertEquals(List.of(), conntrackTo(port), "DEL flushed the UDP entries of the host port");

            Rig.Container second = rig.add(jcni(), backend(backend), List.of(Rig.udp(port, 5353)));
            second.echo = Echo.start(second.handle, "second", 8080, 5353);
            assertTrue(Echo.udp(Rig.in(client), source, rig.host4, port).startsWith("second "),
                    "the same client flow reaches the new container");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void gcRemovesTheForwardingOfContainersThatAreNoLongerValid(String backend) throws IOException {
        try (Rig rig = new Rig()) {
            int port1 = Rig.port();
            int port2 = port1 + 1;
            Rig.Container stale = rig.add(jcni(), backend(backend), List.of(Rig.tcp(port1, 8080), Rig.udp(port1, 5353)));
            Rig.Container valid = rig.add(jcni(), backend(backend), List.of(Rig.tcp(port2, 8080)));
            valid.echo = Echo.start(valid.handle, "valid", 8080, 5353);

            // another network's GC leaves this network alone
            String other = "{\"cniVersion\":\"1.1.0\",\"name\":\"jpm-other-" + rig.tag + "\",\"type\":\"portmap\",\"backend\":\""
                    + backend + "\",\"cni.dev/valid-attachments\":[{\"containerID\":\"" + stale.id + "\",\"ifname\":\"eth0\"},"
                    + "{\"containerID\":\"" + valid.id + "\",\"ifname\":\"eth0\"}]}";
            Dist.cni("portmap", "GC", java.util.Map.of("CNI_PATH", "/usr/lib/cni"), other).assertQuietSuccess();
            assertTrue(!Firewall.traces(rig.network, stale.id).isEmpty());

            String gc = "{\"cniVersion\":\"1.1.0\",\"name\":\"" + rig.network + "\",\"type\":\"portmap\",\"backend\":\"" + backend
                    + "\",\"cni.dev/valid-attachments\":[{\"containerID\":\"" + valid.id + "\",\"ifname\":\"eth0\"}]}";
            Dist.cni("portmap", "GC", java.util.Map.of("CNI_PATH", "/usr/lib/cni"), gc).assertQuietSuccess();
            assertEquals(List.of(), Firewall.traces(rig.network, stale.id), "the stale container's forwarding is gone");
            assertTrue(!Firewall.traces(rig.network, valid.id).isEmpty(), "the valid container's forwarding stays");
            assertTrue(Echo.tcp(Rig.in(rig.client()), rig.host4, port2).startsWith("valid "));
            rig.check(jcni(), valid).assertQuietSuccess();
            stale.del().assertQuietSuccess();
        }
    }
}
