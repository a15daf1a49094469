package dev.jcni.plugins.bridge;

import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;

/** Whether this kernel has bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), probed in a namespace of its own. */
final class VlanSupport {
    private VlanSupport() {
    }

    /**
     * Goes on when a bridge with {@code vlan_filtering 1} can be made; skips the test when the kernel
     * answers EOPNOTSUPP; fails it on any other error.
     */
    static void require() {
        try (TestNetns ns = TestNetns.create()) {
            Kernel.ExecResult r = ns.exec("ip", "link", "add", "jvlanprobe", "type", "bridge", "vlan_filtering", "1");
            if (r.exitCode() != 0) {
                Kernel.skipMissingFeature("bridge vlan_filtering", r.stderr());
            }
        }
    }
}
