package dev.jcni.sdk.invoke;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * When a plugin call must be over, and how long a plugin gets to stop once it is not: the Java
 * stand-in for the {@code context.Context} every Go libcni call takes.
 *
 * <p>At the deadline the plugin and every process it started get SIGTERM; those still running
 * after {@link #grace()} get SIGKILL. A deadline is a point in time (measured on the monotonic
 * clock), so one deadline can cover a whole chain of plugin calls. Immutable.
 */
public final class Deadline {
    /** The grace period between SIGTERM and SIGKILL when none is chosen: 2 seconds. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(2);

    private static final Deadline NONE = new Deadline(Optional.empty(), Optional.empty(), DEFAULT_GRACE);

    private final Optional<Long> atNanos;
    private final Optional<Duration> timeout;
    private final Duration grace;

    private Deadline(Optional<Long> atNanos, Optional<Duration> timeout, Duration grace) {
        this.atNanos = atNanos;
        this.timeout = timeout;
        this.grace = grace;
    }

    /** @return no deadline: calls run until the plugin exits (Go's {@code context.Background()}) */
    public static Deadline none() {
        return NONE;
    }

    /**
     * A deadline a duration from now.
     *
     * @param timeout how long from now; must be positive
     * @return the deadline, with the {@link #DEFAULT_GRACE default grace period}
     */
    public static Deadline after(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        long now = System.nanoTime();
        long nanos;
        try {
            nanos = Math.addExact(now, timeout.toNanos());
        } catch (ArithmeticException e) {
            return NONE.withGrace(DEFAULT_GRACE);
        }
        return new Deadline(Optional.of(nanos), Optional.of(timeout), DEFAULT_GRACE);
    }

    /**
     * A copy with another grace period between SIGTERM and SIGKILL.
     *
     * @param newGrace the grace period; zero sends SIGKILL right after SIGTERM
     * @return the copy
     */
    public Deadline withGrace(Duration newGrace) {
        Objects.requireNonNull(newGrace, "grace");
        if (newGrace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative: " + newGrace);
        }
        return new Deadline(atNanos, timeout, newGrace);
    }

    /** @return true when this deadline has a point in time */
    public boolean isSet() {
        return atNanos.isPresent();
    }

    /** @return the time left (zero once passed), or empty when there is no deadline */
    public Optional<Duration> remaining() {
        return atNanos.map(at -> Duration.ofNanos(Math.max(0, at - System.nanoTime())));
    }

    /** @return true when the deadline has passed */
    public boolean expired() {
        return atNanos.isPresent() && atNanos.get() - System.nanoTime() <= 0;
    }

    /** @return the timeout this deadline was made from, when there is one */
    public Optional<Duration> timeout() {
        return timeout;
    }

    /** @return the grace period between SIGTERM and SIGKILL */
    public Duration grace() {
        return grace;
    }

    @Override
    public String toString() {
        return timeout.map(t -> "deadline(" + t + ", grace " + grace + ")").orElse("no deadline");
    }
}
