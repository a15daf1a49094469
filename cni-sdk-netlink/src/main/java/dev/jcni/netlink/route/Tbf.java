package dev.jcni.netlink.route;

/**
 * The parameters of a token-bucket-filter qdisc ({@code tc_tbf_qopt}, Go's {@code netlink.Tbf}), in
 * the kernel's units.
 *
 * <pre>{@code
 * // tc qdisc add dev veth0 root handle 1: tbf rate 8mbit burst 10000 latency 25ms
 * Tbf t = Tbf.of(1_000_000, 10_000, 25_000, PacketClock.system());
 * nl.qdiscAdd(Qdisc.tbf(veth0.index(), t));
 * }</pre>
 *
 * @param rate bytes per second (rates of 2^32 and above go in {@code TCA_TBF_RATE64})
 * @param limit the queue limit in bytes (unsigned 32 bits)
 * @param buffer the bucket size as a time in packet-scheduler ticks (unsigned 32 bits; see {@link PacketClock})
 */
public record Tbf(long rate, int limit, int buffer) {
    /**
     * Checks the rate.
     *
     * @param rate rate
     * @param limit limit
     * @param buffer buffer
     */
    public Tbf {
        if (rate <= 0) {
            throw new IllegalArgumentException("tbf rate must be positive, not " + rate);
        }
    }

    /**
     * The tbf that {@code tc ... tbf rate R burst B latency L} (and Go's bandwidth plugin) makes:
     * {@code buffer} is the time the burst takes at the rate, in ticks; {@code limit} is what the
     * rate sends in the latency, plus the burst. Computed in double precision and truncated to 32
     * bits exactly as Go does, so the values match Go's byte for byte.
     *
     * @param rateBytes the rate in bytes per second, positive
     * @param burstBytes the burst in bytes (unsigned 32 bits)
     * @param latencyUsec the latency in microseconds
     * @param clock the packet-scheduler clock
     * @return the parameters
     */
    public static Tbf of(long rateBytes, int burstBytes, double latencyUsec, PacketClock clock) {
        if (rateBytes <= 0) {
            throw new IllegalArgumentException("tbf rate must be positive, not " + rateBytes);
        }
        double burst = Integer.toUnsignedLong(burstBytes);
        int burstTime = (int) (long) (burst * PacketClock.TIME_UNITS_PER_SEC / (double) rateBytes);
        int buffer = clock.usecToTicks(burstTime);
        int limit = (int) (long) ((double) rateBytes * latencyUsec / PacketClock.TIME_UNITS_PER_SEC) + burstBytes;
        return new Tbf(rateBytes, limit, buffer);
    }

    /**
     * @return {@code rate 1000000B/s limit 35000B buffer 156250 ticks}
     */
    @Override
    public String toString() {
        return "rate " + rate + "B/s limit " + Integer.toUnsignedString(limit) + "B buffer "
                + Integer.toUnsignedString(buffer) + " ticks";
    }
}
