package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * jcni's portmap against Go's v1.1.1 (Debian's /usr/lib/cni/portmap), iptables backend: for the same
 * network, container id, mappings and previous result, the two leave the same {@code iptables -S}
 * and {@code ip6tables -S} lines, the same {@code route_localnet}, and print the same result; each
 * tears down what the other set up, and jcni's CHECK accepts Go's state.
 *
 * <p>No container is needed: the previous result names addresses of a port-less bridge the test
 * makes, so that the route lookup for {@code route_localnet} lands on that bridge (never eth0).
 */
@KernelTest
class GoParityIT {
    private String tag;
    private String network;
    private String link;
    private String markChain;
    private int a;
    private int b;
    private SharedState shared;
    private final List<String> ids = new ArrayList<>();

    @BeforeEach
    void setUp() {
        tag = String.format("%08x", ThreadLocalRandom.current().nextInt());
        network = "jpp-" + tag;
        link = "jpp" + tag;
        markChain = "JPM-MARK-" + tag;
        a = 200 + ThreadLocalRandom.current().nextInt(50);
        b = 1 + ThreadLocalRandom.current().nextInt(250);
        shared = SharedState.capture();
        Kernel.exec("ip", "link", "add", link, "type", "bridge").ok();
        Kernel.exec("ip", "link", "set", link, "up").ok();
        Kernel.exec("ip", "addr", "add", "10." + a + "." + b + ".1/24", "dev", link).ok();
        Kernel.exec("ip", "addr", "add", String.format("fd00:%x:%x::1/64", a, b), "dev", link, "nodad").ok();
        String route = Kernel.exec("ip", "route", "get", "10." + a + "." + b + ".5").ok();
        assertTrue(route.contains("dev " + link), "the container address must route through the test link: " + route);
        for (boolean v6 : new boolean[] {false, true}) {
            Kernel.exec(Firewall.iptables(v6), "-w", "-t", "nat", "-N", markChain).ok();
        }
    }

    @AfterEach
    void tearDown() {
        for (String id : ids) {
            Firewall.removeContainer(network, id);
        }
        for (boolean v6 : new boolean[] {false, true}) {
            Kernel.exec(Firewall.iptables(v6), "-w", "-t", "nat", "-X", markChain);
        }
        Kernel.exec("ip", "link", "del", link);
        shared.restore();
    }

    String prev(boolean v4, boolean v6) {
        List<String> ips = new ArrayList<>();
        if (v4) {
            ips.add("{\"interface\":0,\"address\":\"10." + a + "." + b + ".5/24\",\"gateway\":\"10." + a + "." + b + ".1\"}");
        }
        if (v6) {
            ips.add(String.format("{\"interface\":0,\"address\":\"fd00:%x:%x::5/64\",\"gateway\":\"fd00:%x:%x::1\"}", a, b, a, b));
        }
        return "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"mac\":\"0a:58:0a:00:00:05\",\"sandbox\":\"/run/netns/"
                + link + "\"}],\"ips\":[" + String.join(",", ips) + "],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{}}";
    }

    String conf(String extra, List<String> mappings, String prev) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"type\":\"portmap\"" + (extra.isEmpty() ? "" : "," + extra)
                + ",\"runtimeConfig\":{\"portMappings\":[" + String.join(",", mappings) + "]},\"prevResult\":" + prev + "}";
    }

    static Map<String, String> env(String cmd, String id) {
        return Map.of("CNI_COMMAND", cmd, "CNI_CONTAINERID", id, "CNI_NETNS", "/run/netns/jpp-none", "CNI_IFNAME", "eth0",
                "CNI_PATH", "/usr/lib/cni");
    }

    static Dist.Run run(Path exe, String cmd, String id, String conf) {
        return Dist.run(exe, env(cmd, id), conf);
    }

    String snapshot() {
        return String.join("\n", Firewall.portmapLines(false)) + "\n----\n" + String.join("\n", Firewall.portmapLines(true))
                + "\n----\nroute_localnet=" + Rig.sysctl("net.ipv4.conf." + link + ".route_localnet");
    }

    void resetRouteLocalnet() {
        Kernel.exec("sysctl", "-q", "-w", "net.ipv4.conf." + link + ".route_localnet=0").ok();
    }

    /** The whole comparison for one configuration. */
    void compare(String extra, List<String> mappings, String prev) {
        String id = "jpp-" + tag + "-" + ids.size();
        ids.add(id);
        Path go = Rig.GO_PORTMAP;
        Path jcni = Dist.exe("portmap");
        String conf = conf(extra, mappings, prev);

        resetRouteLocalnet();
        Dist.Run goAdd = run(go, "ADD", id, conf);
        assertEquals(0, goAdd.exitCode(), goAdd.toString());
        String goState = snapshot();
        run(jcni, "CHECK", id, conf).assertQuietSuccess();
        run(go, "DEL", id, conf).assertQuietSuccess();
        assertEquals(List.of(), Firewall.traces(network, id), "Go DEL after Go ADD");

        resetRouteLocalnet();
        Dist.Run jcniAdd = run(jcni, "ADD", id, conf);
        assertEquals(0, jcniAdd.exitCode(), jcniAdd.toString());
        assertEquals(goState, snapshot(), "the same firewall state and route_localnet as Go's");
        assertEquals(Result.fromJson(goAdd.stdout().getBytes(StandardCharsets.UTF_8)),
                Result.fromJson(jcniAdd.stdout().getBytes(StandardCharsets.UTF_8)), "the same result (prevResult passed through)");
        run(jcni, "CHECK", id, conf).assertQuietSuccess();
        run(go, "DEL", id, conf).assertQuietSuccess();
        assertEquals(List.of(), Firewall.traces(network, id), "Go DEL after jcni ADD leaves nothing");

        assertEquals(0, run(go, "ADD", id, conf).exitCode());
        run(jcni, "DEL", id, conf).assertQuietSuccess();
        assertEquals(List.of(), Firewall.traces(network, id), "jcni DEL after Go ADD leaves nothing");

        assertEquals(0, run(jcni, "ADD", id, conf).exitCode());
        run(jcni, "DEL", id, conf).assertQuietSuccess();
        assertEquals(List.of(), Firewall.traces(network, id), "jcni DEL after jcni ADD leaves nothing");
        run(jcni, "DEL", id, conf).assertQuietSuccess();
    }

    static String m(int host, int cont, String proto, String hostIp) {
        return "{\"hostPort\":" + host + ",\"containerPort\":" + cont + ",\"protocol\":\"" + proto + "\""
                + (hostIp == null ? "" : ",\"hostIP\":\"" + hostIp + "\"") + "}";
    }

    int base() {
        return 20000 + ThreadLocalRandom.current().nextInt(9000);
    }

    @Test
    void mixedMappingsDualStackWithConditions() {
        int p = base();
        List<String> mappings = List.of(m(p, 80, "tcp", null), m(p + 1, 80, "tcp", null), m(p, 81, "udp", null),
                m(p + 2, 82, "udp", null), m(p + 3, 83, "tcp", "10.254.98.77"), m(p + 4, 84, "tcp", "0.0.0.0"),
                m(p + 5, 85, "tcp", "2001:db8:a::1"), m(p + 6, 86, "tcp", "::"), m(p + 7, 87, "sctp", null));
        compare("\"conditionsV4\":[\"-m\",\"comment\",\"--comment\",\"jcni parity v4\"],"
                + "\"conditionsV6\":[\"!\",\"-s\",\"2001:db8:ffff::/48\"]", mappings, prev(true, true));
    }

    @Test
    void withoutSnatIpv4Only() {
        int p = base();
        compare("\"snat\":false", List.of(m(p, 80, "tcp", null), m(p, 53, "udp", null)), prev(true, false));
    }

    @Test
    void externalMarkChainIpv6Only() {
        int p = base();
        compare("\"externalSetMarkChain\":\"" + markChain + "\"", List.of(m(p, 80, "tcp", null)), prev(false, true));
    }

    @Test
    void otherMarkBitAndTwentyMappingsInTwoChunks() {
        int p = base();
        List<String> mappings = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            mappings.add(m(p + i, 8000 + i, "tcp", null));
        }
        mappings.add(m(p, 53, "udp", null));
        compare("\"markMasqBit\":5", mappings, prev(true, true));
    }

    @Test
    void addressesOfOtherInterfacesAreSkippedAsGoDoes() {
        int p = base();
        String prev = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"" + link + "\"},{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
                + "\"ips\":[{\"interface\":0,\"address\":\"10." + a + "." + b + ".1/24\"},"
                + "{\"interface\":1,\"address\":\"10." + a + "." + b + ".6/24\"}]}";
        compare("", List.of(m(p, 80, "tcp", null)), prev);
    }
}
