package dev.jcni.plugins.firewallplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.CniException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gives its code and text before anything is changed: the plugin runs with a PATH whose
 * only "iptables" records that it was called.
 */
class FirewallConfigTest {
    @TempDir
    Path tmp;

    private static final String PREV = "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br0\"}],"
            + "\"ips\":[{\"address\":\"10.1.2.3/24\"}]}";

    private PluginHarness.Outcome run(String command, String conf) throws Exception {
        for (String tool : List.of("iptables", "ip6tables", "dbus-send")) {
            Path p = tmp.resolve(tool);
            Files.writeString(p, "#!/bin/sh\necho \"$0 $*\" >> " + tmp.resolve("calls") + "\nexit 1\n");
            p.toFile().setExecutable(true);
        }
        return PluginHarness.of(new Firewall(() -> false, p -> { })).env("CNI_CONTAINERID", "c").env("CNI_NETNS", "/run/netns/x")
                .env("CNI_IFNAME", "eth0").env("CNI_PATH", "/nonexistent").env("PATH", tmp.toString()).run(command, conf);
    }

    private void assertError(String command, String conf, int code, String msg) throws Exception {
        PluginHarness.Outcome o = run(command, conf);
        assertTrue(o.exitCode() != 0, o.stdout());
        CniException e = o.error();
        assertEquals(code, e.code(), o.stdout());
        assertTrue(e.msg().contains(msg), e.msg());
        assertTrue(!Files.exists(tmp.resolve("calls")), "no tool ran");
    }

    private static String conf(String version, String fields) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"n\",\"type\":\"firewall\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
    }

    @Test
    void unknownIngressPolicy() throws Exception {
        assertError("ADD", conf("1.0.0", "\"ingressPolicy\":\"closed\"," + PREV), 7, "unknown ingress policy: \"closed\"");
    }

    @Test
    void badAdminChainNames() throws Exception {
        for (String name : List.of("THIS-NAME-IS-MUCH-TOO-LONG-FOR-IPTABLES", "-j", "with blank", "ACCEPT", "CNI-FORWARD")) {
            assertError("ADD", conf("1.0.0", "\"iptablesAdminChainName\":\"" + name + "\"," + PREV), 7, "invalid iptablesAdminChainName");
        }
    }

    @Test
    void wrongJsonType() throws Exception {
        assertError("ADD", conf("1.0.0", "\"backend\":5," + PREV), 6, "failed to load netconf: ");
    }

    @Test
    void addAndCheckNeedPrevResult() throws Exception {
        assertError("ADD", conf("1.0.0", ""), 7, "missing prevResult from earlier plugin");
        assertError("CHECK", conf("1.0.0", ""), 7, "missing prevResult from earlier plugin");
    }

    @Test
    void versionsBefore040AreRefusedAsGoDoes() throws Exception {
        assertError("ADD", conf("0.3.1", PREV), 1, "incompatible CNI versions");
    }

    @Test
    void delWithoutPrevResultRemovesNothingAndSucceeds() throws Exception {
        PluginHarness.Outcome o = run("DEL", conf("1.0.0", "\"backend\":\"iptables\""));
        assertEquals(0, o.exitCode(), o.stdout());
        assertEquals("", o.stdout());
        assertTrue(!Files.exists(tmp.resolve("calls")), "no tool ran");
    }
}
