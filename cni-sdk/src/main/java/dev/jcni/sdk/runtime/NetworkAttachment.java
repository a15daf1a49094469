package dev.jcni.sdk.runtime;

import dev.jcni.sdk.internal.JsonValues;
import dev.jcni.sdk.types.CniArgs;
import java.util.Map;
import java.util.Objects;

/**
 * An attachment recorded in the result cache by a successful ADD (Go's {@code libcni.NetworkAttachment}).
 *
 * @param containerId the container id
 * @param network the network name
 * @param ifName the interface name
 * @param config the configuration list as it was at ADD time (JSON text)
 * @param netns the network namespace path ("" when not recorded)
 * @param cniArgs the {@code CNI_ARGS} pairs of the ADD
 * @param capabilityArgs the capability arguments of the ADD
 */
public record NetworkAttachment(String containerId, String network, String ifName, String config, String netns,
                                CniArgs cniArgs, Map<String, Object> capabilityArgs) {

    /** Checks that no component is null; deep-copies the capability arguments (as {@link RuntimeConf} does). */
    public NetworkAttachment {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(cniArgs, "cniArgs");
        capabilityArgs = JsonValues.copyObject(capabilityArgs);
    }

    /** @return the runtime configuration of the ADD that made this attachment, to DEL it with */
    public RuntimeConf runtimeConf() {
        return new RuntimeConf(containerId, netns, ifName, cniArgs, capabilityArgs);
    }
}
