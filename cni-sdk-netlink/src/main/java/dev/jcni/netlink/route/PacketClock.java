package dev.jcni.netlink.route;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The kernel's packet-scheduler clock as {@code /proc/net/psched} states it: how tc converts
 * microseconds into the "ticks" of a tbf qdisc's {@code buffer} (iproute2's {@code tc_core_init},
 * Go's {@code netlink.TickInUsec}). On current kernels it reads {@code 000003e8 00000040 000f4240 3b9aca00}:
 * 15.625 ticks per microsecond.
 *
 * @param ticksToUsec the first field ({@code PSCHED_TICKS2NS(1)} scaled: 1000)
 * @param usecToTicks the second field (64)
 * @param clockResolution the third field: the clock's resolution per second (1000000)
 */
public record PacketClock(long ticksToUsec, long usecToTicks, long clockResolution) {
    /** Microseconds in a second ({@code TIME_UNITS_PER_SEC}). */
    public static final double TIME_UNITS_PER_SEC = 1_000_000.0;

    /**
     * Checks the fields.
     *
     * @param ticksToUsec ticksToUsec
     * @param usecToTicks usecToTicks
     * @param clockResolution clockResolution
     */
    public PacketClock {
        if (ticksToUsec <= 0 || usecToTicks <= 0 || clockResolution <= 0) {
            throw new IllegalArgumentException("psched fields must be positive: " + ticksToUsec + " " + usecToTicks
                    + " " + clockResolution);
        }
    }

    /**
     * Reads {@code /proc/net/psched} (of the calling thread's network namespace; the values are the
     * same in every namespace).
     *
     * @return the clock
     * @throws UncheckedIOException when the file cannot be read
     * @throws IllegalArgumentException when it does not hold at least three hex fields
     */
    public static PacketClock system() {
        try {
            return parse(Files.readString(Path.of("/proc/net/psched")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param psched the text of {@code /proc/net/psched}
     * @return the clock it states
     * @throws IllegalArgumentException when it does not hold at least three hex fields
     */
    public static PacketClock parse(String psched) {
        String[] f = psched.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("psched: expected 4 hex fields, got \"" + psched.trim() + "\"");
        }
        try {
            return new PacketClock(Long.parseLong(f[0], 16), Long.parseLong(f[1], 16), Long.parseLong(f[2], 16));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("psched: not hex: \"" + psched.trim() + "\"", e);
        }
    }

    /**
     * @return ticks per microsecond, computed in double precision as iproute2 and Go do
     */
    public double tickInUsec() {
        double clockFactor = clockResolution / TIME_UNITS_PER_SEC;
        return (double) ticksToUsec / (double) usecToTicks * clockFactor;
    }

    /**
     * Microseconds to ticks, truncated to 32 bits as the {@code tc_tbf_qopt} field is (Go's
     * {@code uint32(float64(usec) * TickInUsec())}).
     *
     * @param usec an unsigned 32-bit time in microseconds (the low 32 bits are used)
     * @return the ticks, an unsigned 32-bit value in an int
     */
    public int usecToTicks(int usec) {
        return (int) (long) (Integer.toUnsignedLong(usec) * tickInUsec());
    }

    /**
     * Ticks to microseconds, the inverse of {@link #usecToTicks} (truncated).
     *
     * @param ticks an unsigned 32-bit tick count
     * @return the microseconds
     */
    public long ticksToUsec(int ticks) {
        return (long) (Integer.toUnsignedLong(ticks) / tickInUsec());
    }
}
