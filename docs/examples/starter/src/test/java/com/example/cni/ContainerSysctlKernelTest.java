package com.example.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jcni.netlink.route.Sysctl;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.testing.PluginHarness;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ADD and CHECK for real, in a network namespace of the test's own (root only; skipped otherwise). */
class ContainerSysctlKernelTest {
    final String name = "starter-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    NetNs ns;
    PluginHarness harness;

    @BeforeEach
    void namespace() {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to make a network namespace");
        ns = NetNs.create(name);
        harness = PluginHarness.of(new ContainerSysctl()).attachment("c1", ns.path(), "lo");
    }

    @AfterEach
    void cleanup() {
        if (ns != null) {
            ns.close();
            NetNs.delete(name);
        }
    }

    String conf(String value) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"container-sysctl\","
                + "\"sysctl\":{\"net.ipv4.conf.{ifname}.arp_notify\":\"" + value + "\"},"
                + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"lo\",\"sandbox\":\"" + ns.path() + "\"}]}}";
    }

    @Test
    void addSetsTheSysctlInTheContainerAndCheckFindsIt() {
        String before = Sysctl.get("net.ipv4.conf.lo.arp_notify");
        harness.run("ADD", conf("1")).result();
        assertEquals("1", Sysctl.get(ns, "net.ipv4.conf.lo.arp_notify"));
        assertEquals(before, Sysctl.get("net.ipv4.conf.lo.arp_notify"), "the host's value is untouched");
        assertEquals(0, harness.run("CHECK", conf("1")).exitCode());
    }

    @Test
    void checkFailsWhenTheValueChanged() {
        harness.run("ADD", conf("1")).result();
        Sysctl.set(ns, "net.ipv4.conf.lo.arp_notify", "0");
        var outcome = harness.run("CHECK", conf("1"));
        assertEquals("sysctl net.ipv4.conf.lo.arp_notify is 0, want 1", outcome.error().msg());
    }
}
