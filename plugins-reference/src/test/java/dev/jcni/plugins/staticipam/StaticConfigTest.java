package dev.jcni.plugins.staticipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.NetConf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** static's configuration: every address source, their order, and each validation error with Go's text and jcni's code. */
class StaticConfigTest {
    static StaticConfig load(String json, String cniArgs) {
        return StaticConfig.load(NetConf.fromJson(json.getBytes(StandardCharsets.UTF_8)), CniArgs.parse(cniArgs));
    }

    static String conf(String version, String ipam, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"s\",\"type\":\"bridge\"" + (ipam == null ? "" : ",\"ipam\":" + ipam)
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    static List<String> addrs(StaticConfig c) {
        return c.addresses().stream().map(a -> a.address() + a.gateway().map(g -> " gw " + Ip.format(g)).orElse("")).toList();
    }

    static CniException error(String json, String cniArgs) {
        return assertThrows(CniException.class, () -> load(json, cniArgs));
    }

    @Test
    void configuredAddressesRoutesAndDns() {
        StaticConfig c = load(conf("1.0.0", "{\"type\":\"static\",\"addresses\":[{\"address\":\"10.10.0.5/24\",\"gateway\":\"10.10.0.1\"},"
                + "{\"address\":\"3ffe:ffff:0:01ff::1/64\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"},null,{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.5.1\"}],"
                + "\"dns\":{\"nameservers\":[\"8.8.8.8\"],\"domain\":\"example.com\",\"search\":[\"example.com\"]}}", ""), "");
        assertEquals(List.of("10.10.0.5/24 gw 10.10.0.1", "3ffe:ffff:0:1ff::1/64"), addrs(c), "host bits kept, text canonical");
        assertEquals(2, c.routes().size(), "a null route is dropped");
        assertEquals("192.168.0.0/16", c.routes().get(1).dst().toString());
        assertEquals(List.of("8.8.8.8"), c.dns().nameservers());
        assertEquals("example.com", c.dns().domain());
    }

    @Test
    void cniArgsAddAddressesAndGatewaysGoToTheirOwnSubnetOnly() {
        StaticConfig c = load(conf("1.0.0", "{\"type\":\"static\",\"addresses\":[{\"address\":\"10.9.0.5/24\"}]}", ""),
                "IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.10.0.2/24, 10.11.0.2/16 ,fd00::2/64;GATEWAY=10.10.0.1,fd00::1,10.9.0.1");
        // Go parses the configured address after GATEWAY is applied: 10.9.0.1 sets no gateway on it
        assertEquals(List.of("10.9.0.5/24", "10.10.0.2/24 gw 10.10.0.1", "10.11.0.2/16", "fd00::2/64 gw fd00::1"), addrs(c));
    }

    @Test
    void argsIpsReplaceEverythingAndRuntimeConfigIpsReplaceThem() {
        String ipam = "{\"type\":\"static\",\"addresses\":[{\"address\":\"10.9.0.5/24\",\"gateway\":\"10.9.0.1\"}]}";
        assertEquals(List.of("10.20.0.2/24"), addrs(load(conf("1.0.0", ipam, "\"args\":{\"cni\":{\"ips\":[\"10.20.0.2/24\"]}}"),
                "IP=10.10.0.2/24;GATEWAY=10.10.0.1")));
        assertEquals(List.of("10.30.0.2/24", "fd00:30::2/64"), addrs(load(conf("1.0.0", ipam,
                "\"args\":{\"cni\":{\"ips\":[\"10.20.0.2/24\"]}},\"runtimeConfig\":{\"ips\":[\"10.30.0.2/24\",\"fd00:30::2/64\"]}"), "")));
        assertEquals(List.of("10.9.0.5/24 gw 10.9.0.1"), addrs(load(conf("1.0.0", ipam, "\"runtimeConfig\":{\"ips\":[]}"), "")),
                "an empty list replaces nothing");
    }

    @Test
    void errorsWithGoTextsAndJcniCodes() {
        CniException e = error(conf("1.0.0", null, ""), "");
        assertEquals(7, e.code());
        assertEquals("IPAM config missing 'ipam' key", e.msg());
        e = error(conf("1.0.0", "{\"addresses\":[{\"address\":\"10.1.2.3\"}]}", ""), "");
        assertEquals(7, e.code());
        assertEquals("the 'address' field is expected to be in CIDR notation, got: '10.1.2.3'", e.msg());
        e = error(conf("1.0.0", "{}", ""), "IP=10.1.2.3");
        assertEquals("the 'ip' field is expected to be in CIDR notation, got: '10.1.2.3'", e.msg());
        e = error(conf("1.0.0", "{}", ""), "IP=10.1.2.3/24;GATEWAY= x");
        assertEquals("invalid gateway address:  x", e.msg(), "Go prints the item untrimmed");
        e = error(conf("1.0.0", "{}", "\"runtimeConfig\":{\"ips\":[\"10.1.2.3\"]}"), "");
        assertEquals("an entry in the 'ips' field is NOT in CIDR notation, got: '10.1.2.3'", e.msg());
        e = error(conf("1.0.0", "{}", "\"args\":{\"cni\":{\"ips\":[\"x/24\"]}}"), "");
        assertEquals("an entry in the 'ips' field is NOT in CIDR notation, got: 'x/24'", e.msg());
        e = error(conf("0.2.0", "{\"addresses\":[{\"address\":\"10.1.2.3/24\"},{\"address\":\"10.1.3.3/24\"}]}", ""), "");
        assertEquals(7, e.code());
        assertEquals("CNI version 0.2.0 does not support more than 1 address per family", e.msg());
        assertEquals(2, load(conf("0.3.0", "{\"addresses\":[{\"address\":\"10.1.2.3/24\"},{\"address\":\"10.1.3.3/24\"}]}", ""), "")
                .addresses().size());
        e = error(conf("1.0.0", "{}", ""), "IP=10.1.2.3/24;FOO=1");
        assertEquals(4, e.code());
        assertEquals("ARGS: unknown args [\"FOO=1\"]", e.msg());
        e = error(conf("1.0.0", "{\"addresses\":[{\"address\":5}]}", ""), "");
        assertEquals(6, e.code(), e.msg());
        e = error(conf("1.0.0", "{\"addresses\":[{\"address\":\"10.1.2.3/24\",\"gateway\":\"nope\"}]}", ""), "");
        assertEquals(6, e.code(), e.msg());
        e = error(conf("1.0.0", "{\"routes\":[{\"dst\":\"10.0.0.0/33\"}]}", ""), "");
        assertEquals(6, e.code(), e.msg());
    }

    // ---------------------------------------------------------------- properties

    @Provide
    Arbitrary<String> v4() {
        return Arbitraries.integers().between(0, 255).list().ofSize(4).map(l -> l.get(0) + "." + l.get(1) + "." + l.get(2) + "." + l.get(3));
    }

    /** Any IPv4 CIDR from any source loads as that address and prefix, host bits kept. */
    @Property(tries = 200)
    void anyCidrLoadsAsItIs(@ForAll("v4") String ip, @ForAll @IntRange(min = 0, max = 32) int len,
            @ForAll @IntRange(min = 0, max = 3) int source) {
        String cidr = ip + "/" + len;
        String json = switch (source) {
            case 0 -> conf("1.0.0", "{\"addresses\":[{\"address\":\"" + cidr + "\"}]}", "");
            case 1 -> conf("1.0.0", "{}", "\"args\":{\"cni\":{\"ips\":[\"" + cidr + "\"]}}");
            case 2 -> conf("1.0.0", "{}", "\"runtimeConfig\":{\"ips\":[\"" + cidr + "\"]}");
            default -> conf("1.0.0", "{}", "");
        };
        StaticConfig c = load(json, source == 3 ? "IP=" + cidr : "");
        assertEquals(List.of(cidr), c.addresses().stream().map(a -> a.address().toString()).toList());
    }

    /** A prefix length beyond the family's, or a text that is no address, is always code 7 (never a crash, never accepted). */
    @Property(tries = 200)
    void invalidCidrsAreCode7(@ForAll("v4") String ip, @ForAll @IntRange(min = 33, max = 999) int len, @ForAll boolean runtime) {
        String cidr = ip + "/" + len;
        String json = runtime ? conf("1.0.0", "{}", "\"runtimeConfig\":{\"ips\":[\"" + cidr + "\"]}")
                : conf("1.0.0", "{\"addresses\":[{\"address\":\"" + cidr + "\"}]}", "");
        assertEquals(7, error(json, "").code());
    }

    /** GATEWAY lands on exactly the CNI_ARGS addresses whose subnet holds it. */
    @Property(tries = 200)
    void gatewayGoesWhereItsSubnetIs(@ForAll @IntRange(min = 8, max = 24) int len, @ForAll @IntRange(min = 1, max = 250) int host,
            @ForAll @IntRange(min = 1, max = 250) int gwHost, @ForAll boolean sameNet) {
        String addr = "10.77." + host + ".1/" + len;
        String gw = sameNet ? "10.77." + host + "." + (gwHost + 1) : "192.0.2." + gwHost;
        StaticConfig c = load(conf("1.0.0", "{}", ""), "IP=" + addr + ";GATEWAY=" + gw);
        assertEquals(sameNet ? Optional.of(Ip.parse(gw)) : Optional.empty(), c.addresses().get(0).gateway());
    }

    /** Whatever garbage CNI_ARGS holds, loading either succeeds or fails with a spec code (4 or 7), nothing else. */
    @Property(tries = 300)
    void garbageCniArgsIsCode4Or7(@ForAll("garbage") String value, @ForAll boolean gateway) {
        String args = gateway ? "IP=10.1.2.3/24;GATEWAY=" + value : "IP=" + value;
        try {
            load(conf("1.0.0", "{}", ""), args);
        } catch (CniException e) {
            assertTrue(e.code() == 4 || e.code() == 7, e.code() + " " + e.msg());
        } catch (IllegalArgumentException e) {
            // CniArgs.parse's own refusal (the skel turns it into code 4)
            assertTrue(e.getMessage().startsWith("ARGS: invalid pair"), e.getMessage());
        }
    }

    @Provide
    Arbitrary<String> garbage() {
        return Arbitraries.strings().withChars("0123456789abcdef:./, =;x").ofMaxLength(24);
    }
}
