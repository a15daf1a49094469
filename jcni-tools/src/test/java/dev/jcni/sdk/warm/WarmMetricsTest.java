package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.testsupport.WarmDist.Run;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's metrics, read by {@code jcni metrics} from the root-only socket and scraped by a
 * real Prometheus (Debian's {@code prometheus}, started here on loopback with a configuration and a
 * data directory of its own and a free port), whose HTTP API is then asked for
 * {@code jcni_calls_total}. Root: the rendezvous is root-only.
 */
@KernelTest
class WarmMetricsTest {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final String OK = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"warmtest\"}";

    @TempDir
    Path dir;

    private static Map<String, String> env(String command, String id) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CNI_COMMAND", command);
        m.put("CNI_CONTAINERID", id);
        m.put("CNI_NETNS", "/run/netns/nowhere");
        m.put("CNI_IFNAME", "eth0");
        m.put("CNI_PATH", "/opt/cni/bin");
        m.put("JCNI_WARM_DEBUG", "1");
        return m;
    }

    @Test
    void prometheusScrapesTheCallsOfTheDaemon() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus is not installed (apt-get install prometheus)");
        try (WarmDist dist = WarmDist.create(dir.resolve("dist"), Map.of("warmtest", WarmTestPlugin.class.getName()),
                WarmDist.testClassPath())) {
            Path textfile = dir.resolve("textfile").resolve("jcni.prom");
            Files.createDirectories(textfile.getParent());
            dist.startDaemon("--metrics-listen", "127.0.0.1:0", "--metrics-textfile", textfile.toString());
            // logged after "serving dist", which startDaemon waits for
            assertTrue(dist.daemonLogShows("/metrics"), dist.daemonLog());
            Matcher m = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics").matcher(dist.daemonLog());
            assertTrue(m.find(), dist.daemonLog());
            int daemonPort = Integer.parseInt(m.group(1));
            // node_exporter's textfile: written at start (then every 15 s), world-readable, through a rename
            assertTrue(dist.daemonLogShows("metrics written to " + textfile), dist.daemonLog());
            assertTrue(Files.readString(textfile).contains("\njcni_daemon_info{dist=\"" + dist.name() + "\""), Files.readString(textfile));
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(textfile)));
            byte[] conf = OK.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 3; i++) {
                Map<String, String> e = env("ADD", "m" + i);
                // the daemon's lines of a call carry its trace id
                e.put("TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e473" + i + "-00f067aa0ba902b7-01");
                Run add = dist.warm("warmtest", e, conf, dir);
                assertEquals(0, add.exitCode(), add.toString());
                assertTrue(dist.servedWarm(add), add.toString());
                String id = "4bf92f3577b34da6a3ce929d0e0e473" + i;
                assertTrue(dist.daemonLog().lines().anyMatch(l -> l.contains(" trace_id=" + id + ": ") && l.contains(" served warmtest ADD")
                        && l.contains(" for pid " + add.pid() + ":")), dist.daemonLog());
            }
            // a failing call logs an error: its JSON line has the same fields cold and warm
            Map<String, String> failEnv = env("ADD", "m-fail");
            failEnv.put("JCNI_LOG_FORMAT", "json");
            failEnv.put("TRACEPARENT", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            byte[] failConf = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"fail\":1}".getBytes(StandardCharsets.UTF_8);
            Run failed = dist.warm("warmtest", failEnv, failConf, dir);
            assertEquals(1, failed.exitCode(), failed.toString());
            assertTrue(dist.servedWarm(failed), failed.toString());
            Run failedCold = dist.cold("warmtest", failEnv, failConf, dir);
            assertEquals(1, failedCold.exitCode(), failedCold.toString());
            JsonNode warmLine = jsonLogLine(failed);
            JsonNode coldLine = jsonLogLine(failedCold);
            for (JsonNode line : new JsonNode[] {warmLine, coldLine}) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) line).remove(java.util.List.of("time", "error"));
            }
            assertEquals(coldLine, warmLine);
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", warmLine.path("trace_id").asText(), warmLine.toString());
            assertEquals("m-fail", warmLine.path("container_id").asText(), warmLine.toString());
            Map<String, String> refusedEnv = env("ADD", "m-cold");
            refusedEnv.put("JCNI_JAVA_OPTS", "-Dx=y");
            // the launcher itself runs such a call cold: the daemon never sees it; through the shim it refuses it
            Run refused = WarmDist.exec(java.util.List.of(dist.shim().toString(), dist.socket().toString(), dist.id(), "warmtest",
                    dist.launcher("warmtest").toString()), withPath(refusedEnv), conf, dir);
            assertTrue(refused.err().contains("JCNI_JAVA_OPTS asks for JVM options"), refused.toString());

            // jcni metrics, from the root-only socket
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = MetricsEndpoint.print(new String[] {"--socket", dist.socket().toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
            assertTrue(text.contains("jcni_calls_total{plugin=\"warmtest\",command=\"ADD\",code=\"0\"} 3\n"), text);
            assertTrue(text.contains("jcni_calls_total{plugin=\"warmtest\",command=\"ADD\",code=\"999\"} 1\n"), text);
            assertTrue(text.contains("jcni_call_duration_seconds_count{plugin=\"warmtest\",command=\"ADD\"} 4\n"), text);
            assertTrue(text.contains("jcni_refusals_total{reason=\"jvm_settings\"} 1\n"), text);
            assertTrue(text.contains("jcni_cold_fallbacks_total{reason=\"jvm_settings\"} 1\n"), text);
            assertTrue(text.contains("jcni_calls_in_flight 0\n"), text);
            Path metricsSocket = MetricsEndpoint.socketFor(dist.socket());
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(metricsSocket)));

            // a real Prometheus scrapes the loopback listener
            int promPort = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                    + "  - job_name: jcni\n    static_configs:\n      - targets: ['127.0.0.1:" + daemonPort + "']\n");
            Path log = dir.resolve("prometheus.log");
            Process prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("prometheus-data"), "--web.listen-address=127.0.0.1:" + promPort,
                    "--log.level=warn").redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                JsonNode sample = awaitSample(promPort, "jcni_calls_total{plugin=\"warmtest\",command=\"ADD\",code=\"0\"}",
                        prometheus, log);
                assertEquals("3", sample.path("value").path(1).asText(), sample.toString());
                assertEquals("jcni", sample.path("metric").path("job").asText(), sample.toString());
                JsonNode failures = awaitSample(promPort, "sum(jcni_calls_total{code!=\"0\"})", prometheus, log);
                assertEquals("1", failures.path("value").path(1).asText(), failures.toString());
            } finally {
                prometheus.destroy();
                if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
                    prometheus.destroyForcibly();
                    prometheus.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static Map<String, String> withPath(Map<String, String> env) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        e.put("JCNI_WARM_PATIENCE_MS", "10000");
        return e;
    }

    /** The one JSON line a run wrote on stderr that has an {@code error} (the shim's debug lines are text). */
    private static JsonNode jsonLogLine(Run r) throws IOException {
        JsonNode found = null;
        for (String l : r.err().split("\n")) {
            if (l.startsWith("{")) {
                JsonNode n = Json.parse(l.getBytes(StandardCharsets.UTF_8));
                if (n.has("error")) {
                    assertEquals(null, found, r.toString());
                    found = n;
                }
            }
        }
        assertTrue(found != null, r.toString());
        return found;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Queries Prometheus until the query has a sample (at most 90 s: it starts, then scrapes every second). */
    private static JsonNode awaitSample(int port, String query, Process prometheus, Path log) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        Optional<String> last = Optional.empty();
        while (System.nanoTime() < end) {
            if (!prometheus.isAlive()) {
                throw new AssertionError("prometheus exited with " + prometheus.exitValue() + ": " + Files.readString(log));
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = Optional.of(r.body());
                if (r.statusCode() == 200) {
                    JsonNode result = Json.parse(r.body().getBytes(StandardCharsets.UTF_8)).path("data").path("result");
                    if (result.size() > 0) {
                        return result.get(0);
                    }
                }
            } catch (IOException e) {
                last = Optional.of(e.toString()); // not listening yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus had no sample of " + query + " after 90 s; last answer: " + last.orElse("none")
                + "; its log: " + Files.readString(log));
    }
}
