package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.CniException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input to the packaged executable: the error JSON with code 7 (6 for a wrong JSON type) and
 * Go's text, and no firewall state made. Where Go v1.1.1 has the same check, its text is the same
 * (Go answers code 999 for every error; jcni uses the spec's codes).
 *
 * <p>"No state made" is asserted on this test's own names only (a network and container id unique
 * to the run): other people's portmap entries come and go in the shared chains and tables meanwhile.
 */
@KernelTest
class BadInputIT {
    static final String PREV = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
            + "\"ips\":[{\"interface\":0,\"address\":\"10.254.77.5/24\"}]}";
    static final String NETWORK = dev.jcni.sdk.testsupport.Kernel.uniqueName("jpm-bad-");
    static final String ID = NETWORK + "-input";
    static final Map<String, String> ENV = Map.of("CNI_CONTAINERID", ID, "CNI_NETNS", "/run/netns/jpm-none",
            "CNI_IFNAME", "eth0", "CNI_PATH", "/usr/lib/cni");

    /** @return every trace of this test's container: its chains and rules (iptables, both families), its nft rules */
    static List<String> state() {
        return Firewall.traces(NETWORK, ID);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "host port 0|\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":0,\"containerPort\":80,\"protocol\":\"tcp\"}]}|7"
            + "|failed to parse config: Invalid host port number: 0|go",
        "container port 0|\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":0,\"protocol\":\"tcp\"}]}|7"
            + "|failed to parse config: Invalid container port number: 0|go",
        "mark bit 32|\"markMasqBit\":32,\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}|7"
            + "|failed to parse config: MasqMarkBit must be between 0 and 31|go",
        "mark bit and external chain|\"markMasqBit\":3,\"externalSetMarkChain\":\"X\"|7"
            + "|failed to parse config: Cannot specify externalSetMarkChain and markMasqBit|go",
        "backend mismatch|\"backend\":\"nftables\",\"externalSetMarkChain\":\"X\",\"runtimeConfig\":{\"portMappings\":"
            + "[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}|7"
            + "|failed to parse config: nftables backend was requested but configuration contains iptables-specific options [externalSetMarkChain]|",
        "unknown backend|\"backend\":\"ebpf\"|7|failed to parse config: unrecognized backend \"ebpf\"|",
        "unknown protocol|\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"icmp\"}]}|7"
            + "|failed to parse config: Invalid protocol: \"icmp\" (must be tcp, udp or sctp)|",
        "wrong JSON type|\"snat\":\"no\"|6|failed to parse config: failed to parse network configuration: json: cannot unmarshal "
            + "string into Go struct field PortMapConf.snat of type bool|go",
    })
    void addAndDelFailWithTheCodeAndLeaveNothing(String name, String extra, int code, String msg, String goToo) {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NETWORK + "\",\"type\":\"portmap\"," + extra + ",\"prevResult\":" + PREV + "}";
        for (String cmd : List.of("ADD", "DEL")) {
            Dist.Run r = Dist.cni("portmap", cmd, ENV, conf);
            CniException e = r.error();
            assertEquals(code, e.code(), r.toString());
            assertEquals(msg, e.msg());
            assertFalse(r.stdout().contains("Exception"));
            if ("go".equals(goToo)) {
                Dist.Run g = Dist.run(Rig.GO_PORTMAP, withCommand(cmd), conf);
                assertEquals(msg, g.error().msg(), "Go v1.1.1 says the same");
            }
        }
        assertEquals(List.of(), state(), "nothing was made");
    }

    static Map<String, String> withCommand(String cmd) {
        Map<String, String> e = new java.util.HashMap<>(ENV);
        e.put("CNI_COMMAND", cmd);
        return e;
    }

    @ParameterizedTest
    @CsvSource({"iptables", "nftables"})
    void addWithoutPrevResultFailsAndLeavesNothing(String backend) {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NETWORK + "\",\"type\":\"portmap\",\"backend\":\"" + backend + "\","
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}}";
        CniException e = Dist.cni("portmap", "ADD", ENV, conf).error();
        assertEquals(7, e.code());
        assertEquals("must be called as chained plugin", e.msg());
        assertEquals("must be called as chained plugin", Dist.run(Rig.GO_PORTMAP, withCommand("ADD"), conf.replace(
                "\"backend\":\"" + backend + "\",", "")).error().msg(), "Go v1.1.1 says the same");
        CniException c = Dist.cni("portmap", "CHECK", ENV, conf).error();
        assertEquals(7, c.code());
        assertEquals("Required prevResult missing", c.msg());
        assertEquals(List.of(), state(), "nothing was made");
    }
}
