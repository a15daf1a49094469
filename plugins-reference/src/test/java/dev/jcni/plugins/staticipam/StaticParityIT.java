package dev.jcni.plugins.staticipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jcni's packaged static against Go's v1.1.1 ({@code /usr/lib/cni/static}): the same result for a
 * table of configurations and CNI_ARGS (every address source, routes, DNS, versions 0.2.0 to 1.0.0),
 * and the same message for each invalid one (Go's code is 999 for all of them; jcni's are 4, 6 or 7,
 * see docs/static.md). static touches no kernel state and reserves nothing, so DEL is checked to be
 * quiet on both.
 */
class StaticParityIT {
    @BeforeEach
    void goPlugins() {
        Kernel.assumeGoPlugins();
    }

    static String conf(String version, String ipam, String extra) {
        return StaticConfigTest.conf(version, ipam, extra);
    }

    static Map<String, String> env(String cniArgs) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_CONTAINERID", "static-parity");
        e.put("CNI_NETNS", "/run/netns/static-parity-none");
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", Fixture.GO.toString());
        if (!cniArgs.isEmpty()) {
            e.put("CNI_ARGS", cniArgs);
        }
        return e;
    }

    static final String FULL = "{\"type\":\"static\",\"addresses\":[{\"address\":\"10.10.0.5/24\",\"gateway\":\"10.10.0.1\"},"
            + "{\"address\":\"3ffe:ffff:0:01ff::1/64\",\"gateway\":\"3ffe:ffff:0::1\"}],"
            + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.10.5.1\"},{\"dst\":\"3ffe:ffff:0:01ff::1/64\"}],"
            + "\"dns\":{\"nameservers\":[\"8.8.8.8\"],\"domain\":\"example.com\",\"search\":[\"example.com\"],\"options\":[\"ndots:2\"]}}";

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("full (1.0.0)", conf("1.0.0", FULL, ""), ""),
                Arguments.of("full (0.4.0)", conf("0.4.0", FULL, ""), ""),
                Arguments.of("full (0.3.1)", conf("0.3.1", FULL, ""), ""),
                Arguments.of("one per family (0.2.0)", conf("0.2.0", "{\"addresses\":[{\"address\":\"10.10.0.5/24\",\"gateway\":\"10.10.0.1\"},"
                        + "{\"address\":\"fd00::5/64\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}", ""), ""),
                Arguments.of("CNI_ARGS IP and GATEWAY", conf("1.0.0", "{\"addresses\":[{\"address\":\"10.9.0.5/24\"}]}", ""),
                        "IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.10.0.2/24, 10.11.0.2/16 ,fd00::2/64;GATEWAY=10.10.0.1,fd00::1,10.9.0.1"),
                Arguments.of("args.cni.ips replace", conf("1.0.0", FULL, "\"args\":{\"cni\":{\"ips\":[\"10.20.0.2/24\",\"fd00:20::2/64\"]}}"),
                        "IP=10.10.0.2/24;GATEWAY=10.10.0.1"),
                Arguments.of("runtimeConfig ips replace", conf("1.0.0", FULL,
                        "\"args\":{\"cni\":{\"ips\":[\"10.20.0.2/24\"]}},\"runtimeConfig\":{\"ips\":[\"10.30.0.2/24\"]}"), ""),
                Arguments.of("no address at all", conf("1.0.0", "{\"type\":\"static\"}", ""), ""),
                Arguments.of("case-insensitive keys", conf("1.0.0", "{\"Addresses\":[{\"ADDRESS\":\"10.1.1.1/8\"}],\"ROUTES\":[]}",
                        "\"RuntimeConfig\":{\"IPs\":[]}"), ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void sameResultAsGo(String name, String conf, String cniArgs) {
        Dist.Run go = Fixture.go("static", "ADD", env(cniArgs), conf);
        Dist.Run jcni = Fixture.jcni("static", "ADD", env(cniArgs), conf);
        assertEquals(0, go.exitCode(), go.stdout());
        Result g = go.result();
        Result j = jcni.result();
        assertEquals(g, j);
        if (!name.contains("0.2.0")) {
            assertEquals(go.stdout().replace(",\n    \"dns\": {}", ""), jcni.stdout().replace(",\n    \"dns\": {}", ""),
                    "byte for byte, but for v1.1.1's empty dns");
        }
        Fixture.go("static", "DEL", env(cniArgs), conf).assertQuietSuccess();
        Fixture.jcni("static", "DEL", env(cniArgs), conf).assertQuietSuccess();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(conf("1.0.0", null, ""), "", 7),
                Arguments.of(conf("1.0.0", "{\"addresses\":[{\"address\":\"10.1.2.3\"}]}", ""), "", 7),
                Arguments.of(conf("1.0.0", "{}", ""), "IP=10.1.2.3", 7),
                Arguments.of(conf("1.0.0", "{}", ""), "IP=10.1.2.3/24;GATEWAY= x", 7),
                Arguments.of(conf("1.0.0", "{}", "\"runtimeConfig\":{\"ips\":[\"10.1.2.3\"]}"), "", 7),
                Arguments.of(conf("1.0.0", "{}", "\"args\":{\"cni\":{\"ips\":[\"x/24\"]}}"), "", 7),
                Arguments.of(conf("0.2.0", "{\"addresses\":[{\"address\":\"10.1.2.3/24\"},{\"address\":\"10.1.3.3/24\"}]}", ""), "", 7),
                Arguments.of(conf("1.0.0", "{}", ""), "IP=10.1.2.3/24;FOO=1", 4),
                Arguments.of(conf("1.0.0", "{}", ""), "IP", 4));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void sameMessageAsGoForInvalidInput(String conf, String cniArgs, int jcniCode) {
        CniException go = Fixture.go("static", "ADD", env(cniArgs), conf).error();
        Dist.Run run = Fixture.jcni("static", "ADD", env(cniArgs), conf);
        CniException jcni = run.error();
        assertEquals(go.msg(), jcni.msg());
        assertEquals(jcniCode, jcni.code());
        assertTrue(!run.stdout().contains("Exception"), run.stdout());
    }

    @Test
    void checkAsGoAndStricter() {
        String conf = conf("1.0.0", FULL, "");
        Result r = Fixture.jcni("static", "ADD", env(""), conf).result();
        String good = Fixture.withPrev(conf, r);
        Fixture.go("static", "CHECK", env(""), good).assertQuietSuccess();
        Fixture.jcni("static", "CHECK", env(""), good).assertQuietSuccess();
        String otherGw = Fixture.withPrev(conf, r.withIps(java.util.List.of(r.ips().get(0).withGateway(dev.jcni.sdk.types.Ip.parse("10.10.0.9")),
                r.ips().get(1))));
        assertEquals(Fixture.go("static", "CHECK", env(""), otherGw).error().msg(), Fixture.jcni("static", "CHECK", env(""), otherGw).error().msg());
        assertEquals("static: Failed to match addr 10.10.0.5 on interface eth0",
                Fixture.jcni("static", "CHECK", env(""), otherGw).error().msg());
        String missing = Fixture.withPrev(conf, r.withIps(java.util.List.of(r.ips().get(1))));
        Fixture.go("static", "CHECK", env(""), missing).assertQuietSuccess();
        CniException e = Fixture.jcni("static", "CHECK", env(""), missing).error();
        assertEquals("static: Failed to find addr 10.10.0.5 in prevResult", e.msg(), "beyond Go: a configured address must be there");
        assertNotEquals(0, Fixture.jcni("static", "CHECK", env(""), conf).error().code(), "no prevResult");
        assertEquals("Required prevResult missing", Fixture.jcni("static", "CHECK", env(""), conf).error().msg());
    }
}
