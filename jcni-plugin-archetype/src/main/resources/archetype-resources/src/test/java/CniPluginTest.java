## the plugin's class: the artifactId in CamelCase (acme-cni: AcmeCni); archetype-post-generate.groovy names the file
#set( $className = "" )#foreach( $w in $artifactId.split("[^A-Za-z0-9]+") )#if( $w.length() > 0 )#set( $className = "${className}${w.substring(0,1).toUpperCase()}${w.substring(1)}" )#end#end##
package ${package};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.Result;
import org.junit.jupiter.api.Test;

/** The plugin through jcni's real skel, in-process: protocol and configuration, no kernel needed. */
class ${className}Test {
    static final String PREV = "\"prevResult\":{\"cniVersion\":\"1.0.0\","
            + "\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
            + "\"ips\":[{\"address\":\"10.1.0.2/24\",\"gateway\":\"10.1.0.1\",\"interface\":0}]}";

    final PluginHarness harness = PluginHarness.of(new ${className}())
            .attachment("c1", "/run/netns/x", "eth0");

    @Test
    void answersVersionWithEverySpecVersion() {
        var info = harness.run("VERSION", "{\"cniVersion\":\"1.0.0\"}").versionInfo();
        assertTrue(info.supportedVersions().contains("1.1.0"), info.toString());
    }

    @Test
    void withNothingToSetPassesThePreviousResultOnInItsVersion() {
        Result result = harness.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"${artifactId}\"," + PREV + "}")
                .result();
        assertEquals("1.0.0", result.cniVersion());
        assertEquals("10.1.0.2/24", result.ips().get(0).address().toString());
    }

    @Test
    void refusesToRunUnchained() {
        var outcome = harness.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"${artifactId}\"}");
        assertEquals(7, outcome.error().code());
        assertEquals("must be called as chained plugin", outcome.error().msg());
    }

    @Test
    void refusesSysctlsOutsideTheNetworkNamespace() {
        var outcome = harness.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"${artifactId}\","
                + "\"sysctl\":{\"kernel.pid_max\":\"4096\"}," + PREV + "}");
        assertEquals(7, outcome.error().code());
        assertEquals("invalid sysctl kernel.pid_max", outcome.error().msg());
    }

    @Test
    void aValueOfTheWrongTypeIsCode6() {
        var outcome = harness.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"${artifactId}\","
                + "\"sysctl\":[\"net.ipv4.ip_forward\"]," + PREV + "}");
        assertEquals(6, outcome.error().code());
    }

    @Test
    void delSucceedsWhateverIsLeft() {
        var outcome = harness.env("CNI_NETNS", "").run("DEL", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"${artifactId}\"}");
        assertTrue(outcome.succeeded(), outcome.toString());
    }
}
