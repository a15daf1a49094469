package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Configuration reading and checking: Go's order, texts and defaults, and the codes jcni gives them. */
class PortmapConfigTest {

    /** A probe that counts how often it is asked. */
    static final class FakeProbe implements PortmapConfig.BackendProbe {
        final boolean iptables;
        final boolean nftables;
        final AtomicInteger asked = new AtomicInteger();

        FakeProbe(boolean iptables, boolean nftables) {
            this.iptables = iptables;
            this.nftables = nftables;
        }

        @Override
        public boolean iptablesUsable() {
            asked.incrementAndGet();
            return iptables;
        }

        @Override
        public boolean nftablesUsable() {
            asked.incrementAndGet();
            return nftables;
        }
    }

    static final String PREV = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
            + "\"ips\":[{\"interface\":0,\"address\":\"10.0.0.2/24\",\"gateway\":\"10.0.0.1\"}]}";

    static PortmapConfig parse(String json, PortmapConfig.BackendProbe probe) {
        return PortmapConfig.parse(json.getBytes(StandardCharsets.UTF_8), "test", probe, () -> { });
    }

    static PortmapConfig parse(String json) {
        return parse(json, new FakeProbe(true, true));
    }

    static CniException error(String json) {
        return assertThrows(CniException.class, () -> parse(json));
    }

    static String conf(String extra) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"test\",\"type\":\"portmap\"" + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static String mappings(String... entries) {
        return "\"runtimeConfig\":{\"portMappings\":[" + String.join(",", entries) + "]}";
    }

    @Test
    void defaults() {
        PortmapConfig c = parse(conf(""));
        assertTrue(c.snat());
        assertEquals(13, c.markMasqBit());
        assertFalse(c.masqAll());
        assertEquals(Optional.empty(), c.externalSetMarkChain());
        assertEquals(List.of(), c.conditions(false));
        assertEquals(List.of(), c.mappings());
    }

    @Test
    void keysMatchCaseInsensitivelyAndNullMeansDefault() {
        PortmapConfig c = parse(conf("\"SNAT\":false,\"MarkMasqBit\":null,\"RuntimeConfig\":{\"PortMappings\":"
                + "[{\"HostPort\":8080,\"containerport\":80,\"Protocol\":\"TCP\",\"hostip\":\"::\"}]}"));
        assertFalse(c.snat());
        assertEquals(13, c.markMasqBit());
        Mapping m = c.mappings().get(0);
        assertEquals(8080, m.hostPort());
        assertEquals(80, m.containerPort());
        assertEquals("tcp", m.protocol(), "protocols are matched case-insensitively and used lowercase");
        assertTrue(m.hostIp().isPresent());
        assertTrue(m.destination().isEmpty(), ":: matches any destination");
    }

    @Test
    void theLastOfTwoKeysDifferingInCaseWins() {
        assertFalse(parse(conf("\"snat\":true,\"Snat\":false")).snat());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"markMasqBit\":-1|MasqMarkBit must be between 0 and 31",
        "\"markMasqBit\":32|MasqMarkBit must be between 0 and 31",
        "\"markMasqBit\":5,\"externalSetMarkChain\":\"X\"|Cannot specify externalSetMarkChain and markMasqBit",
        "\"backend\":\"foo\"|unrecognized backend \"foo\"",
        "\"backend\":\"iptables\",\"conditionsV4\":[\"ip\",\"saddr\",\"1.2.3.4\"],\"conditionsV6\":[\"ip6\",\"saddr\",\"::1\"]"
            + "|iptables backend was requested but configuration contains nftables-specific options [conditionsV4 conditionsV6]",
        "\"backend\":\"nftables\",\"externalSetMarkChain\":\"X\",\"conditionsV4\":[\"-s\",\"1.2.3.4\"],\"conditionsV6\":[\"!\",\"-s\",\"::1\"]"
            + "|nftables backend was requested but configuration contains iptables-specific options [externalSetMarkChain conditionsV4 conditionsV6]",
        "\"backend\":\"foo\",\"externalSetMarkChain\":\"X\"|foo backend was requested but configuration contains iptables-specific options [externalSetMarkChain]",
    })
    void goValidationErrorsAreCode7WithGosText(String extra, String msg) {
        CniException e = error(conf(extra));
        assertEquals(7, e.code());
        assertEquals(msg, e.msg());
    }

    @Test
    void portErrorsComeInGosOrderContainerPortFirst() {
        CniException e = error(conf(mappings("{\"hostPort\":0,\"containerPort\":0,\"protocol\":\"tcp\"}")));
        assertEquals("Invalid container port number: 0", e.msg());
        e = error(conf(mappings("{\"hostPort\":0,\"containerPort\":80,\"protocol\":\"tcp\"}")));
        assertEquals("Invalid host port number: 0", e.msg());
        assertEquals(7, e.code());
        e = error(conf(mappings("{\"hostPort\":-5,\"containerPort\":80,\"protocol\":\"tcp\"}")));
        assertEquals("Invalid host port number: -5", e.msg());
        e = error(conf(mappings("null")));
        assertEquals("Invalid container port number: 0", e.msg());
    }

    @Test
    void goErrorsWinOverJcnisExtraChecks() {
        // the first mapping fails only jcni's check, the second Go's: Go's error is reported
        CniException e = error(conf(mappings("{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"icmp\"}",
                "{\"hostPort\":0,\"containerPort\":80,\"protocol\":\"tcp\"}")));
        assertEquals("Invalid host port number: 0", e.msg());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"hostPort\":70000,\"containerPort\":80,\"protocol\":\"tcp\"}|Invalid host port number: 70000",
        "{\"hostPort\":80,\"containerPort\":65536,\"protocol\":\"tcp\"}|Invalid container port number: 65536",
        "{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"icmp\"}|Invalid protocol: \"icmp\" (must be tcp, udp or sctp)",
        "{\"hostPort\":80,\"containerPort\":80}|Invalid protocol: \"\" (must be tcp, udp or sctp)",
        "{\"hostPort\":80,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"localhost\"}|Invalid host IP: \"localhost\"",
    })
    void jcniRejectsWhatGoWouldHandToTheFirewallHalfWay(String mapping, String msg) {
        CniException e = error(conf(mappings(mapping)));
        assertEquals(7, e.code());
        assertEquals(msg, e.msg());
    }

    @Test
    void emptyExternalChainIsRejected() {
        assertEquals("externalSetMarkChain must not be empty", error(conf("\"externalSetMarkChain\":\"\"")).msg());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"snat\":\"yes\"|json: cannot unmarshal string into Go struct field PortMapConf.snat of type bool",
        "\"markMasqBit\":1.5|json: cannot unmarshal number 1.5 into Go struct field PortMapConf.markMasqBit of type int",
        "\"conditionsV4\":\"-s\"|json: cannot unmarshal string into Go struct field PortMapConf.conditionsV4 of type []string",
        "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":\"80\"}]}"
            + "|json: cannot unmarshal string into Go struct field PortMapConf.runtimeConfig.portMappings.hostPort of type int",
    })
    void wrongJsonTypesAreDecodingErrors(String extra, String msg) {
        CniException e = error(conf(extra));
        assertEquals(6, e.code());
        assertEquals("failed to parse network configuration: " + msg, e.msg());
    }

    @Test
    void conditionsNameTheirBackendByTheirFirstCharacter() {
        assertEquals(Optional.of(PortmapConfig.Backend.IPTABLES), PortmapConfig.detect(Optional.of(List.of("-s", "1.2.3.4"))));
        assertEquals(Optional.of(PortmapConfig.Backend.IPTABLES), PortmapConfig.detect(Optional.of(List.of("!", "-s", "::1"))));
        assertEquals(Optional.of(PortmapConfig.Backend.NFTABLES), PortmapConfig.detect(Optional.of(List.of("ip", "saddr"))));
        assertEquals(Optional.empty(), PortmapConfig.detect(Optional.of(List.of("", "x"))));
        assertEquals(Optional.empty(), PortmapConfig.detect(Optional.of(List.of())));
    }

    @Test
    void backendDefaultsToIptablesUnlessOnlyNftablesWorks() {
        assertEquals(PortmapConfig.Backend.IPTABLES, parse(conf(""), new FakeProbe(true, true)).backend());
        assertEquals(PortmapConfig.Backend.IPTABLES, parse(conf(""), new FakeProbe(false, false)).backend());
        assertEquals(PortmapConfig.Backend.NFTABLES, parse(conf(""), new FakeProbe(false, true)).backend());
        assertEquals(PortmapConfig.Backend.NFTABLES, parse(conf("\"backend\":\"nftables\""), new FakeProbe(true, true)).backend());
    }

    @Test
    void theMachineIsProbedOnlyWhenTheBackendMatters() {
        FakeProbe probe = new FakeProbe(true, true);
        parse(conf("\"snat\":false"), probe);
        assertEquals(0, probe.asked.get(), "nothing to decide without backend-specific options");
        CniException e = assertThrows(CniException.class, () -> parse(conf("\"conditionsV4\":[\"ip\",\"saddr\",\"1.2.3.4\"]"), probe));
        assertEquals("iptables backend was requested but configuration contains nftables-specific options [conditionsV4]", e.msg());
        assertTrue(probe.asked.get() > 0);
        FakeProbe onlyNft = new FakeProbe(false, true);
        assertEquals(PortmapConfig.Backend.NFTABLES,
                parse(conf("\"conditionsV4\":[\"ip\",\"saddr\",\"1.2.3.4\"]"), onlyNft).backend());
    }

    // ---------------------------------------------------------------- through the skel

    static PluginHarness harness() {
        return PluginHarness.of(new Portmap(new FakeProbe(true, true))).attachment("c1", "/run/netns/x", "eth0")
                .env("CNI_PATH", "/opt/cni/bin");
    }

    @Test
    void addWithoutMappingsPassesPrevResultThroughInTheConfigsVersion() {
        for (String v : List.of("0.3.1", "0.4.0", "1.0.0", "1.1.0")) {
            String prev = PREV.replace("1.0.0", v);
            Result r = harness().run("ADD", conf("\"prevResult\":" + prev).replace("1.0.0", v)).result();
            assertEquals(v, r.cniVersion());
            assertEquals(Result.fromJson(prev.getBytes(StandardCharsets.UTF_8)).convertTo(v), r);
        }
    }

    @Test
    void addWithoutPrevResultFails() {
        CniException e = harness().run("ADD", conf(mappings("{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}"))).error();
        assertEquals(7, e.code());
        assertEquals("must be called as chained plugin", e.msg());
    }

    @Test
    void addAndDelPrefixConfigErrorsAsGo() {
        String bad = conf("\"markMasqBit\":40,\"prevResult\":" + PREV);
        CniException e = harness().run("ADD", bad).error();
        assertEquals(7, e.code());
        assertEquals("failed to parse config: MasqMarkBit must be between 0 and 31", e.msg());
        assertEquals("failed to parse config: MasqMarkBit must be between 0 and 31", harness().run("DEL", bad).error().msg());
        assertEquals("MasqMarkBit must be between 0 and 31", harness().run("CHECK", bad).error().msg(), "CHECK does not prefix");
    }

    @Test
    void aConfigErrorWinsOverAMissingPrevResult() {
        CniException e = harness().run("ADD", conf("\"markMasqBit\":40")).error();
        assertEquals("failed to parse config: MasqMarkBit must be between 0 and 31", e.msg());
    }

    @Test
    void badPrevResultIsADecodingError() {
        CniException e = harness().run("ADD", conf("\"prevResult\":{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.0.0.2/24\"}}")).error();
        assertEquals(6, e.code());
        assertTrue(e.msg().startsWith("failed to parse config: could not parse prevResult: "), e.msg());
    }

    @Test
    void checkRequiresPrevResult() {
        CniException e = harness().run("CHECK", conf("")).error();
        assertEquals(7, e.code());
        assertEquals("Required prevResult missing", e.msg());
        harness().run("CHECK", conf("\"prevResult\":" + PREV)).stdout();
        assertTrue(harness().run("CHECK", conf("\"prevResult\":" + PREV)).succeeded(), "no mappings: nothing to check");
    }

    @Test
    void delWithoutMappingsDoesNothingAndIgnoresPrevResult() {
        assertTrue(harness().run("DEL", conf("")).succeeded());
        assertTrue(harness().run("DEL", conf("\"prevResult\":{\"cniVersion\":\"0.2.0\"}")).succeeded());
    }

    @ParameterizedTest
    @ValueSource(strings = {"VERSION"})
    void versionListsEverySpecVersion(String cmd) {
        List<String> versions = harness().run(cmd, "{\"cniVersion\":\"1.1.0\"}").versionInfo().supportedVersions();
        assertTrue(versions.containsAll(List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0")), versions.toString());
    }
}
