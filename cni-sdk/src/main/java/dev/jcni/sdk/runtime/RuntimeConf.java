package dev.jcni.sdk.runtime;

import dev.jcni.sdk.internal.JsonValues;
import dev.jcni.sdk.types.CniArgs;
import java.util.Map;
import java.util.Objects;

/**
 * The arguments of one attachment that are not in the network configuration (Go's
 * {@code libcni.RuntimeConf}): which container, which namespace, which interface, the
 * {@code CNI_ARGS} pairs, and the capability arguments offered to the plugins.
 *
 * @param containerId the container id ({@code CNI_CONTAINERID})
 * @param netns the network namespace path ({@code CNI_NETNS}); may be "" for DEL
 * @param ifName the interface name in the container ({@code CNI_IFNAME})
 * @param args the {@code CNI_ARGS} pairs
 * @param capabilityArgs capability name → value (plain Java values: maps, lists, strings, numbers,
 *     booleans); each plugin gets, in {@code runtimeConfig}, the entries whose capability it enables
 */
public record RuntimeConf(String containerId, String netns, String ifName, CniArgs args,
                          Map<String, Object> capabilityArgs) {

    /**
     * Checks that no component is null and makes a deep, unmodifiable copy of the capability
     * arguments in plain values (JSON null, as a Java null or an empty {@code Optional}, becomes
     * the empty {@code Optional}).
     */
    public RuntimeConf {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(ifName, "ifName");
        Objects.requireNonNull(args, "args");
        capabilityArgs = JsonValues.copyObject(capabilityArgs);
    }

    /**
     * @param containerId the container id
     * @param netns the network namespace path
     * @param ifName the interface name
     * @return a runtime configuration without {@code CNI_ARGS} or capability arguments
     */
    public static RuntimeConf of(String containerId, String netns, String ifName) {
        return new RuntimeConf(containerId, netns, ifName, CniArgs.empty(), Map.of());
    }

    /**
     * @param newArgs the {@code CNI_ARGS} pairs
     * @return a copy
     */
    public RuntimeConf withArgs(CniArgs newArgs) {
        return new RuntimeConf(containerId, netns, ifName, newArgs, capabilityArgs);
    }

    /**
     * @param newCapabilityArgs capability name → value
     * @return a copy
     */
    public RuntimeConf withCapabilityArgs(Map<String, ?> newCapabilityArgs) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) newCapabilityArgs;
        return new RuntimeConf(containerId, netns, ifName, args, m);
    }
}
