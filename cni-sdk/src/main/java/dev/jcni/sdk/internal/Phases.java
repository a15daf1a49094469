package dev.jcni.sdk.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the time of one warm-mode call goes, for {@code bench/compare.sh --phases}: the daemon turns
 * it on for a call whose environment sets {@value #ENV} (to anything but {@code 0}), and the code on
 * the call's way marks points ({@link #mark}) and adds up repeated work ({@link #add}: netlink round
 * trips, namespace entries, lock waits, syncs, helper processes). At the call's end the daemon sends
 * the record as stderr lines starting with {@value #PREFIX}, with {@link System#nanoTime()} values,
 * which is CLOCK_MONOTONIC on Linux, the clock of the shim's and the benchmark's own marks. When no
 * call records, each hook costs one thread-local read. Not API.
 */
public final class Phases {
    /** The environment variable that asks for a record of the call. */
    public static final String ENV = "JCNI_WARM_PHASES";
    /** How each line of the record starts. */
    public static final String PREFIX = "jcni-phase ";

    private static final ThreadLocal<Phases> CURRENT = new ThreadLocal<>();

    private final List<String> marks = new ArrayList<>();
    private final List<Long> times = new ArrayList<>();
    private final Map<String, long[]> sums = new LinkedHashMap<>();

    private Phases() {
    }

    /**
     * Starts a record on this thread when the environment asks for one.
     *
     * @param env the call's environment
     * @return the record, or null when none is asked for
     */
    public static Phases startIfAsked(Map<String, String> env) {
        String v = env.get(ENV);
        if (v == null || v.isEmpty() || v.equals("0")) {
            return null;
        }
        Phases p = new Phases();
        CURRENT.set(p);
        return p;
    }

    /** Ends the record of this thread (if any). */
    public static void stop() {
        CURRENT.remove();
    }

    /** @return true when this thread records (so that a caller can skip work that only feeds the record) */
    public static boolean on() {
        return CURRENT.get() != null;
    }

    /**
     * Marks a point of the call, now.
     *
     * @param label what has just ended or begun
     */
    public static void mark(String label) {
        Phases p = CURRENT.get();
        if (p != null) {
            p.marks.add(label);
            p.times.add(System.nanoTime());
        }
    }

    /**
     * Marks a point of the call that came before the record started.
     *
     * @param label what had ended or begun
     * @param nanos its {@link System#nanoTime()}
     */
    public void at(String label, long nanos) {
        marks.add(label);
        times.add(nanos);
    }

    /**
     * @return {@link System#nanoTime()} when this thread records, else 0 (then {@link #add} does nothing)
     */
    public static long start() {
        return CURRENT.get() == null ? 0 : System.nanoTime();
    }

    /**
     * Adds the time since {@code start} to a sum of repeated work.
     *
     * @param label the kind of work, e.g. {@code netlink round trip}
     * @param start what {@link #start()} returned before the work
     */
    public static void add(String label, long start) {
        if (start == 0) {
            return;
        }
        long now = System.nanoTime();
        Phases p = CURRENT.get();
        if (p != null) {
            long[] s = p.sums.computeIfAbsent(label, k -> new long[2]);
            s[0]++;
            s[1] += now - start;
        }
    }

    /**
     * The record as text: {@code jcni-phase mark <nanoTime> <label>} per mark, then
     * {@code jcni-phase sum <count> <nanos> <label>} per sum.
     *
     * @return its UTF-8 bytes
     */
    public byte[] render() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < marks.size(); i++) {
            b.append(PREFIX).append("mark ").append(times.get(i)).append(' ').append(marks.get(i)).append('\n');
        }
        for (Map.Entry<String, long[]> s : sums.entrySet()) {
            b.append(PREFIX).append("sum ").append(s.getValue()[0]).append(' ').append(s.getValue()[1]).append(' ')
                    .append(s.getKey()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }
}
