package dev.jcni.sdk.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TraceContextTest {
    static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void theIdsAndFlagsAreReadFromTraceparent() {
        TraceContext t = TraceContext.of(PARENT);
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", t.traceId());
        assertEquals("00f067aa0ba902b7", t.spanId());
        assertTrue(t.sampled());
        assertFalse(TraceContext.of(PARENT.replace("-01", "-00")).sampled());
    }

    @Test
    void fromEnvReadsTheThreeVariablesAndIgnoresAnInvalidParent() {
        TraceContext t = TraceContext.fromEnv(Map.of("TRACEPARENT", PARENT, "TRACESTATE", "congo=t61rcWkgMzE",
                "BAGGAGE", "userId=alice")).orElseThrow();
        assertEquals(new TraceContext(PARENT, "congo=t61rcWkgMzE", "userId=alice"), t);
        assertEquals(Map.of("TRACEPARENT", PARENT, "TRACESTATE", "congo=t61rcWkgMzE", "BAGGAGE", "userId=alice"), t.asEnv());
        assertEquals(Optional.empty(), TraceContext.fromEnv(Map.of("TRACESTATE", "a=b")));
        for (String bad : List.of("", "garbage", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01")) {
            assertEquals(Optional.empty(), TraceContext.fromEnv(Map.of("TRACEPARENT", bad)), bad);
            assertThrows(IllegalArgumentException.class, () -> TraceContext.of(bad), bad);
        }
        // a later version may append fields; upper case is read as lower case
        assertTrue(TraceContext.fromEnv(Map.of("TRACEPARENT", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-ab")).isPresent());
        assertEquals(PARENT, TraceContext.fromEnv(Map.of("TRACEPARENT", PARENT.toUpperCase())).orElseThrow().traceparent());
    }

    @Test
    void emptyStateAndBaggageAreLeftOutOfTheEnvironment() {
        assertEquals(Map.of("TRACEPARENT", PARENT), TraceContext.of(PARENT).asEnv());
        assertEquals(Map.of("TRACEPARENT", PARENT, "BAGGAGE", "k=v"), TraceContext.of(PARENT).withBaggage("k=v").asEnv());
        assertThrows(IllegalArgumentException.class, () -> TraceContext.of(PARENT).withTracestate("a=b\nc=d"));
    }
}
