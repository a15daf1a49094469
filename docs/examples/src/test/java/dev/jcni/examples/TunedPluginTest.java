package dev.jcni.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.Result;
import org.junit.jupiter.api.Test;

/** The chained example, tested in-process with the harness plugin authors use. */
class TunedPluginTest {
    final PluginHarness h = PluginHarness.of(new TunedPlugin()).attachment("c1", "/run/netns/x", "eth0");

    @Test
    void passesThePreviousResultThroughInTheConfigVersion() {
        String conf = "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"tuned\",\"mtu\":1400,"
                + "\"prevResult\":{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.0.2/16\"}]}}";
        Result r = h.run("ADD", conf).result();
        assertEquals("0.4.0", r.cniVersion());
        assertEquals("10.1.0.2/16", r.ips().get(0).address().toString());
    }

    @Test
    void refusesToRunUnchained() {
        var o = h.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"tuned\"}");
        assertEquals(7, o.error().code());
        assertEquals("must be called as chained plugin", o.error().msg());
    }

    @Test
    void badOwnFieldIsCode6() {
        var o = h.run("ADD", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"tuned\",\"mtu\":\"big\"}");
        assertEquals(6, o.error().code());
    }
}
