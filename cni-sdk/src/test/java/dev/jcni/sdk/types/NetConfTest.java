package dev.jcni.sdk.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class NetConfTest {

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final String BRIDGE = """
            {"cniVersion":"1.1.0","name":"mynet","type":"bridge","bridge":"cni0","isGateway":true,
             "capabilities":{"portMappings":true,"mac":false},"ipMasq":true,
             "ipam":{"type":"host-local","subnet":"10.1.2.0/24","routes":[{"dst":"0.0.0.0/0"}]},
             "dns":{"nameservers":["10.1.2.1"],"search":["example.com"]},
             "args":{"cni":{"ips":["10.1.2.9/24","2001:db8::9"],"labels":[{"key":"app","value":"web"}],"mac":"0a:58:0a:01:02:09"}},
             "runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}],"mac":"c2:11:22:33:44:55",
               "ips":["10.1.2.10"],"bandwidth":{"ingressRate":1000,"ingressBurst":2000},"dns":{"servers":["1.1.1.1"],"searches":["a"]},
               "ipRanges":[[{"subnet":"10.9.0.0/16","rangeStart":"10.9.0.10","gateway":"10.9.0.1"}]],
               "aliases":["web"],"cgroupPath":"/kubepods/x","deviceID":"0000:04:00.5","infinibandGUID":"c2:11:22:33:44:55:66:77",
               "io.kubernetes.cri.pod-annotations":{"a":"b"}},
             "cni.dev/valid-attachments":[{"containerID":"c1","ifname":"eth0"}],
             "unknownKey":{"nested":[1,2.5,"x",null,true]}}
            """;

    @Test
    void standardKeysAreTyped() {
        NetConf c = NetConf.fromJson(b(BRIDGE));
        assertEquals("1.1.0", c.cniVersion());
        assertEquals("mynet", c.name());
        assertEquals("bridge", c.type());
        assertEquals(Map.of("portMappings", true, "mac", false), c.capabilities());
        assertTrue(c.ipMasq());
        assertEquals("host-local", c.ipam().orElseThrow().type());
        assertEquals("10.1.2.0/24", c.ipam().orElseThrow().values().get("subnet"));
        assertEquals(List.of("10.1.2.1"), c.dns().nameservers());
        assertEquals(List.of(new Attachment("c1", "eth0")), c.validAttachments());
        assertTrue(c.hasValidAttachments());
    }

    @Test
    void wellKnownCapabilitiesAreTyped() {
        RuntimeConfig rc = NetConf.fromJson(b(BRIDGE)).runtimeConfig();
        assertEquals(List.of(new PortMapping(8080, 80, "tcp", "")), rc.portMappings());
        assertEquals(Optional.of("c2:11:22:33:44:55"), rc.mac());
        assertEquals(List.of(IpRequest.parse("10.1.2.10")), rc.ips());
        assertEquals(Optional.of(new Bandwidth(1000, 2000, 0, 0)), rc.bandwidth());
        assertEquals(Optional.of(new RuntimeDns(List.of("1.1.1.1"), List.of("a"), List.of())), rc.dns());
        List<List<IpRange>> ranges = rc.ipRanges();
        assertEquals(IpPrefix.parse("10.9.0.0/16"), ranges.get(0).get(0).subnet());
        assertEquals(Optional.of(Ip.parse("10.9.0.10")), ranges.get(0).get(0).rangeStart());
        assertEquals(Optional.empty(), ranges.get(0).get(0).rangeEnd());
        assertEquals(List.of("web"), rc.aliases());
        assertEquals(Optional.of("/kubepods/x"), rc.cgroupPath());
        assertEquals(Optional.of("0000:04:00.5"), rc.deviceId());
        assertEquals(Optional.of("c2:11:22:33:44:55:66:77"), rc.infinibandGuid());
        assertEquals(Map.of("a", "b"), rc.podAnnotations());
    }

    @Test
    void argsCniConventionsAreTyped() {
        Args a = NetConf.fromJson(b(BRIDGE)).args();
        assertEquals(List.of(IpRequest.parse("10.1.2.9/24"), IpRequest.parse("2001:db8::9")), a.ips());
        assertEquals(List.of(new Label("app", "web")), a.labels());
        assertEquals(Optional.of("0a:58:0a:01:02:09"), a.cniString("mac"));
    }

    @Test
    void malformedCapabilityFailsOnlyWhenRead() {
        NetConf c = NetConf.fromJson(b("{\"name\":\"n\",\"runtimeConfig\":{\"portMappings\":\"nope\",\"mac\":\"x\"}}"));
        assertEquals(Optional.of("x"), c.runtimeConfig().mac());
        CniException e = assertThrows(CniException.class, () -> c.runtimeConfig().portMappings());
        assertEquals(ErrorCodes.DECODING_FAILURE, e.code());
        assertEquals("failed to decode runtimeConfig.portMappings: cannot unmarshal string into portMappings of type array", e.msg());
    }

    @Test
    void unknownKeysAreKeptAndWrittenBack() {
        NetConf c = NetConf.fromJson(b(BRIDGE));
        assertEquals(Map.of("nested", List.of(1L, new java.math.BigDecimal("2.5"), "x", Optional.empty(), true)),
                c.get("unknownKey").orElseThrow());
        NetConf again = NetConf.fromJson(c.toJson());
        assertEquals(c, again);
        assertTrue(new String(c.toJson(), StandardCharsets.UTF_8).contains("\"unknownKey\":{\"nested\":[1,2.5,\"x\",null,true]}"));
    }

    @Test
    void standardKeyOfWrongTypeIsADecodingFailure() {
        for (String bad : List.of("{\"cniVersion\":1}", "{\"name\":true}", "{\"type\":[]}", "{\"ipMasq\":\"yes\"}",
                "{\"capabilities\":{\"a\":1}}", "{\"ipam\":[]}", "{\"dns\":{\"nameservers\":\"x\"}}", "{\"args\":1}",
                "{\"runtimeConfig\":[]}", "{\"prevResult\":\"x\"}", "{\"cni.dev/valid-attachments\":{}}", "[]", "3")) {
            CniException e = assertThrows(CniException.class, () -> NetConf.fromJson(b(bad)), bad);
            assertEquals(ErrorCodes.DECODING_FAILURE, e.code(), bad);
        }
    }

    @Test
    void withReplacesKeysAndKeepsTheRest() {
        NetConf c = NetConf.fromJson(b("{\"name\":\"n\",\"type\":\"t\",\"x\":1}"))
                .with("cniVersion", "1.0.0").with("name", "other").without("x");
        assertEquals("{\"name\":\"other\",\"type\":\"t\",\"cniVersion\":\"1.0.0\"}", c.toString());
        assertEquals("{\"cniVersion\":\"1.0.0\",\"name\":\"other\",\"type\":\"t\"}", new String(c.toSortedJson(), StandardCharsets.UTF_8));
    }

    record MyConfig(String bridge, boolean isGateway, Integer mtu, IpPrefix subnet, List<Route> routes, MacAddress mac) {
    }

    @Test
    void authorBindsOwnRecordInOneCall() {
        NetConf c = NetConf.fromJson(b("{\"name\":\"n\",\"type\":\"t\",\"Bridge\":\"br0\",\"isgateway\":true,"
                + "\"subnet\":\"10.1.0.5/16\",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.0.1\"}],\"mac\":\"0A:58:0a:01:02:03\",\"other\":1}"));
        MyConfig m = c.bind(MyConfig.class);
        assertEquals("br0", m.bridge(), "names match case-insensitively, as Go's encoding/json");
        assertTrue(m.isGateway());
        assertEquals(0, m.mtu(), "an absent key gives the zero value, never null");
        assertEquals(IpPrefix.parse("10.1.0.5/16"), m.subnet());
        assertEquals(List.of(Route.of(IpPrefix.parse("0.0.0.0/0"), Ip.parse("10.1.0.1"))), m.routes());
        assertEquals(MacAddress.parse("0a:58:0a:01:02:03"), m.mac());
        assertEquals("n", c.name(), "the standard fields stay available");
    }

    @Test
    void bindReportsTheBadProperty() {
        NetConf c = NetConf.fromJson(b("{\"name\":\"n\",\"subnet\":\"10.1.0.0/99\"}"));
        CniException e = assertThrows(CniException.class, () -> c.bind(MyConfig.class));
        assertEquals(ErrorCodes.DECODING_FAILURE, e.code());
        assertEquals("subnet: invalid CIDR address: 10.1.0.0/99", e.msg());
        CniException t = assertThrows(CniException.class,
                () -> NetConf.fromJson(b("{\"name\":\"n\",\"routes\":[{\"dst\":\"0.0.0.0/0\",\"mtu\":\"big\"}]}")).bind(MyConfig.class));
        assertEquals("cannot unmarshal string into routes[0].mtu of type int", t.msg(), "the key path, no fake position");
    }

    @Property
    void jsonRoundTripKeepsUnknownKeys(@ForAll("configs") Map<String, Object> values) {
        NetConf c = NetConf.of(values);
        NetConf again = NetConf.fromJson(c.toJson());
        assertEquals(c, again);
        assertEquals(c.keys(), again.keys());
        for (String k : values.keySet()) {
            assertTrue(again.get(k).isPresent(), k);
        }
    }

    @Provide
    Arbitrary<Map<String, Object>> configs() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(8).map(s -> (Object) s),
                Arbitraries.longs().map(l -> (Object) l), Arbitraries.of(true, false).map(x -> (Object) x));
        Arbitrary<Object> value = Arbitraries.oneOf(leaf, leaf.list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(5), leaf).ofMaxSize(3).map(m -> (Object) m));
        Arbitrary<String> unknownKeys = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10)
                .map(s -> "x-" + s);
        return Arbitraries.maps(unknownKeys, value).ofMaxSize(6).map(m -> {
            java.util.LinkedHashMap<String, Object> out = new java.util.LinkedHashMap<>();
            out.put("cniVersion", "1.1.0");
            out.put("name", "net");
            out.put("type", "t");
            out.putAll(m);
            return out;
        });
    }
}
