package dev.jcni.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jcni.sdk.runtime.NetworkAttachment;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.Ipam;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.PortMapping;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** One rule for arbitrary JSON in the API: plain values, deep unmodifiable copies, JSON null as Optional.empty(). */
class JsonValuesTest {

    static Map<String, Object> mutableWithNulls() {
        Map<String, Object> inner = new HashMap<>();
        inner.put("gone", null);
        inner.put("list", new ArrayList<>(Arrays.asList(1, null, "x")));
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("inner", inner);
        top.put("nothing", Optional.empty());
        top.put("port", new PortMapping(80, 8080, "tcp", ""));
        return top;
    }

    static final Map<String, Object> PLAIN = Map.of(
            "inner", Map.of("gone", Optional.empty(), "list", List.of(1L, Optional.empty(), "x")),
            "nothing", Optional.empty(),
            "port", Map.of("hostPort", 80L, "containerPort", 8080L, "protocol", "tcp", "hostIP", ""));

    @Test
    void everyCopyIsDeepUnmodifiableAndKeepsJsonNullAsEmptyOptional() {
        Map<String, Object> given = mutableWithNulls();
        List<Map<String, Object>> copies = List.of(JsonValues.copyObject(given),
                new Ipam("x", given).values(),
                RuntimeConf.of("c", "", "eth0").withCapabilityArgs(given).capabilityArgs(),
                new NetworkAttachment("c", "n", "eth0", "{}", "", CniArgs.empty(), given).capabilityArgs());
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) ((Map<String, Object>) given.get("inner")).get("list");
        list.add("changed later");
        for (Map<String, Object> c : copies) {
            assertEquals(PLAIN, c);
            assertThrows(UnsupportedOperationException.class, () -> c.put("k", "v"));
            @SuppressWarnings("unchecked")
            Map<String, Object> inner = (Map<String, Object>) c.get("inner");
            assertThrows(UnsupportedOperationException.class, () -> inner.put("k", "v"));
        }
    }

    @Test
    void aConfigurationGivesTheSameValuesBack() {
        NetConf c = NetConf.fromJson("{\"name\":\"n\",\"x\":{\"a\":null,\"b\":[null,1.5]},\"y\":null}".getBytes(StandardCharsets.UTF_8));
        assertEquals(Optional.of(Map.of("a", Optional.empty(), "b", List.of(Optional.empty(), new java.math.BigDecimal("1.5")))),
                c.get("x"));
        assertEquals(Optional.empty(), c.get("y"), "a key that is JSON null reads as absent");
    }

    @Provide
    Arbitrary<Object> plain() {
        Arbitrary<Object> leaf = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(5).map(s -> (Object) s),
                Arbitraries.longs().map(l -> (Object) l), Arbitraries.of(true, false).map(b -> (Object) b),
                Arbitraries.just(Optional.empty()));
        Arbitrary<Object> level1 = Arbitraries.oneOf(leaf, leaf.list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(4), leaf).ofMaxSize(3).map(m -> (Object) m));
        return Arbitraries.oneOf(level1, level1.list().ofMaxSize(3).map(l -> (Object) l),
                Arbitraries.maps(Arbitraries.strings().alpha().ofMaxLength(4), level1).ofMaxSize(3).map(m -> (Object) m));
    }

    @Property(tries = 300)
    void plainValuesRoundTripThroughJson(@ForAll("plain") Object value) throws Exception {
        assertEquals(value, JsonValues.copy(value));
        assertEquals(value, JsonValues.toPlain(Json.parse(Json.write(GoJson.encode(value)))));
    }
}
