package dev.jcni.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PluginLogTest {
    static final Map<String, String> CALL = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_IFNAME", "eth0",
            "TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "JCNI_LOG_FORMAT", "json");

    @Test
    void jsonLinesCarryTheCallsFieldsAndTheStackTrace() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PluginLog log = new PluginLog("bridge", new PrintStream(b, true, StandardCharsets.UTF_8), Level.INFO)
                .withFormatOf(CALL).forCall(CALL);
        log.log(Level.WARNING, "one \"quoted\"\nline");
        log.log(Level.ERROR, "failed", new IllegalStateException("boom"));
        log.log(Level.DEBUG, "filtered out");
        List<JsonNode> lines = new ArrayList<>();
        for (String l : b.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(Json.parse(l.getBytes(StandardCharsets.UTF_8)));
        }
        assertEquals(2, lines.size());
        JsonNode first = lines.get(0);
        List<String> keys = new ArrayList<>();
        first.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("time", "level", "logger", "msg", "trace_id", "span_id", "command", "container_id", "ifname"), keys);
        assertEquals("WARNING", first.get("level").asText());
        assertEquals("bridge", first.get("logger").asText());
        assertEquals("one \"quoted\"\nline", first.get("msg").asText());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", first.get("trace_id").asText());
        assertEquals("00f067aa0ba902b7", first.get("span_id").asText());
        assertEquals("ADD", first.get("command").asText());
        assertEquals("c1", first.get("container_id").asText());
        assertEquals("eth0", first.get("ifname").asText());
        assertTrue(java.time.Instant.parse(first.get("time").asText()).getEpochSecond() > 0);
        assertTrue(lines.get(1).get("error").asText().startsWith("java.lang.IllegalStateException: boom\n\tat "));
    }

    @Test
    void textIsTheDefaultAndOutsideACallHasNoFields() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        PluginLog log = new PluginLog("jcni-daemon", new PrintStream(b, true, StandardCharsets.UTF_8), Level.INFO)
                .withFormatOf(Map.of("JCNI_LOG_FORMAT", "text"));
        assertFalse(log.isJson());
        log.log(Level.INFO, "serving");
        log.forCall(CALL).log(Level.INFO, "served");
        String[] lines = b.toString(StandardCharsets.UTF_8).split("\n");
        assertTrue(lines[0].matches("\\S+ INFO jcni-daemon: serving"), lines[0]);
        assertTrue(lines[1].matches("\\S+ INFO jcni-daemon trace_id=4bf92f3577b34da6a3ce929d0e0e4736: served"), lines[1]);
    }
}
