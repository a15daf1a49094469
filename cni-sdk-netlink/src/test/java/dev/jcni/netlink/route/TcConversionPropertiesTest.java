package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The rate, burst and latency conversions of {@link Tbf#of} and {@link PacketClock}. */
class TcConversionPropertiesTest {
    static final PacketClock CLOCK = TcRequestsGoldenTest.CLOCK;

    @Property
    void limitIsWhatTheRateSendsInTheLatencyPlusTheBurst(@ForAll @LongRange(min = 1, max = 10_000_000_000L) long rate,
            @ForAll @IntRange(min = 0, max = 1_000_000_000) int burst) {
        Tbf t = Tbf.of(rate, burst, 25_000, CLOCK);
        long inLatency = BigDecimal.valueOf(rate).multiply(BigDecimal.valueOf(25_000))
                .divide(BigDecimal.valueOf(1_000_000), 0, RoundingMode.FLOOR).longValueExact();
        // exact arithmetic agrees with the double computation within one byte (Go's and tc's own rounding)
        long limit = Integer.toUnsignedLong(t.limit() - burst);
        assertTrue(Math.abs(limit - (inLatency & 0xffffffffL)) <= 1, rate + " " + burst + " -> " + t);
        assertEquals(rate, t.rate());
    }

    @Property
    void bufferHoldsTheBurstAtTheRateToWithinOneMicrosecond(
            @ForAll @LongRange(min = 1_000, max = 1_000_000_000L) long rate,
            @ForAll @IntRange(min = 1, max = 100_000_000) int burst) {
        long usec = BigDecimal.valueOf(burst).multiply(BigDecimal.valueOf(1_000_000))
                .divide(BigDecimal.valueOf(rate), 0, RoundingMode.FLOOR).longValueExact();
        if (usec * 15.625 >= 0x1p32) {
            return; // the 32-bit tick field wraps, as it does in Go and tc
        }
        Tbf t = Tbf.of(rate, burst, 25_000, CLOCK);
        long backUsec = CLOCK.ticksToUsec(t.buffer());
        assertTrue(Math.abs(backUsec - usec) <= 1, rate + " " + burst + " -> " + t + " = " + backUsec + " us");
    }

    @Property
    void bufferGrowsWithTheBurstAndShrinksWithTheRate(@ForAll @LongRange(min = 1, max = 1_000_000_000L) long rate,
            @ForAll @IntRange(min = 0, max = 50_000_000) int burst, @ForAll @IntRange(min = 0, max = 1_000) int more) {
        long b1 = Integer.toUnsignedLong(Tbf.of(rate, burst, 25_000, CLOCK).buffer());
        long b2 = Integer.toUnsignedLong(Tbf.of(rate, burst + more, 25_000, CLOCK).buffer());
        long b3 = Integer.toUnsignedLong(Tbf.of(rate * 2, burst, 25_000, CLOCK).buffer());
        if (Integer.toUnsignedLong(burst + more) * 1_000_000.0 / rate * 15.625 < 0x1p32) {
            assertTrue(b2 >= b1 && b3 <= b1, rate + " " + burst + " " + more + ": " + b1 + " " + b2 + " " + b3);
        }
    }

    @Property
    void ticksAndMicrosecondsRoundTrip(@ForAll @IntRange(min = 0, max = 274_877_906) int usec) {
        long back = CLOCK.ticksToUsec(CLOCK.usecToTicks(usec));
        assertTrue(back == usec || back == usec - 1, usec + " -> " + back);
    }
}
