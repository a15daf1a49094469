package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void callsAreCountedByPluginCommandAndCniCode() {
        Metrics m = new Metrics("reference", "abc", () -> 3);
        m.called("bridge", "ADD", 0, bytes("{}"), 2_000_000);
        m.called("bridge", "ADD", 0, bytes("{}"), 40_000_000);
        m.called("bridge", "ADD", 1, bytes("{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"x\"}"), 1_000);
        m.called("bridge", "DEL", 1, bytes("not json"), 1_000);
        m.called("ptp", "FROB", 0, bytes(""), 1_000);
        String t = m.render();
        assertTrue(t.contains("jcni_calls_total{plugin=\"bridge\",command=\"ADD\",code=\"0\"} 2\n"), t);
        assertTrue(t.contains("jcni_calls_total{plugin=\"bridge\",command=\"ADD\",code=\"11\"} 1\n"), t);
        assertTrue(t.contains("jcni_calls_total{plugin=\"bridge\",command=\"DEL\",code=\"999\"} 1\n"), t);
        assertTrue(t.contains("jcni_calls_total{plugin=\"ptp\",command=\"other\",code=\"0\"} 1\n"), t);
        assertTrue(t.contains("# TYPE jcni_calls_total counter\n"), t);
        assertTrue(t.contains("jcni_daemon_info{dist=\"reference\",id=\"abc\","), t);
        assertTrue(t.contains("jcni_daemon_workers 3\n"), t);
    }

    @Test
    void theHistogramIsCumulativeWithSumAndCount() {
        Metrics m = new Metrics("d", "i", () -> 0);
        m.called("p", "ADD", 0, bytes(""), 1_000_000); // exactly 1 ms: in le=0.001
        m.called("p", "ADD", 0, bytes(""), 3_000_000);
        m.called("p", "ADD", 0, bytes(""), 60_000_000_000L); // beyond the last bucket
        String t = m.render();
        String l = "{plugin=\"p\",command=\"ADD\",";
        assertTrue(t.contains("jcni_call_duration_seconds_bucket" + l + "le=\"0.001\"} 1\n"), t);
        assertTrue(t.contains("jcni_call_duration_seconds_bucket" + l + "le=\"0.0025\"} 1\n"), t);
        assertTrue(t.contains("jcni_call_duration_seconds_bucket" + l + "le=\"0.005\"} 2\n"), t);
        assertTrue(t.contains("jcni_call_duration_seconds_bucket" + l + "le=\"30.0\"} 2\n"), t);
        assertTrue(t.contains("jcni_call_duration_seconds_bucket" + l + "le=\"+Inf\"} 3\n"), t);
        assertTrue(t.contains("jcni_call_duration_seconds_count{plugin=\"p\",command=\"ADD\"} 3\n"), t);
        assertTrue(t.contains("jcni_call_duration_seconds_sum{plugin=\"p\",command=\"ADD\"} 60.004000\n"), t);
    }

    @Test
    void everyRefusalOfTheDaemonHasItsReason() {
        // the messages Daemon and Session refuse with
        Map<String, String> messages = Map.ofEntries(
                Map.entry("the daemon cannot learn the caller from the kernel", "caller_unknown"),
                Map.entry("the caller is not root", "not_root"),
                Map.entry("too many request bytes in flight", "request_bytes"),
                Map.entry("too many calls at once", "too_many_sessions"),
                Map.entry("dist id \"x\" is not the daemon's (y): restart the daemon after an upgrade", "dist_id"),
                Map.entry("plugin \"x\" is not in the dist", "unknown_plugin"),
                Map.entry("the caller's working directory is not absolute", "relative_cwd"),
                Map.entry("JCNI_JAVA_OPTS asks for JVM options", "jvm_settings"),
                Map.entry("JCNI_JAVA_HOME asks for another JVM", "jvm_settings"),
                Map.entry("the daemon is stopping", "stopping"),
                Map.entry(Daemon.NOT_LIKE_THE_DAEMON, "caller_differs"),
                Map.entry("the launcher was given arguments", "launcher_args"),
                Map.entry("cannot load the plugin: its main does not call PluginMain.run", "plugin_not_loadable"),
                Map.entry("cannot load the plugin", "plugin_not_loadable"),
                Map.entry("the daemon is busy: no turn within 10 s (4 calls running)", "no_turn"));
        messages.forEach((msg, reason) -> assertEquals(reason, Metrics.reasonOf(msg), msg));
        Metrics m = new Metrics("d", "i", () -> 0);
        m.refused("the caller is not root");
        m.refused("the caller is not root");
        m.fellBack("shim_cancelled");
        String t = m.render();
        assertTrue(t.contains("jcni_refusals_total{reason=\"not_root\"} 2\n"), t);
        assertTrue(t.contains("jcni_cold_fallbacks_total{reason=\"not_root\"} 2\n"), t);
        assertTrue(t.contains("jcni_cold_fallbacks_total{reason=\"shim_cancelled\"} 1\n"), t);
    }

    @Test
    void gaugesAndWaits() {
        Metrics m = new Metrics("d", "i", () -> 0);
        m.started();
        m.started();
        m.ended();
        m.waited(1_500_000_000L);
        String t = m.render();
        assertTrue(t.contains("jcni_calls_in_flight 1\n"), t);
        assertTrue(t.contains("jcni_admission_waits_total 1\n"), t);
        assertTrue(t.contains("jcni_admission_wait_seconds_total 1.500000\n"), t);
        assertTrue(Metrics.rss() > 0);
        assertTrue(t.matches("(?s).*jcni_daemon_resident_memory_bytes [1-9][0-9]*\n.*"), t);
        assertTrue(t.matches("(?s).*jcni_daemon_heap_bytes [1-9][0-9]*\n.*"), t);
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", Metrics.escape("a\\b\"c\nd"));
    }

    @Test
    void theMetricsSocketSitsBesideTheCallSocket() {
        assertEquals(Path.of("/run/jcni/reference.metrics.sock"), MetricsEndpoint.socketFor(Path.of("/run/jcni/reference.sock")));
    }

    @Test
    void jcniMetricsFindsTheOneMetricsSocketOrSaysWhy(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.createFile(dir.resolve("b.metrics.sock"));
        java.nio.file.Files.createFile(dir.resolve("b.sock"));
        java.nio.file.Files.createFile(dir.resolve("b.metrics.sock.lock"));
        assertEquals(List.of(dir.resolve("b.metrics.sock")), MetricsEndpoint.metricsSockets(dir));
        java.nio.file.Files.createFile(dir.resolve("a.metrics.sock"));
        assertEquals(List.of(dir.resolve("a.metrics.sock"), dir.resolve("b.metrics.sock")), MetricsEndpoint.metricsSockets(dir));
        assertEquals(List.of(), MetricsEndpoint.metricsSockets(dir.resolve("missing")));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int status = MetricsEndpoint.print(new String[] {"--frob"}, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8).startsWith("jcni metrics: unknown argument --frob\n"));
    }

    @Test
    void theListenerTakesLoopbackAddressesOnly() {
        List<String> rest = new ArrayList<>();
        MetricsEndpoint.Extra e = MetricsEndpoint.extract(new String[] {"--dist", "d", "--metrics-listen", "127.0.0.1:0",
            "--metrics-textfile", "/var/lib/node_exporter/jcni.prom", "--max-calls", "2"}, rest);
        assertEquals(List.of("--dist", "d", "--max-calls", "2"), rest);
        assertEquals(0, e.listen().orElseThrow().getPort());
        assertTrue(e.listen().orElseThrow().getAddress().isLoopbackAddress());
        assertEquals(Path.of("/var/lib/node_exporter/jcni.prom"), e.textfile().orElseThrow());
        assertTrue(MetricsEndpoint.loopback("[::1]:9100").getAddress().isLoopbackAddress());
        assertTrue(MetricsEndpoint.loopback("localhost:9100").getAddress().isLoopbackAddress());
        for (String bad : List.of("0.0.0.0:9100", "10.1.2.3:9100", "example.com:9100", "127.0.0.1", "127.0.0.1:70000", ":9")) {
            assertThrows(IllegalArgumentException.class, () -> MetricsEndpoint.loopback(bad), bad);
        }
    }
}
