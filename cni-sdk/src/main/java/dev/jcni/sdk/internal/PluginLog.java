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
 */
public final class PluginLog implements System.Logger {
    /** Environment variable naming a log file (appended to). */
    public static final String LOG_FILE_ENV = "JCNI_LOG_FILE";
    /** Environment variable setting the level. */
    public static final String LOG_LEVEL_ENV = "JCNI_LOG_LEVEL";

    private final String name;
    private final PrintStream out;
    private final Level threshold;
    /** The call's fields (trace_id...), in order; empty outside a call. */
    private final Map<String, String> fields;

    /**
     * @param name the logger name (the plugin's)
     * @param out where lines go
     * @param threshold the lowest level written
     */
    public PluginLog(String name, PrintStream out, Level threshold) {
        this(name, out, threshold, Map.of());
    }

    private PluginLog(String name, PrintStream out, Level threshold, Map<String, String> fields) {
        this.name = name;
        this.out = out;
        this.threshold = threshold;
        this.fields = fields;
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
        trace.ifPresent(t -> f.put("trace_id", t.traceId()));
        trace.ifPresent(t -> f.put("span_id", t.spanId()));
        return new PluginLog(name, out, threshold, java.util.Collections.unmodifiableMap(f));
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
