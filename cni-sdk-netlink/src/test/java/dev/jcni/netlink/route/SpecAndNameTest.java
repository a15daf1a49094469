package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jcni.sdk.types.IpPrefix;
import org.junit.jupiter.api.Test;

class SpecAndNameTest {
    @Test
    void sysctlNamesFollowGo() {
        assertEquals("net/ipv4/ip_forward", Sysctl.normalize("net.ipv4.ip_forward"));
        assertEquals("net/ipv4/conf/eth0.100/forwarding", Sysctl.normalize("net.ipv4.conf.eth0/100.forwarding"));
        assertEquals("net/ipv4/conf/eth0.100/forwarding", Sysctl.normalize("net/ipv4/conf/eth0.100/forwarding"));
        assertEquals("kernel", Sysctl.normalize("kernel"));
        assertThrows(IllegalArgumentException.class, () -> Sysctl.path("net/../../etc/passwd"));
        assertThrows(IllegalArgumentException.class, () -> Sysctl.setAcceptRa("../x", 1));
        assertEquals("net/ipv6/conf/eth0.5/accept_dad", Sysctl.conf("ipv6", "eth0.5", "accept_dad"));
    }

    @Test
    void randomVethNames() {
        String n = LinkSpec.randomVethName();
        org.junit.jupiter.api.Assertions.assertTrue(n.matches("veth[0-9a-f]{8}"), n);
        LinkSpec.veth("eth0", n);
        assertEquals("0000abcd", LinkSpec.hex8(0xabcd), "zero-padded");
        assertEquals("ffffffff", LinkSpec.hex8(-1), "unsigned");
        assertEquals("80000001", LinkSpec.hex8(0x80000001));
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            names.add(LinkSpec.randomVethName());
        }
        org.junit.jupiter.api.Assertions.assertTrue(names.size() > 15, "random: " + names);
    }

    @Test
    void specsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.dummy("a-name-that-is-too-long"));
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.dummy("with/slash"));
        assertThrows(IllegalStateException.class, () -> LinkSpec.dummy("d0").withPeerMtu(1400));
        assertThrows(IllegalStateException.class, () -> LinkSpec.dummy("d0").withVlanFiltering(true));
        assertThrows(IllegalArgumentException.class, () -> LinkSpec.vlan("v", 2, 4095));
        assertThrows(IllegalArgumentException.class, () -> new BridgeVlan(0, false, false));
        assertThrows(IllegalArgumentException.class, () -> NetlinkRoute.builder().build());
        assertThrows(IllegalArgumentException.class, () -> NetlinkRoute.builder().dst(IpPrefix.parse("10.0.0.0/8"))
                .gateway(dev.jcni.sdk.types.Ip.parse("fd00::1")).build());
        assertEquals(IpPrefix.parse("10.1.0.0/16"), NetlinkRoute.builder().dst(IpPrefix.parse("10.1.2.3/16")).build().dst()
                .orElseThrow(), "host bits cleared");
        NetlinkRoute mapped = NetlinkRoute.builder().dst(IpPrefix.parse("::1:2:3/80")).build();
        assertEquals("::/80", mapped.dst().orElseThrow().toString());
        assertEquals(Family.V6, mapped.family());
    }
}
