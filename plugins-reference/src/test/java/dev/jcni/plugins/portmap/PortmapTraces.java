package dev.jcni.plugins.portmap;

import java.util.List;

/** For tests of other packages: one container's portmap state, and its removal (test cleanup). */
public final class PortmapTraces {
    private PortmapTraces() {
    }

    /**
     * @param network the network name
     * @param containerId the container id
     * @return every trace of the container in both families and backends: its iptables chains, the
     *     rules jumping to them or naming it, its nft rules (empty when it is gone)
     */
    public static List<String> of(String network, String containerId) {
        return Firewall.traces(network, containerId);
    }

    /**
     * Removes a container's portmap state in both families and backends.
     *
     * @param network the network name
     * @param containerId the container id
     */
    public static void remove(String network, String containerId) {
        Firewall.removeContainer(network, containerId);
    }

    /**
     * Notes which shared portmap chains and tables exist now.
     *
     * @return removes, when run, the shared state made since that nobody uses any more
     */
    public static Runnable captureShared() {
        return SharedState.capture()::restore;
    }
}
