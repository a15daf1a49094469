package com.example.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.Result;
import org.junit.jupiter.api.Test;

/** The plugin through jcni's real skel, in-process: protocol and configuration, no kernel needed. */
class ContainerSysctlTest {
    static final String PREV = "\"prevResult\":{\"cniVersion\":\"1.0.0\","
            + "\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
            + "\"ips\":[{\"address\":\"10.1.0.2/24\",\"gateway\":\"10.1.0.1\",\"interface\":0}]}";

    final PluginHarness harness = PluginHarness.of(new ContainerSysctl())
            .attachment("c1", "/run/netns/x", "eth0");

    @Test
    void answersVersionWithEverySpecVersion() {
        var info = harness.run("VERSION", "{\"cniVersion\":\"1.0.0\"}").versionInfo();
        assertTrue(info.supportedVersions().contains("1.1.0"), info.toString());
    }

    @Test
    void withNothingToSetPassesThePreviousResultOnInItsVersion() {
        Result result = harness.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"container-sysctl\"," + PREV + "}")
                .result();
        assertEquals("1.0.0", result.cniVersion());
        assertEquals("10.1.0.2/24", result.ips().get(0).address().toString());
    }

    @Test
    void refusesToRunUnchained() {
        var outcome = harness.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"container-sysctl\"}");
        assertEquals(7, outcome.error().code());
        assertEquals("must be called as chained plugin", outcome.error().msg());
    }

    @Test
    void refusesSysctlsOutsideTheNetworkNamespace() {
        var outcome = harness.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"container-sysctl\","
                + "\"sysctl\":{\"kernel.pid_max\":\"4096\"}," + PREV + "}");
        assertEquals(7, outcome.error().code());
        assertEquals("invalid sysctl kernel.pid_max", outcome.error().msg());
    }

    @Test
    void aValueOfTheWrongTypeIsCode6() {
        var outcome = harness.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"container-sysctl\","
                + "\"sysctl\":[\"net.ipv4.ip_forward\"]," + PREV + "}");
        assertEquals(6, outcome.error().code());
    }

    @Test
    void delSucceedsWhateverIsLeft() {
        var outcome = harness.env("CNI_NETNS", "").run("DEL", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"container-sysctl\"}");
        assertTrue(outcome.succeeded(), outcome.toString());
    }
}
