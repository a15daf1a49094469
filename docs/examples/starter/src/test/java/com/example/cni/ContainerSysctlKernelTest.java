package com.example.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcni.netlink.route.Sysctl;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.testkit.NetnsExtension;
import dev.jcni.testkit.TempNetns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * ADD and CHECK for real, in a network namespace of the test's own (jcni's test kit makes it and removes
 * it; root only: as another user the tests are skipped and say why).
 */
@ExtendWith(NetnsExtension.class)
class ContainerSysctlKernelTest {

    static String conf(TempNetns ns, String value) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"container-sysctl\","
                + "\"sysctl\":{\"net.ipv4.conf.{ifname}.arp_notify\":\"" + value + "\"},"
                + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"lo\",\"sandbox\":\"" + ns.path() + "\"}]}}";
    }

    static PluginHarness harness(TempNetns ns) {
        return PluginHarness.of(new ContainerSysctl()).attachment(ns.containerId(), ns.path().toString(), "lo");
    }

    static String arpNotify(TempNetns ns) {
        try (NetNs h = NetNs.get(ns.path())) {
            return Sysctl.get(h, "net.ipv4.conf.lo.arp_notify");
        }
    }

    @Test
    void addSetsTheSysctlInTheContainerAndCheckFindsIt(TempNetns ns) {
        String before = Sysctl.get("net.ipv4.conf.lo.arp_notify");
        harness(ns).run("ADD", conf(ns, "1")).result();
        assertEquals("1", arpNotify(ns));
        assertEquals(before, Sysctl.get("net.ipv4.conf.lo.arp_notify"), "the host's value is untouched");
        assertEquals(0, harness(ns).run("CHECK", conf(ns, "1")).exitCode());
    }

    @Test
    void checkFindsAValueOfSeveralNumbers(TempNetns ns) {
        // the kernel answers "0\t2147483647" for "0 2147483647"
        String conf = conf(ns, "1").replace("\"sysctl\":{", "\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 2147483647\",");
        harness(ns).run("ADD", conf).result();
        var check = harness(ns).run("CHECK", conf);
        assertEquals(0, check.exitCode(), check.toString());
    }

    @Test
    void checkFailsWhenTheValueChanged(TempNetns ns) {
        harness(ns).run("ADD", conf(ns, "1")).result();
        try (NetNs h = NetNs.get(ns.path())) {
            Sysctl.set(h, "net.ipv4.conf.lo.arp_notify", "0");
        }
        var outcome = harness(ns).run("CHECK", conf(ns, "1"));
        assertEquals("sysctl net.ipv4.conf.lo.arp_notify is 0, want 1", outcome.error().msg());
    }
}
