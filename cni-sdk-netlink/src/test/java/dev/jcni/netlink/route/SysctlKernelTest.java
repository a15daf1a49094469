package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netlink.NetlinkException;
import dev.jcni.sdk.testsupport.KernelTest;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

@KernelTest
class SysctlKernelTest {

    String observe(Sandbox s, String path) {
        return s.t.exec("cat", "/proc/sys/" + path).ok().trim();
    }

    @Test
    void setInsideANamespaceLeavesTheHostAlone() throws Exception {
        String hostForward = Sysctl.get("net.ipv4.ip_forward");
        try (Sandbox s = Sandbox.create()) {
            String other = hostForward.equals("1") ? "0" : "1";
            assertEquals(other, Sysctl.set(s.ns, "net.ipv4.ip_forward", other));
            assertEquals(other, observe(s, "net/ipv4/ip_forward"));
            assertEquals(other, Sysctl.get(s.ns, "net.ipv4.ip_forward"));
            assertEquals(hostForward, Sysctl.get("net/ipv4/ip_forward"));

            // from another platform thread, inside NetNs.run
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    s.ns.run(() -> {
                        Sysctl.setIpv6Forwarding(true);
                        Sysctl.setIpv4Forwarding(!hostForward.equals("1"));
                    });
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            t.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals("1", observe(s, "net/ipv6/conf/all/forwarding"));
            assertEquals(hostForward.equals("1") ? "0" : "1", observe(s, "net/ipv4/ip_forward"));
            assertEquals(hostForward, Sysctl.get("net.ipv4.ip_forward"));
        }
    }

    @Test
    void aValueOfSeveralCharactersIsReadWhole() {
        // a /proc/sys file reports size 0: reading it as a regular file gave only its first byte
        try (Sandbox s = Sandbox.create()) {
            assertEquals("0\t2147483647", Sysctl.set(s.ns, "net.ipv4.ping_group_range", "0 2147483647"));
            assertEquals("0\t2147483647", Sysctl.get(s.ns, "net.ipv4.ping_group_range"));
            assertEquals(observe(s, "net/ipv4/ip_local_port_range"), Sysctl.get(s.ns, "net.ipv4.ip_local_port_range"));
        }
    }

    @Test
    void interfaceHelpers() {
        try (Sandbox s = Sandbox.create()) {
            s.nl.linkAdd(LinkSpec.veth("a0", "b0"));
            s.ns.run(() -> {
                Sysctl.setAcceptRa("a0", 2);
                Sysctl.setAcceptDad("a0", 0);
                Sysctl.setEnhancedDad("a0", false);
                Sysctl.setArpNotify("a0", true);
                Sysctl.setRouteLocalnet("a0", true);
                Sysctl.setKeepAddrOnDown("a0", true);
                Sysctl.setDisableIpv6("b0", true);
            });
            assertEquals("2", observe(s, "net/ipv6/conf/a0/accept_ra"));
            assertEquals("0", observe(s, "net/ipv6/conf/a0/accept_dad"));
            assertEquals("0", observe(s, "net/ipv6/conf/a0/enhanced_dad"));
            assertEquals("1", observe(s, "net/ipv4/conf/a0/arp_notify"));
            assertEquals("1", observe(s, "net/ipv4/conf/a0/route_localnet"));
            assertEquals("1", observe(s, "net/ipv6/conf/a0/keep_addr_on_down"));
            assertEquals("1", observe(s, "net/ipv6/conf/b0/disable_ipv6"));
            // Go's dotted form with an interface that contains a dot written as a slash
            assertEquals("2", Sysctl.get(s.ns, "net.ipv6.conf.a0.accept_ra"));
            NetlinkException e = assertThrows(NetlinkException.class,
                    () -> Sysctl.get(s.ns, "net.ipv4.conf.nosuch0.forwarding"));
            assertTrue(e.getMessage().contains("/proc/sys/net/ipv4/conf/nosuch0/forwarding: no such file"),
                    e.getMessage());
        }
    }
}
