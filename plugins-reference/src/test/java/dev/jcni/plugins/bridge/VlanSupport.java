package dev.jcni.plugins.bridge;

import dev.jcni.sdk.testsupport.TestNetns;

/** Whether this kernel has bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING), probed in a namespace of its own. */
final class VlanSupport {
    private VlanSupport() {
    }

    static boolean present() {
        try (TestNetns ns = TestNetns.create()) {
            return ns.exec("ip", "link", "add", "jvlanprobe", "type", "bridge", "vlan_filtering", "1").exitCode() == 0;
        }
    }
}
