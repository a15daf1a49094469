package dev.jcni.sdk.warm;

import dev.jcni.sdk.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The warm-mode daemon's metrics, in the Prometheus text format (version 0.0.4). Counting is cheap
 * on the call's path: a lookup in a concurrent map (the keys are bounded: the dist's plugins, six
 * commands, the codes of the spec) and {@link LongAdder} increments; the fixed histogram buckets
 * are found by a scan of 14 longs. Everything else is computed when the text is asked for.
 *
 * <p>The metrics (docs/operators.md, "Metrics", is their reference):
 * <ul>
 *   <li>{@code jcni_calls_total{plugin,command,code}}: calls answered by the daemon; {@code code}
 *       is 0 for success, else the CNI error code of the error JSON (999 when there is none);</li>
 *   <li>{@code jcni_call_duration_seconds{plugin,command}}: a histogram of their time in the
 *       daemon, from the go-ahead to the answer;</li>
 *   <li>{@code jcni_refusals_total{reason}}: calls refused (each then runs cold);</li>
 *   <li>{@code jcni_cold_fallbacks_total{reason}}: calls the daemon saw go cold: its refusals, and
 *       the connections whose shim gave up before the go-ahead or did not send its request in time;</li>
 *   <li>{@code jcni_calls_in_flight}, {@code jcni_admission_waits_total},
 *       {@code jcni_admission_wait_seconds_total}, {@code jcni_daemon_heap_bytes},
 *       {@code jcni_daemon_resident_memory_bytes}, {@code jcni_daemon_uptime_seconds},
 *       {@code jcni_daemon_workers}, {@code jcni_daemon_info}.</li>
 * </ul>
 */
final class Metrics {
    /** The upper bounds of the latency buckets, in seconds. */
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    private static final long[] BUCKET_NANOS = new long[BUCKETS.length];

    static {
        for (int i = 0; i < BUCKETS.length; i++) {
            BUCKET_NANOS[i] = Math.round(BUCKETS[i] * 1e9);
        }
    }

    /** The commands counted by name; anything else counts as {@code other}. */
    private static final List<String> COMMANDS = List.of("ADD", "DEL", "CHECK", "GC", "STATUS", "VERSION");

    /**
     * Refusal reasons: the start of the daemon's refusal message, and its label. The messages are
     * the daemon's own constants ({@code MetricsTest} checks each one maps to its label).
     */
    static final List<Map.Entry<String, String>> REASONS = List.of(
            Map.entry("the daemon cannot learn the caller", "caller_unknown"),
            Map.entry("the caller is not root", "not_root"),
            Map.entry("too many request bytes", "request_bytes"),
            Map.entry("too many calls at once", "too_many_sessions"),
            Map.entry("dist id ", "dist_id"),
            Map.entry("plugin ", "unknown_plugin"),
            Map.entry("the caller's working directory", "relative_cwd"),
            Map.entry("the daemon is stopping", "stopping"),
            Map.entry(Daemon.NOT_LIKE_THE_DAEMON, "caller_differs"),
            Map.entry("the launcher was given arguments", "launcher_args"),
            Map.entry("cannot load the plugin", "plugin_not_loadable"),
            Map.entry("the daemon is busy", "no_turn"));

    private record CallKey(String plugin, String command, int code) {
    }

    private record TimeKey(String plugin, String command) {
    }

    /** One histogram: bucket counts (not cumulative), their sum in nanoseconds. */
    private static final class Histogram {
        final LongAdder[] buckets = new LongAdder[BUCKETS.length + 1];
        final LongAdder sumNanos = new LongAdder();

        Histogram() {
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = new LongAdder();
            }
        }

        void observe(long nanos) {
            int i = 0;
            while (i < BUCKET_NANOS.length && nanos > BUCKET_NANOS[i]) {
                i++;
            }
            buckets[i].increment();
            sumNanos.add(nanos);
        }
    }

    private final String distName;
    private final String distId;
    private final long startNanos = System.nanoTime();
    private final ConcurrentHashMap<CallKey, LongAdder> calls = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TimeKey, Histogram> times = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> fallbacks = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder waits = new LongAdder();
    private final LongAdder waitNanos = new LongAdder();
    private final IntSupplier workers;

    Metrics(String distName, String distId, IntSupplier workers) {
        this.distName = distName;
        this.distId = distId;
        this.workers = workers;
    }

    /**
     * Counts a call the daemon answered.
     *
     * @param plugin the plugin
     * @param command its CNI_COMMAND
     * @param exitCode the exit code
     * @param stdout what it wrote on stdout (read for the error's code when the exit code is not 0)
     * @param nanos its time
     */
    void called(String plugin, String command, int exitCode, byte[] stdout, long nanos) {
        String cmd = COMMANDS.contains(command) ? command : "other";
        int code = exitCode == 0 ? 0 : errorCode(stdout);
        calls.computeIfAbsent(new CallKey(plugin, cmd, code), k -> new LongAdder()).increment();
        times.computeIfAbsent(new TimeKey(plugin, cmd), k -> new Histogram()).observe(nanos);
    }

    /** The {@code code} of an error JSON, 999 when there is none or it is out of the spec's range. */
    static int errorCode(byte[] stdout) {
        try {
            var code = Json.parse(stdout).path("code");
            if (code.isInt() && code.intValue() >= 0 && code.intValue() <= 999) {
                return code.intValue();
            }
        } catch (IOException | RuntimeException e) {
            // no error JSON
        }
        return 999;
    }

    /**
     * Counts a refusal, which makes the shim run the call cold.
     *
     * @param why the refusal's message
     */
    void refused(String why) {
        String reason = reasonOf(why);
        refusals.computeIfAbsent(reason, k -> new LongAdder()).increment();
        fellBack(reason);
    }

    /**
     * Counts a call the daemon saw go cold without a refusal.
     *
     * @param reason {@code shim_cancelled} or {@code deadline}
     */
    void fellBack(String reason) {
        fallbacks.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    /** @return the label of a refusal message, {@code other} for one not listed */
    static String reasonOf(String why) {
        for (Map.Entry<String, String> r : REASONS) {
            if (why.startsWith(r.getKey())) {
                return r.getValue();
            }
        }
        // "<VARIABLE> asks for JVM options", "... asks for another JVM": Daemon.JVM_SETTINGS
        if (Daemon.JVM_SETTINGS.stream().anyMatch(v -> why.startsWith(v + " asks for "))) {
            return "jvm_settings";
        }
        return "other";
    }

    /** A call starts running. */
    void started() {
        inFlight.incrementAndGet();
    }

    /** A call has ended. */
    void ended() {
        inFlight.decrementAndGet();
    }

    /**
     * Counts a call that had to wait for its turn.
     *
     * @param nanos how long it waited
     */
    void waited(long nanos) {
        waits.increment();
        waitNanos.add(nanos);
    }

    /** @return every metric, in the Prometheus text format */
    String render() {
        StringBuilder b = new StringBuilder(4096);
        head(b, "jcni_daemon_info", "gauge", "The daemon's distribution (name, id) and jcni version; always 1.");
        String version = Metrics.class.getPackage().getImplementationVersion();
        b.append("jcni_daemon_info{dist=\"").append(escape(distName)).append("\",id=\"").append(escape(distId))
                .append("\",version=\"").append(escape(version == null ? "development" : version)).append("\"} 1\n");
        head(b, "jcni_calls_total", "counter", "Calls answered warm, by plugin, command and CNI result code (0 success).");
        sortedCalls().forEach((labels, n) -> b.append("jcni_calls_total").append(labels)
                .append(' ').append(n).append('\n'));
        head(b, "jcni_call_duration_seconds", "histogram", "Time of a warm call in the daemon, go-ahead to answer.");
        Map<String, Histogram> byLabels = new TreeMap<>();
        times.forEach((k, h) -> byLabels.put("plugin=\"" + escape(k.plugin()) + "\",command=\"" + k.command() + "\"", h));
        byLabels.forEach((labels, h) -> histogram(b, labels, h));
        counters(b, "jcni_refusals_total", "Calls the daemon refused (each runs cold), by reason.", refusals);
        counters(b, "jcni_cold_fallbacks_total", "Calls the daemon saw go cold, by reason (its refusals, a shim"
                + " that gave up before the go-ahead, a request not sent in time).", fallbacks);
        gauge(b, "jcni_calls_in_flight", "Calls running in the daemon now.", inFlight.get());
        head(b, "jcni_admission_waits_total", "counter", "Calls that waited for their turn (a permit or their container).");
        b.append("jcni_admission_waits_total ").append(waits.sum()).append('\n');
        head(b, "jcni_admission_wait_seconds_total", "counter", "Time calls spent waiting for their turn.");
        b.append("jcni_admission_wait_seconds_total ").append(seconds(waitNanos.sum())).append('\n');
        Runtime rt = Runtime.getRuntime();
        gauge(b, "jcni_daemon_heap_bytes", "Heap in use.", rt.totalMemory() - rt.freeMemory());
        gauge(b, "jcni_daemon_heap_max_bytes", "The heap's bound (-Xmx).", rt.maxMemory());
        gauge(b, "jcni_daemon_resident_memory_bytes", "Resident set size (VmRSS).", rss());
        head(b, "jcni_daemon_uptime_seconds", "gauge", "Seconds since the daemon started.");
        b.append("jcni_daemon_uptime_seconds ").append(seconds(System.nanoTime() - startNanos)).append('\n');
        gauge(b, "jcni_daemon_workers", "Worker threads (serving or waiting in accept).", workers.getAsInt());
        return b.toString();
    }

    private Map<String, Long> sortedCalls() {
        Map<String, Long> m = new TreeMap<>();
        calls.forEach((k, n) -> m.put("{plugin=\"" + escape(k.plugin()) + "\",command=\"" + k.command() + "\",code=\""
                + k.code() + "\"}", n.sum()));
        return m;
    }

    private static void histogram(StringBuilder b, String labels, Histogram h) {
        long cumulative = 0;
        for (int i = 0; i < BUCKETS.length; i++) {
            cumulative += h.buckets[i].sum();
            b.append("jcni_call_duration_seconds_bucket{").append(labels).append(",le=\"").append(BUCKETS[i])
                    .append("\"} ").append(cumulative).append('\n');
        }
        cumulative += h.buckets[BUCKETS.length].sum();
        b.append("jcni_call_duration_seconds_bucket{").append(labels).append(",le=\"+Inf\"} ").append(cumulative).append('\n');
        b.append("jcni_call_duration_seconds_sum{").append(labels).append("} ").append(seconds(h.sumNanos.sum())).append('\n');
        b.append("jcni_call_duration_seconds_count{").append(labels).append("} ").append(cumulative).append('\n');
    }

    private static void counters(StringBuilder b, String name, String help, Map<String, LongAdder> byReason) {
        head(b, name, "counter", help);
        new TreeMap<>(byReason).forEach((reason, n) -> b.append(name).append("{reason=\"").append(reason).append("\"} ")
                .append(n.sum()).append('\n'));
    }

    private static void gauge(StringBuilder b, String name, String help, long value) {
        head(b, name, "gauge", help);
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void head(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
    }

    /** A label value, escaped as the text format asks (backslash, quote, newline). */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    /** @return the resident set size in bytes, from /proc/self/status; -1 when unknown */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown
        }
        return -1;
    }
}
