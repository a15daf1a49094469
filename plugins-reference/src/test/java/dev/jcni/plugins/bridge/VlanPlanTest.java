package dev.jcni.plugins.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bridge-VLAN requests for a port, as Go (HEAD) makes them: this kernel lacks VLAN filtering,
 * so the order and flags are checked here and the request bytes in cni-sdk-netlink's golden tests.
 */
class VlanPlanTest {
    static String plan(int vlan, List<Integer> trunk, boolean preserve, List<Integer> existing) {
        return VlanPlan.forPort(vlan, trunk, preserve, existing).toString();
    }

    @Test
    void accessVlanReplacesTheDefaultVlan() {
        assertEquals("[del 1, add 10 pvid untagged]", plan(10, List.of(), false, List.of(1)));
    }

    @Test
    void preserveDefaultVlanKeepsIt() {
        assertEquals("[add 10 pvid untagged]", plan(10, List.of(), true, List.of(1)));
    }

    @Test
    void trunkWithoutVlanGetsNativeVlan1() {
        assertEquals("[del 1, add 20, add 21, add 1 pvid untagged]", plan(0, List.of(20, 21), false, List.of(1)));
    }

    @Test
    void vlanAndTrunkTogetherMakeVlanTheNativeOne() {
        assertEquals("[del 1, add 7 pvid untagged, add 8]", plan(7, List.of(8), false, List.of(1)));
    }

    @Test
    void noVlanNoRequest() {
        assertEquals("[]", plan(0, List.of(), false, List.of(1)));
    }
}
