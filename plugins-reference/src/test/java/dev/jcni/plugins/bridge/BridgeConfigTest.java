package dev.jcni.plugins.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Route;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Configuration checks of the bridge plugin, in-process and without a kernel: every invalid value is
 * refused with Go's message before anything is touched (the netns given does not even exist).
 */
class BridgeConfigTest {
    static final String NO_NS = "/run/netns/jcni-does-not-exist";

    static PluginHarness harness() {
        return PluginHarness.of(new Bridge()).attachment("c1", NO_NS, "eth0").env("CNI_PATH", "/nonexistent");
    }

    static String conf(String fields) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"bridge\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    static CniException addError(String fields) {
        return harness().run("ADD", conf(fields)).error();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"vlan\":-1|invalid VLAN ID -1 (must be between 0 and 4094)",
        "\"vlan\":4095|invalid VLAN ID 4095 (must be between 0 and 4094)",
        "\"vlanTrunk\":[{\"minID\":0,\"maxID\":5}]|incorrect trunk minID parameter",
        "\"vlanTrunk\":[{\"minID\":5,\"maxID\":4095}]|incorrect trunk maxID parameter",
        "\"vlanTrunk\":[{\"minID\":9,\"maxID\":5}]|minID is greater than maxID in trunk parameter",
        "\"vlanTrunk\":[{\"maxID\":5}]|minID and maxID should be configured simultaneously, minID is missing",
        "\"vlanTrunk\":[{\"minID\":5}]|minID and maxID should be configured simultaneously, maxID is missing",
        "\"vlanTrunk\":[{\"id\":0}]|incorrect trunk id parameter",
        "\"vlanTrunk\":[{\"id\":4095}]|incorrect trunk id parameter",
        "\"hairpinMode\":true,\"promiscMode\":true|cannot set hairpin mode and promiscuous mode at the same time",
        "\"disableContainerInterface\":true,\"ipam\":{\"type\":\"host-local\"}|cannot use IPAM when DisableContainerInterface flag is set",
        "\"args\":{\"cni\":{\"mac\":\"zz:11\"}}|address zz:11: invalid MAC address",
        "\"runtimeConfig\":{\"mac\":\"01:02\"}|address 01:02: invalid MAC address",
        "\"ipMasq\":true,\"ipMasqBackend\":\"pf\",\"ipam\":{\"type\":\"host-local\"}|unknown ipmasq backend \"pf\"",
        "\"bridge\":\"a-very-long-bridge-name\"|failed to create bridge \"a-very-long-bridge-name\": invalid bridge name",
    })
    void invalidValuesAreCode7WithGosMessage(String fields, String msg) {
        CniException e = addError(fields);
        assertEquals(7, e.code(), e.msg());
        assertEquals(msg, e.msg());
    }

    @Test
    void wrongJsonTypesAreDecodingFailures() {
        CniException e = addError("\"mtu\":\"big\"");
        assertEquals(6, e.code());
        assertTrue(e.msg().startsWith("failed to load netconf: "), e.msg());
        assertEquals(6, addError("\"ipMasq\":\"yes\"").code());
    }

    @Test
    void badVlanFailsDelToo() {
        CniException e = harness().run("DEL", conf("\"vlan\":5000")).error();
        assertEquals(7, e.code());
    }

    @Test
    void cniArgsMacMustBeKnownUnlessIgnoreUnknown() {
        CniException e = harness().env("CNI_ARGS", "FOO=1").run("ADD", conf("")).error();
        assertEquals(4, e.code());
        assertEquals("ARGS: unknown args [\"FOO=1\"]", e.msg(), "Go lists the pairs");
        CniException bad = harness().env("CNI_ARGS", "IgnoreUnknown=1;FOO=1;MAC=nope").run("ADD", conf("")).error();
        assertEquals("address nope: invalid MAC address", bad.msg());
    }

    @Test
    void macPrecedenceIsEnvThenArgsThenRuntimeConfig() {
        BridgeConfig c = BridgeConfig.load(harnessRequest("MAC=02:00:00:00:00:01",
                conf("\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:02\"}},\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}")));
        assertEquals("02:00:00:00:00:03", c.mac().orElseThrow());
        c = BridgeConfig.load(harnessRequest("MAC=02:00:00:00:00:01", conf("\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:02\"}}")));
        assertEquals("02:00:00:00:00:02", c.mac().orElseThrow());
        c = BridgeConfig.load(harnessRequest("MAC=02:00:00:00:00:01", conf("")));
        assertEquals("02:00:00:00:00:01", c.mac().orElseThrow());
    }

    @Test
    void defaultsAreGos() {
        BridgeConfig c = BridgeConfig.load(harnessRequest("", conf("")));
        assertEquals("cni0", c.bridge());
        assertFalse(c.isGateway() || c.isDefaultGateway() || c.ipMasq() || c.hairpinMode() || c.promiscMode()
                || c.preserveDefaultVlan() || c.macSpoofChk() || c.enableDad() || c.portIsolation() || c.forceAddress());
        assertEquals(0, c.mtu());
        assertEquals(0, c.vlan());
        assertFalse(c.isLayer3(), "no ipam is L2");
        assertFalse(BridgeConfig.load(harnessRequest("", conf("\"ipam\":{}"))).isLayer3(), "an empty ipam is L2 too");
        assertTrue(BridgeConfig.load(harnessRequest("", conf("\"isDefaultGateway\":true"))).isGateway(), "default gateway implies gateway");
    }

    @Test
    void keysMatchCaseInsensitivelyAsGo() {
        BridgeConfig c = BridgeConfig.load(harnessRequest("", conf("\"Bridge\":\"br9\",\"MTU\":1400,\"HairpinMode\":true")));
        assertEquals("br9", c.bridge());
        assertEquals(1400, c.mtu());
        assertTrue(c.hairpinMode());
    }

    @Test
    void trunkIdsAreDedupedAndSortedAndAnEmptyTrunkStillFilters() {
        BridgeConfig c = BridgeConfig.load(harnessRequest("", conf("\"vlanTrunk\":[{\"id\":30},{\"minID\":10,\"maxID\":12},{\"id\":11}]")));
        assertEquals(List.of(10, 11, 12, 30), c.vlans());
        assertTrue(c.vlanFiltering());
        BridgeConfig empty = BridgeConfig.load(harnessRequest("", conf("\"vlanTrunk\":[]")));
        assertTrue(empty.vlans().isEmpty());
        assertTrue(empty.vlanFiltering(), "a non-null trunk turns VLAN filtering on (Go)");
        assertTrue(BridgeConfig.load(harnessRequest("", conf("\"vlan\":7,\"vlanTrunk\":[{\"id\":8}]"))).vlanFiltering(),
                "vlan and vlanTrunk together are allowed since 1.8.0");
    }

    @Test
    void gatewaysAndDefaultRoutesAsGo() {
        BridgeConfig c = BridgeConfig.load(harnessRequest("", conf("\"isDefaultGateway\":true,\"ipam\":{\"type\":\"x\"}")));
        Result ipam = Result.empty().withIps(List.of(IpConfig.of(IpPrefix.parse("10.9.8.7/24")),
                        IpConfig.of(IpPrefix.parse("fd00:9::7/64"), Ip.parse("fd00:9::fe"))))
                .withRoutes(List.of(Route.of(IpPrefix.parse("::/0"))));
        Bridge.Gateways g = Bridge.calcGateways(ipam, c);
        assertEquals(Ip.parse("10.9.8.1"), g.ips.get(0).gateway().orElseThrow(), "network + 1 when IPAM gave none");
        assertEquals(2, g.ips.get(0).interfaceIndex().getAsInt());
        assertEquals(List.of(IpPrefix.parse("10.9.8.1/24")), g.v4);
        assertEquals(List.of(IpPrefix.parse("fd00:9::fe/64")), g.v6);
        // a default route without gw does not count: one is added per family
        assertEquals(List.of(Route.of(IpPrefix.parse("::/0")), Route.of(IpPrefix.parse("0.0.0.0/0"), Ip.parse("10.9.8.1")),
                Route.of(IpPrefix.parse("::/0"), Ip.parse("fd00:9::fe"))), g.routes);
    }

    @Test
    void nextIpCarries() {
        assertEquals(Ip.parse("10.0.1.0"), Bridge.nextIp(Ip.parse("10.0.0.255")));
        assertEquals(Ip.parse("fd00::1:0"), Bridge.nextIp(Ip.parse("fd00::ffff")));
    }

    static dev.jcni.sdk.skel.Request harnessRequest(String cniArgs, String conf) {
        Object[] holder = new Object[1];
        PluginHarness.of(new CapturingPlugin(holder)).attachment("c1", NO_NS, "eth0").env("CNI_ARGS", cniArgs).run("ADD", conf);
        if (holder[0] == null) {
            throw new AssertionError("the skel refused " + conf);
        }
        return (dev.jcni.sdk.skel.Request) holder[0];
    }

    /** Captures the request the skel builds. */
    static final class CapturingPlugin implements dev.jcni.sdk.skel.Plugin {
        final Object[] holder;

        CapturingPlugin(Object[] holder) {
            this.holder = holder;
        }

        @Override
        public Result add(dev.jcni.sdk.skel.Request request) {
            holder[0] = request;
            return Result.empty();
        }

        @Override
        public void check(dev.jcni.sdk.skel.Request request) {
        }

        @Override
        public void del(dev.jcni.sdk.skel.Request request) {
        }
    }
}
