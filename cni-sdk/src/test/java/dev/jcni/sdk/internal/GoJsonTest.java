package dev.jcni.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.Dns;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.IpRange;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.PortMapping;
import dev.jcni.sdk.types.Route;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Go's encoding/json rules for filling records, one test per rule; then properties. */
class GoJsonTest {

    enum Mode { BRIDGE, L2 }

    record Range(IpPrefix subnet, Optional<InetAddress> gateway) {
    }

    record Ipam(String type, List<List<Range>> ranges, Map<String, String> labels) {
    }

    record Conf(String name, boolean flag, int mtu, long big, double ratio, BigDecimal exact, Optional<String> maybe,
                OptionalInt table, List<String> list, Map<String, Integer> counts, Ipam ipam, Object raw) {
    }

    record Defaults(String bridge, boolean preserve, int mtu, List<String> list, Optional<String> opt) {
    }

    record Values(Optional<InetAddress> ip, Optional<IpPrefix> prefix, Optional<MacAddress> mac, Optional<Mode> mode,
                  List<Route> routes, Dns dns, Optional<IpRange> range, List<PortMapping> ports) {
    }

    record Required(IpPrefix subnet) {
    }

    record Checked(int port) {
        Checked {
            if (port > 65535) {
                throw new IllegalArgumentException("port " + port + " out of range");
            }
        }
    }

    private static <T> T bind(String json, Class<T> type) {
        return GoJson.bind(json.getBytes(StandardCharsets.UTF_8), type);
    }

    private static GoJson.TypeError typeError(String json, Class<?> type) {
        return assertThrows(GoJson.TypeError.class, () -> bind(json, type));
    }

    // ------------------------------------------------------------------ keys

    @Test
    void keysMatchExactlyOrElseIgnoringCase() {
        Conf c = bind("{\"NAME\":\"a\",\"Flag\":true,\"mTu\":9000}", Conf.class);
        assertEquals("a", c.name());
        assertTrue(c.flag());
        assertEquals(9000, c.mtu());
    }

    @Test
    void aLaterKeyOverwritesAnEarlierOneForTheSameComponent() {
        assertEquals("c", bind("{\"name\":\"a\",\"NAME\":\"b\",\"Name\":\"c\"}", Conf.class).name());
        assertEquals("b", bind("{\"name\":\"a\",\"NAME\":\"b\"}", Conf.class).name());
        assertEquals("a", bind("{\"NAME\":\"b\",\"name\":\"a\"}", Conf.class).name(), "document order, not exactness");
        assertEquals("c", bind("{\"name\":\"a\",\"NAME\":\"b\",\"name\":\"c\"}", Conf.class).name(),
                "a repeated key is taken where it stands again");
    }

    @Test
    void aRepeatedObjectIsDecodedIntoTheEarlierValue() {
        Conf c = bind("{\"ipam\":{\"type\":\"host-local\",\"labels\":{\"a\":\"1\"}},\"IPAM\":{\"labels\":{\"b\":\"2\"}}}",
                Conf.class);
        assertEquals("host-local", c.ipam().type(), "a struct keeps what the second object does not set");
        assertEquals(Map.of("a", "1", "b", "2"), c.ipam().labels(), "a map keeps its entries");
    }

    @Test
    void unknownKeysAreIgnored() {
        assertEquals("x", bind("{\"other\":[1,{\"a\":null}],\"name\":\"x\"}", Conf.class).name());
    }

    // ------------------------------------------------------------------ null and zero values

    @Test
    void absentKeysGiveZeroValues() {
        Conf c = bind("{}", Conf.class);
        assertEquals(new Conf("", false, 0, 0, 0.0, BigDecimal.ZERO, Optional.empty(), OptionalInt.empty(), List.of(), Map.of(),
                new Ipam("", List.of(), Map.of()), Optional.empty()), c);
    }

    @Test
    void nullLeavesANonPointerValueAsItWas() {
        Conf c = bind("{\"name\":\"a\",\"name\":null,\"mtu\":5,\"MTU\":null,\"flag\":true,\"flag\":null}", Conf.class);
        assertEquals("a", c.name());
        assertEquals(5, c.mtu());
        assertTrue(c.flag());
    }

    @Test
    void nullEmptiesOptionalsListsAndMaps() {
        Conf c = bind("{\"maybe\":\"x\",\"maybe\":null,\"list\":[\"a\"],\"list\":null,\"counts\":{\"a\":1},\"counts\":null,"
                + "\"table\":3,\"table\":null,\"raw\":5,\"raw\":null}", Conf.class);
        assertEquals(Optional.empty(), c.maybe());
        assertEquals(List.of(), c.list());
        assertEquals(Map.of(), c.counts());
        assertEquals(OptionalInt.empty(), c.table());
        assertEquals(Optional.empty(), c.raw());
    }

    @Test
    void defaultsAreKeptWhereTheDocumentSetsNothingOrNull() {
        Defaults d = new Defaults("cni0", true, 1500, List.of("x"), Optional.of("o"));
        assertEquals(d, GoJson.bind(b("{}"), Defaults.class, d));
        assertEquals(new Defaults("cni0", false, 1500, List.of(), Optional.empty()),
                GoJson.bind(b("{\"bridge\":null,\"preserve\":false,\"list\":null,\"opt\":null}"), Defaults.class, d));
        assertEquals(new Defaults("br1", true, 1500, List.of("y"), Optional.of("o")),
                GoJson.bind(b("{\"bridge\":\"br1\",\"list\":[\"y\"]}"), Defaults.class, d));
    }

    @Test
    void aTypeWithoutZeroValueMustBePresentOrOptional() {
        GoJson.ValueError e = assertThrows(GoJson.ValueError.class, () -> bind("{}", Required.class));
        assertEquals("subnet", e.path());
        assertTrue(e.getMessage().startsWith("missing subnet"), e.getMessage());
        assertThrows(GoJson.ValueError.class, () -> bind("{\"subnet\":null}", Required.class));
        assertEquals(IpPrefix.parse("10.0.0.0/8"), bind("{\"subnet\":\"10.0.0.0/8\"}", Required.class).subnet());
    }

    // ------------------------------------------------------------------ wrong types

    @Test
    void aFractionIntoAnIntIsATypeErrorWithGosValueText() {
        GoJson.TypeError e = typeError("{\"mtu\":1.5}", Conf.class);
        assertEquals("number 1.5", e.value());
        assertEquals("cannot unmarshal number 1.5 into mtu of type int", e.getMessage());
        assertEquals("number 1e3", typeError("{\"mtu\":1e3}", Conf.class).value(), "Go parses the literal as an integer");
        assertEquals("number 1.0", typeError("{\"mtu\":1.0}", Conf.class).value());
    }

    @Test
    void aNumberBeyondTheJavaTypeIsATypeError() {
        assertEquals("number 2147483648", typeError("{\"mtu\":2147483648}", Conf.class).value());
        assertEquals(2147483648L, bind("{\"big\":2147483648}", Conf.class).big());
        assertEquals("number 9223372036854775808", typeError("{\"big\":9223372036854775808}", Conf.class).value());
        assertEquals("number 1e400", typeError("{\"ratio\":1e400}", Conf.class).value());
    }

    @Test
    void aNumberIntoAStringIsATypeError() {
        GoJson.TypeError e = typeError("{\"name\":5}", Conf.class);
        assertEquals("cannot unmarshal number into name of type string", e.getMessage());
    }

    @Test
    void aStringIntoABoolIsATypeError() {
        assertEquals("cannot unmarshal string into flag of type bool", typeError("{\"flag\":\"true\"}", Conf.class).getMessage());
        assertEquals("cannot unmarshal number into flag of type bool", typeError("{\"flag\":1}", Conf.class).getMessage());
    }

    @Test
    void errorsNameThePathWithIndicesAndGosFieldPathWithout() {
        GoJson.TypeError e = typeError("{\"ipam\":{\"ranges\":[[{\"subnet\":\"10.0.0.0/8\"},{\"subnet\":5}]]}}", Conf.class);
        assertEquals("ipam.ranges[0][1].subnet", e.path());
        assertEquals("ipam.ranges.subnet", e.fieldPath());
        assertEquals("cannot unmarshal number into ipam.ranges[0][1].subnet of type string", e.getMessage());
        assertEquals("cannot unmarshal object into ipam.ranges[0] of type array",
                typeError("{\"ipam\":{\"ranges\":[{}]}}", Conf.class).getMessage());
        assertEquals("cannot unmarshal string into counts.x of type int",
                typeError("{\"counts\":{\"x\":\"1\"}}", Conf.class).getMessage());
    }

    @Test
    void theFirstTypeErrorInTheDocumentIsReportedEvenIfALaterKeyWouldFixIt() {
        GoJson.TypeError e = typeError("{\"mtu\":\"x\",\"flag\":\"y\",\"MTU\":5}", Conf.class);
        assertEquals("mtu", e.path());
    }

    @Test
    void anInvalidTextStopsAtOnceAndWinsOverAnEarlierTypeError() {
        GoJson.ValueError e = assertThrows(GoJson.ValueError.class,
                () -> bind("{\"mode\":5,\"ip\":\"300.1.1.1\"}", Values.class));
        assertEquals("ip", e.path());
        assertTrue(e.getMessage().startsWith("ip: "), e.getMessage());
    }

    @Test
    void aRecordThatRefusesItsValuesIsAValueErrorNamingIt() {
        record Outer(List<Checked> ports) {
        }
        GoJson.ValueError e = assertThrows(GoJson.ValueError.class, () -> bind("{\"ports\":[{\"port\":1},{\"port\":70000}]}", Outer.class));
        assertEquals("ports[1]: port 70000 out of range", e.getMessage());
    }

    // ------------------------------------------------------------------ value types

    @Test
    void jcniValueTypesBindFromTheirText() {
        Values v = bind("{\"ip\":\"10.1.2.3\",\"prefix\":\"10.1.0.5/16\",\"mac\":\"0A:58:0a:01:02:03\",\"mode\":\"l2\","
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.0.1\",\"table\":100}],\"dns\":{\"nameservers\":[\"1.1.1.1\"]},"
                + "\"range\":{\"subnet\":\"10.2.0.0/24\",\"gateway\":\"10.2.0.1\"},"
                + "\"ports\":[{\"hostPort\":80,\"containerPort\":8080,\"protocol\":\"tcp\",\"hostIP\":\"1.2.3.4\"}]}", Values.class);
        assertEquals(Optional.of(Ip.parse("10.1.2.3")), v.ip());
        assertEquals(Optional.of(IpPrefix.parse("10.1.0.5/16")), v.prefix());
        assertEquals(Optional.of(MacAddress.parse("0a:58:0a:01:02:03")), v.mac());
        assertEquals(Optional.of(Mode.L2), v.mode());
        assertEquals(List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(Ip.parse("10.1.0.1")), 0, 0, 0, OptionalInt.of(100),
                OptionalInt.empty())), v.routes());
        assertEquals(new Dns(List.of("1.1.1.1"), "", List.of(), List.of()), v.dns());
        assertEquals(Optional.of(new IpRange(IpPrefix.parse("10.2.0.0/24"), Optional.empty(), Optional.empty(),
                Optional.of(Ip.parse("10.2.0.1")))), v.range());
        assertEquals(List.of(new PortMapping(80, 8080, "tcp", "1.2.3.4")), v.ports());
    }

    @Test
    void anInvalidValueTextIsAValueError() {
        GoJson.ValueError e = assertThrows(GoJson.ValueError.class, () -> bind("{\"prefix\":\"10.1.0.0/99\"}", Values.class));
        assertEquals("prefix: invalid CIDR address: 10.1.0.0/99", e.getMessage());
        assertThrows(GoJson.ValueError.class, () -> bind("{\"mode\":\"l3\"}", Values.class));
        assertEquals("cannot unmarshal number into prefix of type string", typeError("{\"prefix\":5}", Values.class).getMessage());
    }

    @Test
    void objectTakesAnyJsonAsPlainValues() {
        Conf c = bind("{\"raw\":{\"a\":[1,null,\"x\",1.5,true]}}", Conf.class);
        assertEquals(Map.of("a", List.of(1L, Optional.empty(), "x", new BigDecimal("1.5"), true)), c.raw());
    }

    // ------------------------------------------------------------------ encoding

    @Test
    void recordsEncodeByJsonNameLeavingEmptyOptionalsOut() {
        assertEquals("{\"hostPort\":1,\"containerPort\":2,\"protocol\":\"tcp\",\"hostIP\":\"\"}",
                GoJson.encode(new PortMapping(1, 2, "tcp", "")).toString());
        assertEquals("{\"subnet\":\"10.0.0.0/8\",\"gateway\":\"10.0.0.1\"}",
                GoJson.encode(new Range(IpPrefix.parse("10.0.0.0/8"), Optional.of(Ip.parse("10.0.0.1")))).toString());
        assertEquals("{\"dst\":\"0.0.0.0/0\"}", GoJson.encode(Route.of(IpPrefix.parse("0.0.0.0/0"))).toString(),
                "a route is written as in results");
    }

    // ------------------------------------------------------------------ properties

    record Gen(String name, boolean flag, int mtu, long big, double ratio, Optional<String> maybe, OptionalLong count,
               List<String> list, Map<String, Integer> counts, List<Range> ranges, Optional<Mode> mode) {
    }

    @Provide
    Arbitrary<Gen> gens() {
        Arbitrary<String> text = Arbitraries.strings().ofMaxLength(6);
        Arbitrary<Range> range = Combinators.combine(Arbitraries.integers().between(0, 255), Arbitraries.integers().between(8, 32),
                Arbitraries.of(true, false)).as((o, len, gw) -> new Range(IpPrefix.parse("10." + o + ".0.0/" + len),
                gw ? Optional.of(Ip.parse("10." + o + ".0.1")) : Optional.empty()));
        Arbitrary<Gen> first = Combinators.combine(text, Arbitraries.of(true, false), Arbitraries.integers(), Arbitraries.longs(),
                Arbitraries.doubles().between(-1e6, 1e6), text.optional(), Arbitraries.longs().optional())
                .as((n, f, m, b, r, o, c) -> new Gen(n, f, m, b, r, o, c.map(OptionalLong::of).orElse(OptionalLong.empty()),
                        List.of(), Map.of(), List.of(), Optional.empty()));
        return Combinators.combine(first, text.list().ofMaxSize(3),
                Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(4), Arbitraries.integers()).ofMaxSize(3),
                range.list().ofMaxSize(3), Arbitraries.of(Mode.class).optional())
                .as((g, l, m, rs, mode) -> new Gen(g.name(), g.flag(), g.mtu(), g.big(), g.ratio(), g.maybe(), g.count(), l, m, rs,
                        mode));
    }

    @Property(tries = 300)
    void validInputRoundTrips(@ForAll("gens") Gen g) {
        byte[] json = Json.write(GoJson.encode(g));
        assertEquals(g, GoJson.bind(json, Gen.class));
    }

    @Property(tries = 300)
    void keysInAnyCaseBindTheSame(@ForAll("gens") Gen g, @ForAll boolean upper) {
        String json = Json.text(Json.write(GoJson.encode(g)));
        String recased = json.replace("\"name\"", upper ? "\"NAME\"" : "\"Name\"").replace("\"counts\"", "\"COUNTS\"")
                .replace("\"ranges\"", "\"rAnGeS\"");
        assertEquals(g, GoJson.bind(b(recased), Gen.class));
    }

    /** A JSON value of each kind, and the components it does not fit. */
    @Property(tries = 300)
    void eachWrongTypeIsRejectedWithTheFieldPath(@ForAll("gens") Gen g, @ForAll("wrong") Map.Entry<String, String> bad) {
        com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) GoJson.encode(g);
        String[] path = bad.getKey().split("\\.");
        com.fasterxml.jackson.databind.node.ObjectNode at = o;
        for (int i = 0; i < path.length - 1; i++) {
            at = at.putObject(path[i]);
        }
        try {
            at.set(path[path.length - 1], Json.parse(b(bad.getValue())));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new AssertionError(e);
        }
        GoJson.TypeError e = assertThrows(GoJson.TypeError.class, () -> GoJson.bind(Json.write(o), Gen.class));
        assertEquals(bad.getKey(), e.path());
        assertTrue(e.getMessage().contains(" into " + bad.getKey() + " of type "), e.getMessage());
    }

    @Provide
    Arbitrary<Map.Entry<String, String>> wrong() {
        return Arbitraries.of(
                Map.entry("name", "5"), Map.entry("name", "true"), Map.entry("name", "[]"), Map.entry("name", "{}"),
                Map.entry("flag", "\"true\""), Map.entry("flag", "1"), Map.entry("flag", "{}"),
                Map.entry("mtu", "1.5"), Map.entry("mtu", "\"1\""), Map.entry("mtu", "4294967296"), Map.entry("mtu", "[1]"),
                Map.entry("big", "1e2"), Map.entry("big", "false"), Map.entry("ratio", "\"1\""), Map.entry("ratio", "1e999"),
                Map.entry("maybe", "1"), Map.entry("count", "0.5"), Map.entry("list", "\"a\""), Map.entry("list", "{}"),
                Map.entry("counts", "[]"), Map.entry("counts", "1"), Map.entry("ranges", "{}"), Map.entry("mode", "1"));
    }

    @Test
    void elementAndEntryErrorsNameTheirIndexOrKey() {
        GoJson.TypeError e = assertThrows(GoJson.TypeError.class, () -> bind("{\"list\":[\"a\",\"b\",3]}", Gen.class));
        assertEquals("list[2]", e.path());
        GoJson.TypeError f = assertThrows(GoJson.TypeError.class, () -> bind("{\"ranges\":[{\"subnet\":true}]}", Gen.class));
        assertEquals("ranges[0].subnet", f.path());
        GoJson.TypeError h = assertThrows(GoJson.TypeError.class, () -> bind("{\"counts\":{\"k\":\"v\"}}", Gen.class));
        assertEquals("counts.k", h.path());
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
