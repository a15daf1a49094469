package dev.jcni.plugins.portmap;

import dev.jcni.sdk.types.IpPrefix;
import java.util.Set;

/** A firewall backend of the portmap plugin (Go: {@code PortMapper}). */
interface PortMapper {

    /**
     * Forwards the configured host ports to one container address (ADD, once per family).
     *
     * @param config the configuration
     * @param containerId the container id
     * @param container the container address with its prefix length
     */
    void forward(PortmapConfig config, String containerId, IpPrefix container);

    /**
     * Checks that the forwarding of one container address is in place (CHECK).
     *
     * @param config the configuration
     * @param containerId the container id
     * @param container the container address with its prefix length
     */
    void check(PortmapConfig config, String containerId, IpPrefix container);

    /**
     * Removes the container's forwarding in both families (DEL); nothing there is not an error.
     *
     * @param config the configuration
     * @param containerId the container id
     */
    void unforward(PortmapConfig config, String containerId);

    /**
     * Removes the forwarding of every container of the network whose id is not in the valid set (GC).
     *
     * @param network the network name
     * @param validIds the container ids of the valid attachments
     * @return the UDP host ports whose forwarding was removed (for the conntrack flush)
     */
    Set<Integer> gc(String network, Set<String> validIds);
}
