package dev.jcni.plugins.ptp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.CniException;
import org.junit.jupiter.api.Test;

/** Configuration checks of the ptp plugin, in-process, before anything is touched. */
class PtpConfigTest {
    static PluginHarness harness() {
        return PluginHarness.of(new Ptp()).attachment("c1", "/run/netns/jcni-does-not-exist", "eth0")
                .env("CNI_PATH", "/nonexistent");
    }

    static String conf(String fields) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"ptp\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    @Test
    void ipamIsRequired() {
        for (String f : new String[] {"", "\"ipam\":{}", "\"ipam\":{\"type\":\"\"}"}) {
            CniException e = harness().run("ADD", conf(f)).error();
            assertEquals(7, e.code(), f);
            assertEquals("no plugin name provided", e.msg());
            assertEquals(7, harness().run("DEL", conf(f)).error().code(), "DEL needs IPAM too (Go fails there as well)");
        }
    }

    @Test
    void unknownMasqueradeBackend() {
        CniException e = harness().run("ADD", conf("\"ipMasq\":true,\"ipMasqBackend\":\"ebtables\",\"ipam\":{\"type\":\"host-local\"}")).error();
        assertEquals(7, e.code());
        assertEquals("unknown ipmasq backend \"ebtables\"", e.msg());
    }

    @Test
    void wrongJsonType() {
        CniException e = harness().run("ADD", conf("\"mtu\":[1],\"ipam\":{\"type\":\"host-local\"}")).error();
        assertEquals(6, e.code());
    }

    @Test
    void missingNetnsFailsBeforeIpam() {
        CniException e = harness().run("ADD", conf("\"ipam\":{\"type\":\"host-local\"}")).error();
        assertEquals(999, e.code());
        assertEquals("failed to open netns \"/run/netns/jcni-does-not-exist\": failed to Statfs \"/run/netns/jcni-does-not-exist\": "
                + "no such file or directory", e.msg());
    }
}
