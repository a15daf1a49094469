package dev.jcni.sdk.internal;

import dev.jcni.sdk.types.TraceContext;
import java.io.PrintStream;
import java.text.MessageFormat;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * The diagnostics of a plugin process: a {@link System.Logger} writing one line per record to
 * stderr or to the file named by {@code JCNI_LOG_FILE}, filtered by {@code JCNI_LOG_LEVEL}
 * ({@code error}, {@code warning}, {@code info}, {@code debug}, {@code trace}, {@code off}).
 * A plugin says nothing unless something is wrong (default {@code warning}), as Go's plugins:
 * runtimes relay a plugin's stderr.
 *
 * <p>The lines of one call ({@link #forCall}) carry its trace id ({@code TRACEPARENT}):
 * {@code <time> <LEVEL> <name> trace_id=<id>: <message>}.
 *
 * <p>With {@code JCNI_LOG_FORMAT=json} ({@link #withFormatOf}) each line is a JSON object instead:
 * {@code time}, {@code level}, {@code logger}, {@code msg}, then those of the call that are known
 * ({@code trace_id}, {@code span_id}, {@code command}, {@code container_id}, {@code ifname}), and
 * {@code error} (the stack trace) when an exception is logged. A plugin's lines are the same cold
 * and warm: both come from {@link dev.jcni.sdk.skel.PluginMain} with the call's environment.
 */
public final class PluginLog implements System.Logger {
    /** Environment variable naming a log file (appended to). */
    public static final String LOG_FILE_ENV = "JCNI_LOG_FILE";
    /** Environment variable setting the level. */
    public static final String LOG_LEVEL_ENV = "JCNI_LOG_LEVEL";
    /** Environment variable choosing the format: {@code json} for JSON lines, else text. */
    public static final String LOG_FORMAT_ENV = "JCNI_LOG_FORMAT";

    private final String name;
    private final PrintStream out;
    private final Level threshold;
    /** The call's fields (trace_id...), in order; empty outside a call. */
    private final Map<String, String> fields;
    private final boolean json;

    /**
     * @param name the logger name (the plugin's)
     * @param out where lines go
     * @param threshold the lowest level written
     */
    public PluginLog(String name, PrintStream out, Level threshold) {
        this(name, out, threshold, Map.of(), false);
    }

    private PluginLog(String name, PrintStream out, Level threshold, Map<String, String> fields, boolean json) {
        this.name = name;
        this.out = out;
        this.threshold = threshold;
        this.fields = fields;
        this.json = json;
    }

    /**
     * This logger in the format an environment asks for ({@value #LOG_FORMAT_ENV}).
     *
     * @param env the environment: the call's for a plugin, the process's for the daemon and the CLI
     * @return a logger writing to the same place
     */
    public PluginLog withFormatOf(Map<String, String> env) {
        boolean j = env.getOrDefault(LOG_FORMAT_ENV, "").strip().equalsIgnoreCase("json");
        return new PluginLog(name, out, threshold, fields, j);
    }

    /** @return whether lines are JSON */
    public boolean isJson() {
        return json;
    }

    /**
     * This logger for the lines of one call: each carries the call's trace id (from
     * {@code TRACEPARENT}, when the call has a valid one).
     *
     * @param env the call's environment
     * @return a logger writing to the same place
     */
    public PluginLog forCall(Map<String, String> env) {
        Map<String, String> f = new LinkedHashMap<>();
        Optional<TraceContext> trace = TraceContext.fromEnv(env);
        if (trace.isPresent()) {
            f.put("trace_id", trace.get().traceId());
            f.put("span_id", trace.get().spanId());
        }
        putIfSet(f, "command", env.get("CNI_COMMAND"));
        putIfSet(f, "container_id", env.get("CNI_CONTAINERID"));
        putIfSet(f, "ifname", env.get("CNI_IFNAME"));
        return new PluginLog(name, out, threshold, java.util.Collections.unmodifiableMap(f), json);
    }

    private static void putIfSet(Map<String, String> f, String key, String value) {
        if (value != null && !value.isEmpty()) {
            f.put(key, value);
        }
    }

    /** @return the call's trace id, "" when none */
    public String traceId() {
        return fields.getOrDefault("trace_id", "");
    }

    /** A plugin's level when {@code JCNI_LOG_LEVEL} is not set: warnings and errors only. */
    public static final Level PLUGIN_DEFAULT = Level.WARNING;

    /**
     * Parses a level name.
     *
     * @param text e.g. {@code debug}
     * @param fallback the level for "" or an unknown name
     * @return the level
     */
    public static Level parseLevel(String text, Level fallback) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.ERROR;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.DEBUG;
            case "trace", "all" -> Level.TRACE;
            case "off" -> Level.OFF;
            default -> fallback;
        };
    }

    /** @return where lines go */
    public PrintStream stream() {
        return out;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean isLoggable(Level level) {
        return level != Level.OFF && threshold != Level.OFF && level.getSeverity() >= threshold.getSeverity();
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (!isLoggable(level)) {
            return;
        }
        if (json) {
            String line = jsonLine(level, msg, thrown);
            synchronized (out) {
                out.println(line);
                out.flush();
            }
            return;
        }
        String trace = traceId();
        synchronized (out) {
            out.println(Instant.now() + " " + level.getName() + " " + name + (trace.isEmpty() ? "" : " trace_id=" + trace)
                    + ": " + msg);
            if (thrown != null) {
                thrown.printStackTrace(out);
            }
            out.flush();
        }
    }

    private String jsonLine(Level level, String msg, Throwable thrown) {
        com.fasterxml.jackson.databind.node.ObjectNode o = Json.object();
        o.put("time", Instant.now().toString());
        o.put("level", level.getName());
        o.put("logger", name);
        o.put("msg", msg == null ? "" : msg);
        fields.forEach(o::put);
        if (thrown != null) {
            java.io.StringWriter w = new java.io.StringWriter();
            thrown.printStackTrace(new java.io.PrintWriter(w));
            o.put("error", w.toString());
        }
        return new String(Json.write(o), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        if (!isLoggable(level)) {
            return;
        }
        log(level, bundle, params == null || params.length == 0 ? format : MessageFormat.format(format, params), (Throwable) null);
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier) {
        if (isLoggable(level)) {
            log(level, (ResourceBundle) null, msgSupplier.get(), (Throwable) null);
        }
    }
}
