package dev.jcni.plugins.bandwidth;

import dev.jcni.plugins.ip.Errors;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The bandwidth plugin's configuration (Go's {@code PluginConf} of plugins/meta/bandwidth): the
 * limits from the top-level keys, or, when none of them is given, from {@code runtimeConfig.bandwidth}
 * (the {@code bandwidth} capability), checked as Go checks them.
 *
 * @param network the network name
 * @param limits the limits in force; empty when neither place gives any
 */
record BandwidthConfig(String network, Optional<Limits> limits) {

    /** The largest burst in bits: Go refuses {@code burst / 8 >= 2^32 - 1} ("more than 4GB"). */
    static final long MAX_BURST_BYTES_EXCLUSIVE = 0xffffffffL;

    /**
     * One {@code BandwidthEntry}: rates in bits per second, bursts in bits; 0 means no limit.
     *
     * @param ingressRate {@code ingressRate}
     * @param ingressBurst {@code ingressBurst}
     * @param egressRate {@code egressRate}
     * @param egressBurst {@code egressBurst}
     */
    record Limits(long ingressRate, long ingressBurst, long egressRate, long egressBurst) {
        /** @return true when no limit is set (Go's {@code isZero}) */
        boolean isZero() {
            return ingressRate == 0 && ingressBurst == 0 && egressRate == 0 && egressBurst == 0;
        }

        /** @return true when traffic into the container is shaped */
        boolean ingress() {
            return ingressRate > 0 && ingressBurst > 0;
        }

        /** @return true when traffic out of the container is shaped */
        boolean egress() {
            return egressRate > 0 && egressBurst > 0;
        }
    }

    /** The JSON shape. */
    record Raw(long ingressRate, long ingressBurst, long egressRate, long egressBurst, RuntimeConfig runtimeConfig) {
    }

    /** {@code runtimeConfig}. */
    record RuntimeConfig(Optional<Limits> bandwidth) {
    }

    private static final Set<String> TOP_LEVEL = Set.of("ingressrate", "ingressburst", "egressrate", "egressburst");

    /**
     * Reads and checks the configuration.
     *
     * @param request the call
     * @return the configuration
     * @throws CniException code 6 when a value is not an unsigned number, code 7 for Go's checks
     */
    static BandwidthConfig load(Request request) {
        Raw raw;
        try {
            raw = request.config(Raw.class);
        } catch (CniException e) {
            throw new CniException(e.code(), "failed to parse network configuration: " + e.msg(), e.details(), e);
        }
        // Go's embedded *BandwidthEntry exists once any of its keys appears (keys match ignoring case)
        boolean topLevel = request.netConf().keys().stream().anyMatch(k -> TOP_LEVEL.contains(k.toLowerCase(Locale.ROOT)));
        Optional<Limits> limits = topLevel
                ? Optional.of(new Limits(raw.ingressRate(), raw.ingressBurst(), raw.egressRate(), raw.egressBurst()))
                : raw.runtimeConfig() == null ? Optional.empty() : raw.runtimeConfig().bandwidth();
        if (limits.isPresent()) {
            Limits l = limits.get();
            unsigned("ingressRate", l.ingressRate());
            unsigned("ingressBurst", l.ingressBurst());
            unsigned("egressRate", l.egressRate());
            unsigned("egressBurst", l.egressBurst());
            validate(l.ingressRate(), l.ingressBurst());
            validate(l.egressRate(), l.egressBurst());
        }
        return new BandwidthConfig(request.netConf().name(), limits);
    }

    private static void unsigned(String key, long v) {
        if (v < 0) {
            throw new CniException(dev.jcni.sdk.types.ErrorCodes.DECODING_FAILURE, "failed to parse network configuration: "
                    + "json: cannot unmarshal number " + v + " into Go struct field BandwidthEntry." + key + " of type uint64");
        }
    }

    /** Go's {@code validateRateAndBurst}, with its texts. */
    static void validate(long rate, long burst) {
        if (burst == 0 && rate != 0) {
            throw Errors.invalidConfig("if rate is set, burst must also be set");
        }
        if (rate == 0 && burst != 0) {
            throw Errors.invalidConfig("if burst is set, rate must also be set");
        }
        if (burst / 8 >= MAX_BURST_BYTES_EXCLUSIVE) {
            throw Errors.invalidConfig("burst cannot be more than 4GB");
        }
    }
}
