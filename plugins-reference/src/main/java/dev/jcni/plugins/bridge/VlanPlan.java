package dev.jcni.plugins.bridge;

import java.util.ArrayList;
import java.util.List;

/**
 * The bridge-VLAN requests for a host port, in Go's order (HEAD, 1.8.0 semantics): unless
 * {@code preserveDefaultVlan}, delete every VLAN entry the port has (the default PVID 1); then the
 * access VLAN {@code vlan} as PVID + untagged; then each trunk id tagged; then, for a trunk without
 * {@code vlan}, VLAN 1 as the native PVID + untagged. Every request goes through the master
 * (the bridge), none to the port itself ({@code self=false, master=true}).
 */
final class VlanPlan {
    private VlanPlan() {
    }

    /**
     * One request.
     *
     * @param add add or delete
     * @param vid the VLAN id
     * @param pvid make it the port's PVID
     * @param untagged egress untagged
     */
    record Op(boolean add, int vid, boolean pvid, boolean untagged) {
        /** @return e.g. {@code add 10 pvid untagged} */
        @Override
        public String toString() {
            return (add ? "add " : "del ") + vid + (pvid ? " pvid" : "") + (untagged ? " untagged" : "");
        }
    }

    /**
     * @param vlan the access VLAN, 0 for none
     * @param trunk the trunk ids
     * @param preserveDefaultVlan keep the port's existing entries
     * @param existing the port's VLAN ids as listed before
     * @return the requests in order
     */
    static List<Op> forPort(int vlan, List<Integer> trunk, boolean preserveDefaultVlan, List<Integer> existing) {
        List<Op> ops = new ArrayList<>();
        if ((vlan != 0 || !trunk.isEmpty()) && !preserveDefaultVlan) {
            for (int vid : existing) {
                ops.add(new Op(false, vid, false, false));
            }
        }
        if (vlan != 0) {
            ops.add(new Op(true, vlan, true, true));
        }
        for (int vid : trunk) {
            ops.add(new Op(true, vid, false, false));
        }
        if (vlan == 0 && !trunk.isEmpty()) {
            ops.add(new Op(true, 1, true, true));
        }
        return ops;
    }
}
