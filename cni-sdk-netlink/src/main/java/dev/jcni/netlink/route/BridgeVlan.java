package dev.jcni.netlink.route;

/**
 * One VLAN entry of a bridge or bridge port ({@code struct bridge_vlan_info}).
 *
 * @param vid the VLAN id, 1..4094
 * @param pvid ingress untagged frames are put in this VLAN
 * @param untagged egress frames of this VLAN leave untagged
 */
public record BridgeVlan(int vid, boolean pvid, boolean untagged) {
    /**
     * Checks the VLAN id.
     *
     * @param vid vid
     * @param pvid pvid
     * @param untagged untagged
     */
    public BridgeVlan {
        if (vid < 1 || vid > 4094) {
            throw new IllegalArgumentException("VLAN id must be 1..4094, not " + vid);
        }
    }
}
