package dev.jcni.plugins.ptp;

import dev.jcni.plugins.ip.Errors;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.NetConf;
import java.util.Optional;

/**
 * The ptp plugin's configuration (Go's {@code NetConf} of plugins/main/ptp).
 *
 * @param name the network name
 * @param ipMasq {@code ipMasq}
 * @param ipMasqBackend {@code ipMasqBackend}: iptables, nftables, or empty for the automatic choice
 * @param mtu {@code mtu}, 0 for the kernel default
 * @param ipamType {@code ipam.type}: required
 */
public record PtpConfig(String name, boolean ipMasq, Optional<String> ipMasqBackend, int mtu, String ipamType) {

    /** The JSON shape. */
    record Raw(Optional<String> ipMasqBackend, int mtu) {
    }

    /**
     * Reads and checks the configuration: ptp needs an IPAM plugin (Go fails with
     * {@code no plugin name provided} when it tries to run an empty one); the masquerading backend
     * must be known when {@code ipMasq} is on.
     *
     * @param request the call
     * @return the configuration
     * @throws CniException code 6 for a key of the wrong JSON type, code 7 for an invalid value
     */
    public static PtpConfig load(Request request) {
        NetConf conf = request.netConf();
        Raw raw;
        try {
            raw = request.config(Raw.class);
        } catch (CniException e) {
            throw new CniException(e.code(), "failed to load netconf: " + e.msg(), e.details(), e);
        }
        String ipamType = conf.ipam().isPresent() ? conf.ipam().get().type() : "";
        if (ipamType.isEmpty()) {
            throw Errors.invalidConfig("no plugin name provided");
        }
        PtpConfig c = new PtpConfig(conf.name(), conf.ipMasq(), raw.ipMasqBackend(), raw.mtu(), ipamType);
        if (c.ipMasq && c.ipMasqBackend.isPresent() && !c.ipMasqBackend.get().equals("iptables")
                && !c.ipMasqBackend.get().equals("nftables")) {
            throw Errors.invalidConfig("unknown ipmasq backend \"" + c.ipMasqBackend.get() + "\"");
        }
        return c;
    }
}
