package dev.jcni.sdk.types;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A W3C trace context carried by a CNI call in the plugin's environment, as libcni (since its
 * OpenTelemetry support) passes it: {@code TRACEPARENT}, {@code TRACESTATE} and {@code BAGGAGE}
 * (OpenTelemetry's environment-variable carriers). jcni does not trace by itself: it passes the
 * context on (a runtime through {@code CniConfig.withTraceContext}, a plugin's delegates through its
 * environment), shows it to plugin code ({@code Request.traceContext()}) and puts the trace id on
 * every log line of the call.
 *
 * @param traceparent the {@code traceparent} header value: {@code 00-<32 hex trace id>-<16 hex parent
 *     id>-<2 hex flags>} (a later version may append fields)
 * @param tracestate the {@code tracestate} value, "" when none
 * @param baggage the {@code baggage} value, "" when none
 */
public record TraceContext(String traceparent, String tracestate, String baggage) {
    /** The environment variable of {@link #traceparent()}. */
    public static final String TRACEPARENT = "TRACEPARENT";
    /** The environment variable of {@link #tracestate()}. */
    public static final String TRACESTATE = "TRACESTATE";
    /** The environment variable of {@link #baggage()}. */
    public static final String BAGGAGE = "BAGGAGE";

    /** Compiled on first use: most calls carry no trace context, and a cold start pays for a regex. */
    private static final class Parent {
        static final Pattern PATTERN = Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-[^\\s]*)?");
    }

    /**
     * Checks the values: a valid {@code traceparent} (version not {@code ff}; version 00 has
     * exactly four fields; trace id and parent id not all zeros), and no control characters in the
     * other two.
     *
     * @throws IllegalArgumentException when a value is invalid
     */
    public TraceContext {
        Objects.requireNonNull(traceparent, "traceparent");
        Objects.requireNonNull(tracestate, "tracestate");
        Objects.requireNonNull(baggage, "baggage");
        if (!isValidParent(traceparent)) {
            throw new IllegalArgumentException("invalid traceparent " + traceparent);
        }
        for (String v : new String[] {tracestate, baggage}) {
            if (v.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                throw new IllegalArgumentException("control character in trace context value " + v);
            }
        }
    }

    /**
     * @param traceparent a {@code traceparent} value
     * @return a context without tracestate or baggage
     * @throws IllegalArgumentException when it is invalid
     */
    public static TraceContext of(String traceparent) {
        return new TraceContext(traceparent, "", "");
    }

    private static boolean isValidParent(String p) {
        if (!Parent.PATTERN.matcher(p).matches() || p.startsWith("ff")) {
            return false;
        }
        if (p.startsWith("00") && p.length() != 55) {
            return false;
        }
        return !p.substring(3, 35).equals("0".repeat(32)) && !p.substring(36, 52).equals("0".repeat(16));
    }

    /**
     * The trace context of an environment: present when {@code TRACEPARENT} holds a valid value
     * (an invalid one is ignored, as a W3C receiver does), with {@code TRACESTATE} and
     * {@code BAGGAGE} when set (and free of control characters).
     *
     * @param env an environment, e.g. {@code request.env()}
     * @return the context, or empty
     */
    public static Optional<TraceContext> fromEnv(Map<String, String> env) {
        String parent = env.getOrDefault(TRACEPARENT, "").strip().toLowerCase(java.util.Locale.ROOT);
        if (parent.isEmpty() || !isValidParent(parent)) { // most calls have none: no regex then
            return Optional.empty();
        }
        String state = env.getOrDefault(TRACESTATE, "");
        String bag = env.getOrDefault(BAGGAGE, "");
        return Optional.of(new TraceContext(parent, clean(state), clean(bag)));
    }

    private static String clean(String v) {
        return v.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? "" : v;
    }

    /** @return the trace id: 32 lowercase hex digits */
    public String traceId() {
        return traceparent.substring(3, 35);
    }

    /** @return the parent (span) id: 16 lowercase hex digits */
    public String spanId() {
        return traceparent.substring(36, 52);
    }

    /** @return whether the sampled flag is set */
    public boolean sampled() {
        return (Integer.parseInt(traceparent.substring(53, 55), 16) & 1) != 0;
    }

    /**
     * @param newTracestate a {@code tracestate} value, "" for none
     * @return a copy
     */
    public TraceContext withTracestate(String newTracestate) {
        return new TraceContext(traceparent, newTracestate, baggage);
    }

    /**
     * @param newBaggage a {@code baggage} value, "" for none
     * @return a copy
     */
    public TraceContext withBaggage(String newBaggage) {
        return new TraceContext(traceparent, tracestate, newBaggage);
    }

    /**
     * The variables of this context for a plugin's environment: {@code TRACEPARENT}, and
     * {@code TRACESTATE} and {@code BAGGAGE} when not empty.
     *
     * @return a new map, in that order
     */
    public Map<String, String> asEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(TRACEPARENT, traceparent);
        if (!tracestate.isEmpty()) {
            env.put(TRACESTATE, tracestate);
        }
        if (!baggage.isEmpty()) {
            env.put(BAGGAGE, baggage);
        }
        return env;
    }
}
