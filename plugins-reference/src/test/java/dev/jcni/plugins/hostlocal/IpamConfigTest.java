package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.NetConf;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** host-local's configuration: fields, defaults, order, and every validation error with Go's text. */
class IpamConfigTest {
    static final Path DIR = Path.of("/tmp/jcni-never-written");

    static IpamConfig load(String json) {
        return load(json, "");
    }

    static IpamConfig load(String json, String cniArgs) {
        return IpamConfig.load(NetConf.fromJson(json.getBytes(StandardCharsets.UTF_8)), cniArgs, true);
    }

    static String ipam(String fields) {
        return Configs.conf("1.0.0", DIR, fields, "");
    }

    static InetAddress ip(String s) {
        return Ip.parse(s);
    }

    @Test
    void legacySubnetGetsGoDefaults() {
        IpamConfig c = load(ipam("\"subnet\":\"10.1.2.0/24\""));
        assertEquals(1, c.rangeSets().size());
        AddressRange r = c.rangeSets().get(0).ranges().get(0);
        assertEquals("10.1.2.0/24", r.subnet().toString());
        assertEquals(ip("10.1.2.1"), r.gateway());
        assertEquals(ip("10.1.2.1"), r.rangeStart());
        assertEquals(ip("10.1.2.254"), r.rangeEnd());
        assertEquals(DIR, c.dataDir());
        assertEquals(Optional.empty(), c.resolvConf());
        assertEquals(Configs.NET, c.name());
    }

    @Test
    void ipv6DefaultEndIsTheLastAddress() {
        AddressRange r = load(ipam("\"subnet\":\"2001:db8:1::/64\"")).rangeSets().get(0).ranges().get(0);
        assertEquals(ip("2001:db8:1::1"), r.rangeStart());
        assertEquals(ip("2001:db8:1::ffff:ffff:ffff:ffff"), r.rangeEnd());
        assertEquals(ip("2001:db8:1::1"), r.gateway());
    }

    @Test
    void dataDirDefaultsToVarLibCniNetworks() {
        String json = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"ipam\":{\"type\":\"host-local\",\"subnet\":\"10.0.0.0/8\"}}";
        assertEquals(Path.of("/var/lib/cni/networks"), load(json).dataDir());
    }

    @Test
    void explicitBoundsAndGatewayAreKept() {
        AddressRange r = load(ipam("\"ranges\":[[{\"subnet\":\"10.1.2.0/24\",\"rangeStart\":\"10.1.2.0\",\"rangeEnd\":\"10.1.2.255\","
                + "\"gateway\":\"10.9.9.9\"}]]")).rangeSets().get(0).ranges().get(0);
        assertEquals(ip("10.1.2.0"), r.rangeStart(), "rangeStart may even be the network address: only membership is checked");
        assertEquals(ip("10.1.2.255"), r.rangeEnd());
        assertEquals(ip("10.9.9.9"), r.gateway(), "a gateway outside the subnet is accepted, as Go does");
    }

    @Test
    void emptyStringsMeanDefaults() {
        AddressRange r = load(ipam("\"ranges\":[[{\"subnet\":\"10.1.2.0/24\",\"rangeStart\":\"\",\"rangeEnd\":\"\",\"gateway\":\"\"}]],"
                + "\"dataDir\":\"\",\"resolvConf\":\"\"")).rangeSets().get(0).ranges().get(0);
        assertEquals(ip("10.1.2.1"), r.rangeStart());
    }

    @Test
    void rangeSetOrderIsRuntimeIpRangesThenLegacySubnetThenRanges() {
        String json = Configs.conf("1.0.0", DIR, "\"subnet\":\"10.2.0.0/16\",\"ranges\":[[{\"subnet\":\"10.3.0.0/16\"}]]",
                "\"runtimeConfig\":{\"ipRanges\":[[{\"subnet\":\"10.1.0.0/16\"}]]}");
        List<String> subnets = load(json).rangeSets().stream().map(s -> s.ranges().get(0).subnet().toString()).toList();
        assertEquals(List.of("10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"), subnets);
    }

    @Test
    void legacyBoundsWithoutSubnetAreIgnored() {
        IpamConfig c = load(ipam("\"rangeStart\":\"10.1.2.5\",\"ranges\":[[{\"subnet\":\"10.3.0.0/16\"}]]"));
        assertEquals(1, c.rangeSets().size());
    }

    @Test
    void requestedIpOrderIsCniArgsThenArgsThenRuntimeConfig() {
        String json = Configs.conf("1.0.0", DIR, "\"subnet\":\"10.1.0.0/16\"",
                "\"args\":{\"cni\":{\"ips\":[\"10.1.0.2\",\"10.1.0.3/16\"]}},\"runtimeConfig\":{\"ips\":[\"10.1.0.4\"]}");
        assertEquals(List.of(ip("10.1.0.1"), ip("10.1.0.2"), ip("10.1.0.3"), ip("10.1.0.4")),
                load(json, "IP=10.1.0.1").requestedIps());
    }

    @Test
    void keysMatchCaseInsensitivelyAsGoEncodingJson() {
        String json = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"IPAM\":{\"Type\":\"host-local\",\"SUBNET\":\"10.1.0.0/16\","
                + "\"DataDir\":\"/x\",\"Ranges\":[[{\"Subnet\":\"10.2.0.0/16\",\"RANGESTART\":\"10.2.0.9\"}]]},"
                + "\"RuntimeConfig\":{\"IPs\":[\"10.1.0.5\"]}}";
        IpamConfig c = load(json);
        assertEquals(Path.of("/x"), c.dataDir());
        assertEquals(2, c.rangeSets().size());
        assertEquals(ip("10.2.0.9"), c.rangeSets().get(1).ranges().get(0).rangeStart());
        assertEquals(List.of(ip("10.1.0.5")), c.requestedIps());
    }

    @Test
    void aLaterKeyOverwritesAnEarlierOneEvenAnExactMatch() {
        // Go's encoding/json takes keys in order (Go host-local v1.1.1 allocates from 10.2.0.0/16 here)
        String json = ipam("\"subnet\":\"10.1.0.0/16\",\"Subnet\":\"10.2.0.0/16\"");
        assertEquals("10.2.0.0/16", load(json).rangeSets().get(0).ranges().get(0).subnet().toString());
    }

    @Test
    void routesAreKeptAsWrittenWithAllFields() {
        IpamConfig c = load(ipam("\"subnet\":\"10.1.0.0/16\",\"routes\":[{\"dst\":\"0.0.0.0/0\"},"
                + "{\"dst\":\"10.9.0.5/16\",\"gw\":\"10.1.0.1\",\"mtu\":1400,\"advmss\":1300,\"priority\":5,\"table\":100,\"scope\":0}]"));
        assertEquals(2, c.routes().size());
        assertEquals("0.0.0.0/0", c.routes().get(0).dst().toString());
        var r = c.routes().get(1);
        assertEquals("10.9.0.5/16", r.dst().toString(), "host bits of dst are kept, as Go's types.ParseCIDR");
        assertEquals(Optional.of(ip("10.1.0.1")), r.gw());
        assertEquals(1400, r.mtu());
        assertEquals(1300, r.advmss());
        assertEquals(5, r.priority());
        assertEquals(OptionalInt.of(100), r.table());
        assertEquals(OptionalInt.of(0), r.scope());
    }

    @Test
    void resolvConfIsAPath() {
        assertEquals(Optional.of(Path.of("/etc/resolv.conf")),
                load(ipam("\"subnet\":\"10.1.0.0/16\",\"resolvConf\":\"/etc/resolv.conf\"")).resolvConf());
    }

    @Test
    void prefixLengthMayHaveLeadingZerosAsInGo() {
        assertEquals("10.1.0.0/16", load(ipam("\"subnet\":\"10.1.0.0/016\"")).rangeSets().get(0).ranges().get(0).subnet().toString());
    }

    @Test
    void cniArgsIgnoreUnknownAcceptsOtherKeys() {
        assertEquals(List.of(ip("10.1.0.7")), load(ipam("\"subnet\":\"10.1.0.0/16\""),
                "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.1.0.7/16").requestedIps());
        assertEquals(List.of(), load(ipam("\"subnet\":\"10.1.0.0/16\""), "IP=").requestedIps(), "IP= is no request");
    }

    @Test
    void moreThanOneAddressPerFamilyNeedsVersion030() {
        String two = "\"ranges\":[[{\"subnet\":\"10.1.0.0/16\"}],[{\"subnet\":\"10.2.0.0/16\"}]]";
        assertEquals(2, load(Configs.conf("0.3.0", DIR, two, "")).rangeSets().size());
        String oneEach = "\"ranges\":[[{\"subnet\":\"10.1.0.0/16\"}],[{\"subnet\":\"2001:db8::/64\"}]]";
        assertEquals(2, load(Configs.conf("0.2.0", DIR, oneEach, "")).rangeSets().size());
    }

    @Test
    void gcAndStatusAcceptAConfigurationWithoutRanges() {
        String json = ipam("");
        IpamConfig c = IpamConfig.load(NetConf.fromJson(json.getBytes(StandardCharsets.UTF_8)), "", false);
        assertTrue(c.rangeSets().isEmpty());
    }

    static Stream<Arguments> invalidConfigurations() {
        String v4 = "\"subnet\":\"10.1.2.0/24\"";
        return Stream.of(
                // code 7: invalid network configuration, Go's texts
                Arguments.of("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", "", 7, "IPAM config missing 'ipam' key"),
                Arguments.of(ipam(""), "", 7, "no IP ranges specified"),
                Arguments.of(ipam("\"subnet\":\"10.1.2.0/33\""), "", 7, "invalid CIDR address: 10.1.2.0/33"),
                Arguments.of(ipam("\"subnet\":\"\""), "", 7, "invalid CIDR address: "),
                Arguments.of(ipam("\"subnet\":\"10.1.2.0\""), "", 7, "invalid CIDR address: 10.1.2.0"),
                Arguments.of(ipam(v4 + ",\"rangeStart\":\"foo\""), "", 7, "invalid IP address: foo"),
                Arguments.of(ipam(v4 + ",\"gateway\":\"10.1.2.1/24\""), "", 7, "invalid IP address: 10.1.2.1/24"),
                Arguments.of(ipam("\"ranges\":[[]]"), "", 7, "invalid range set 0: empty range set"),
                Arguments.of(ipam("\"ranges\":[null]"), "", 7, "invalid range set 0: empty range set"),
                Arguments.of(ipam("\"ranges\":[[{}]]"), "", 7, "invalid range set 0: IP <nil> not v4 nor v6"),
                Arguments.of(ipam("\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"},{\"subnet\":\"2001:db8::/64\"}]]"), "", 7,
                        "invalid range set 0: mixed address families"),
                Arguments.of(ipam("\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"},{\"subnet\":\"10.1.2.0/25\"}]]"), "", 7,
                        "invalid range set 0: subnets 10.1.2.1-10.1.2.254 and 10.1.2.1-10.1.2.126 overlap"),
                Arguments.of(ipam("\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.2.128/25\"}]]"), "", 7,
                        "range set 0 overlaps with 1"),
                Arguments.of(ipam("\"subnet\":\"10.1.2.0/24\",\"ranges\":[[{\"subnet\":\"10.1.3.0/24\"}],[{\"subnet\":\"10.1.3.0/26\"}]]"),
                        "", 7, "range set 1 overlaps with 2"),
                Arguments.of(ipam("\"subnet\":\"10.1.2.4/31\""), "", 7, "invalid range set 0: Network 10.1.2.4/31 too small to allocate from"),
                Arguments.of(ipam("\"subnet\":\"10.1.2.4/32\""), "", 7, "invalid range set 0: Network 10.1.2.4/32 too small to allocate from"),
                Arguments.of(ipam("\"subnet\":\"2001:db8::/127\""), "", 7,
                        "invalid range set 0: Network 2001:db8::/127 too small to allocate from"),
                Arguments.of(ipam("\"subnet\":\"::ffff:10.1.2.0/120\""), "", 7, "invalid range set 0: IPNet IP and Mask version mismatch"),
                Arguments.of(ipam("\"subnet\":\"10.1.2.5/24\""), "", 7,
                        "invalid range set 0: Network has host bits set. For a subnet mask of length 24 the network address is 10.1.2.0"),
                Arguments.of(ipam(v4 + ",\"rangeStart\":\"10.1.3.1\""), "", 7, "invalid range set 0: RangeStart 10.1.3.1 not in network 10.1.2.0/24"),
                Arguments.of(ipam(v4 + ",\"rangeStart\":\"2001:db8::1\""), "", 7,
                        "invalid range set 0: RangeStart 2001:db8::1 not in network 10.1.2.0/24"),
                Arguments.of(ipam(v4 + ",\"rangeStart\":\"10.1.2.50\",\"rangeEnd\":\"10.1.2.40\""), "", 7,
                        "invalid range set 0: RangeStart 10.1.2.50 not in network 10.1.2.0/24"),
                Arguments.of(ipam(v4 + ",\"rangeEnd\":\"10.1.3.4\""), "", 7, "invalid range set 0: RangeEnd 10.1.3.4 not in network 10.1.2.0/24"),
                // beyond Go (docs/host-local.md): a start past the default end, a gateway of the other family
                Arguments.of(ipam(v4 + ",\"rangeStart\":\"10.1.2.255\""), "", 7,
                        "invalid range set 0: RangeStart 10.1.2.255 not in network 10.1.2.0/24"),
                Arguments.of(ipam(v4 + ",\"gateway\":\"2001:db8::1\""), "", 7,
                        "invalid range set 0: Gateway 2001:db8::1 not in the address family of network 10.1.2.0/24"),
                Arguments.of(ipam(v4 + ",\"routes\":[{\"gw\":\"10.1.2.1\"}]"), "", 7, "route 0 has no dst"),
                Arguments.of(ipam(v4 + ",\"routes\":[{\"dst\":\"default\"}]"), "", 7, "invalid CIDR address: default"),
                Arguments.of(Configs.conf("0.2.0", DIR, "\"ranges\":[[{\"subnet\":\"10.1.0.0/16\"}],[{\"subnet\":\"10.2.0.0/16\"}]]", ""),
                        "", 7, "CNI version 0.2.0 does not support more than 1 address per family"),
                Arguments.of("{\"name\":\"n\",\"ipam\":{\"ranges\":[[{\"subnet\":\"2001:db8:1::/64\"}],[{\"subnet\":\"2001:db8:2::/64\"}]]}}",
                        "", 7, "CNI version  does not support more than 1 address per family"),
                Arguments.of(Configs.conf("1.0.0", DIR, v4, "\"args\":{\"cni\":{\"ips\":[\"foo\"]}}"), "", 7, "invalid IP address foo"),
                Arguments.of(Configs.conf("1.0.0", DIR, v4, "\"runtimeConfig\":{\"ips\":[\"10.1.2.3/99\"]}"), "", 7,
                        "invalid IP address 10.1.2.3/99"),
                Arguments.of(Configs.conf("1.0.0", DIR, v4, "\"args\":{\"cni\":{\"ips\":[\"\"]}}"), "", 7,
                        "cannot understand ip: IP <nil> not v4 nor v6"),
                Arguments.of(Configs.conf("1.0.0", DIR, v4, "\"runtimeConfig\":{\"ipRanges\":[[{\"subnet\":\"10.1.2.0/25\"}]]}"), "", 7,
                        "range set 0 overlaps with 1"),
                // code 6: a JSON value of the wrong type
                Arguments.of(ipam("\"subnet\":5"), "", 6, "cannot unmarshal number into ipam.subnet of type string"),
                Arguments.of(ipam("\"ranges\":{}"), "", 6, "cannot unmarshal object into ipam.ranges of type array"),
                Arguments.of(ipam("\"ranges\":[{}]"), "", 6, "cannot unmarshal object into ipam.ranges[0] of type array"),
                Arguments.of(ipam("\"ranges\":[[\"10.1.2.0/24\"]]"), "", 6, "cannot unmarshal string into ipam.ranges[0][0] of type object"),
                Arguments.of(ipam(v4 + ",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"mtu\":\"big\"}]"), "", 6,
                        "cannot unmarshal string into ipam.routes[0].mtu of type int"),
                Arguments.of(ipam(v4 + ",\"dataDir\":true"), "", 6, "cannot unmarshal bool into ipam.dataDir of type string"),
                Arguments.of(Configs.conf("1.0.0", DIR, v4, "\"runtimeConfig\":{\"ips\":\"10.1.2.3\"}"), "", 6,
                        "cannot unmarshal string into runtimeConfig.ips of type array"),
                Arguments.of(Configs.conf("1.0.0", DIR, v4, "\"args\":{\"cni\":{\"ips\":[5]}}"), "", 6,
                        "cannot unmarshal number into args.cni.ips[0] of type string"),
                // code 4: CNI_ARGS, Go's texts
                Arguments.of(ipam(v4), "FOO=bar;IP=10.1.2.9", 4, "ARGS: unknown args [\"FOO=bar\"]"),
                Arguments.of(ipam(v4), "A=1;B=2", 4, "ARGS: unknown args [\"A=1\" \"B=2\"]"),
                Arguments.of(ipam(v4), "IP=foo", 4, "ARGS: error parsing value of pair \"IP=foo\": invalid IP address foo"),
                Arguments.of(ipam(v4), "IgnoreUnknown=Yes", 4,
                        "ARGS: error parsing value of pair \"IgnoreUnknown=Yes\": boolean unmarshal error: invalid input yes"),
                Arguments.of(ipam(v4), "IP", 4, "ARGS: invalid pair \"IP\""),
                Arguments.of(ipam(v4), "IP=10.1.2.9=1", 4, "ARGS: invalid pair \"IP=10.1.2.9=1\""));
    }

    @ParameterizedTest(name = "[{index}] {3}")
    @MethodSource("invalidConfigurations")
    void everyValidationErrorHasGoTextAndItsCode(String json, String cniArgs, int code, String msg) {
        CniException e = assertThrows(CniException.class, () -> load(json, cniArgs));
        assertEquals(msg, e.msg());
        assertEquals(code, e.code(), msg);
    }

    @Test
    void missingIpamIsReportedBeforeCniArgs() {
        CniException e = assertThrows(CniException.class, () -> load("{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", "BAD"));
        assertEquals("IPAM config missing 'ipam' key", e.msg());
    }

    @Test
    void requestedAddressesAreAssignedToTheFirstSetHoldingThem() {
        String json = Configs.conf("1.0.0", DIR, "\"ranges\":[[{\"subnet\":\"10.1.0.0/16\"}],[{\"subnet\":\"2001:db8::/64\"}]]",
                "\"runtimeConfig\":{\"ips\":[\"2001:db8::9\",\"10.1.0.9\"]}");
        assertEquals(List.of(Optional.of(ip("10.1.0.9")), Optional.of(ip("2001:db8::9"))), load(json).requestedPerSet());
    }

    @Test
    void aRequestedAddressOutsideEveryRangeFailsBeforeTheStoreIsTouched() {
        String json = Configs.conf("1.0.0", DIR, "\"subnet\":\"10.1.0.0/16\"", "\"runtimeConfig\":{\"ips\":[\"10.1.0.9\",\"10.7.0.1\",\"10.1.0.10\"]}");
        CniException e = assertThrows(CniException.class, () -> load(json).requestedPerSet());
        assertEquals(999, e.code());
        assertEquals("failed to allocate all requested IPs: 10.7.0.1 10.1.0.10", e.msg(), "one requested address per set; request order");
    }

    @Test
    void aRequestedGatewayIsRefused() {
        String json = Configs.conf("1.0.0", DIR, "\"subnet\":\"10.1.0.0/16\"", "\"runtimeConfig\":{\"ips\":[\"10.1.0.1\"]}");
        CniException e = assertThrows(CniException.class, () -> load(json).requestedPerSet());
        assertEquals("failed to allocate for range 0: requested ip 10.1.0.1 is subnet's gateway", e.msg());
        assertEquals(999, e.code());
    }

    @Test
    void duplicateRequestsCountOnce() {
        String json = Configs.conf("1.0.0", DIR, "\"subnet\":\"10.1.0.0/16\"", "\"runtimeConfig\":{\"ips\":[\"10.1.0.9\",\"10.1.0.9/16\"]}");
        assertEquals(List.of(Optional.of(ip("10.1.0.9"))), load(json, "IP=10.1.0.9").requestedPerSet());
    }
}
