package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Needs a kernel with bridge VLAN filtering; its request bytes are tested in RequestsGoldenTest. */
@KernelTest
class BridgeVlanKernelTest {
    @Test
    void addListDeleteOnAPort() {
        try (Sandbox s = Sandbox.create()) {
            Link br;
            try {
                br = s.nl.ensureBridge(LinkSpec.bridge("br0").withVlanFiltering(true));
            } catch (NetlinkException e) {
                if (e.errno() == Errno.EOPNOTSUPP) {
                    Kernel.skipMissingFeature("bridge vlan_filtering", e.getMessage());
                }
                throw e;
            }
            s.nl.linkAdd(LinkSpec.veth("p0", "q0").withMaster(br.index()));
            int p = s.nl.linkByName("p0").index();
            s.nl.bridgeVlanAdd(p, 10, true, true, false, true);
            s.nl.bridgeVlanAdd(p, 20, false, false, false, true);
            List<BridgeVlan> vlans = s.nl.bridgeVlanList().get(p);
            assertTrue(vlans.contains(new BridgeVlan(10, true, true)), vlans.toString());
            assertTrue(vlans.contains(new BridgeVlan(20, false, false)), vlans.toString());
            JsonNode o = Sandbox.JSON.valueToTree(Kernel.exec("bridge", "-n", s.name(), "-j", "vlan", "show", "dev",
                    "p0").ok());
            assertTrue(o.asText().contains("\"vlan\":20"), o.asText());
            s.nl.bridgeVlanDel(p, 20, false, true);
            assertTrue(s.nl.bridgeVlanList().get(p).stream().noneMatch(v -> v.vid() == 20));
            assertEquals(true, s.nl.linkByIndex(br.index()).vlanFiltering().orElse(false));
        }
    }
}
