package dev.jcni.plugins.firewallplugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testing.PluginHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firewalld backend's D-Bus calls, against a recording {@code dbus-send} on PATH (firewalld
 * itself would change the machine's firewall): the automatic choice takes firewalld when the bus
 * knows its name; ADD adds each address to the zone as a source, CHECK queries it, DEL removes it.
 */
class FirewalldTest {
    @TempDir
    Path tmp;

    private static final String CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"firewall\",\"firewalldZone\":\"cni\","
            + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.2.3/24\"},{\"address\":\"fd00::3/64\"}]}}";

    /** A dbus-send that logs its arguments and answers as firewalld does, {@code query} for querySource. */
    private void fake(String query, String addSourceError) throws Exception {
        Path p = tmp.resolve("dbus-send");
        Files.writeString(p, "#!/bin/sh\necho \"$*\" >> " + tmp.resolve("calls") + "\n"
                + "case \"$*\" in\n"
                + "  *querySource*) echo 'method return'; echo '   boolean " + query + "' ;;\n"
                + "  *addSource*) [ -n '" + addSourceError + "' ] && { echo 'Error org.fedoraproject.FirewallD1.Exception: "
                + addSourceError + "' >&2; exit 1; } ;;\n"
                + "esac\nexit 0\n");
        p.toFile().setExecutable(true);
        // the iptables of the automatic choice must not be reached
        Path ipt = tmp.resolve("iptables");
        Files.writeString(ipt, "#!/bin/sh\necho \"iptables $*\" >> " + tmp.resolve("calls") + "\nexit 1\n");
        ipt.toFile().setExecutable(true);
    }

    private PluginHarness.Outcome run(String command) {
        return PluginHarness.of(new Firewall()).env("CNI_CONTAINERID", "c").env("CNI_NETNS", "/run/netns/x").env("CNI_IFNAME", "eth0")
                .env("CNI_PATH", "/nonexistent").env("PATH", tmp.toString()).run(command, CONF);
    }

    private List<String> calls() throws Exception {
        List<String> all = Files.readAllLines(tmp.resolve("calls"));
        Files.delete(tmp.resolve("calls"));
        return all.stream().map(l -> l.replaceAll(".*--dest=", "")).toList();
    }

    @Test
    void addCheckDelThroughDbus() throws Exception {
        fake("true", "");
        assertEquals(0, run("ADD").exitCode());
        String zone = "org.fedoraproject.FirewallD1 /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.zone.";
        assertEquals(List.of("org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetNameOwner string:org.fedoraproject.FirewallD1",
                zone + "addSource string:cni string:10.1.2.3/32", zone + "addSource string:cni string:fd00::3/128"), calls());
        assertEquals(0, run("CHECK").exitCode());
        assertEquals(zone + "querySource string:cni string:fd00::3/128", calls().get(2));
        assertEquals(0, run("DEL").exitCode());
        assertEquals(zone + "removeSource string:cni string:10.1.2.3/32", calls().get(1));
    }

    @Test
    void checkFailsWhenFirewalldAnswersFalse() throws Exception {
        fake("false", "");
        PluginHarness.Outcome o = run("CHECK");
        assertEquals(999, o.error().code());
        assertTrue(o.error().msg().contains("failed to find the address 10.1.2.3/32 in cni zone"), o.stdout());
    }

    @Test
    void zoneAlreadySetIsFineOtherErrorsFailAndRollBack() throws Exception {
        fake("true", "ZONE_ALREADY_SET: 10.1.2.3/32");
        assertEquals(0, run("ADD").exitCode());
        calls();
        fake("true", "INVALID_ZONE: cni");
        PluginHarness.Outcome o = run("ADD");
        assertTrue(o.error().msg().startsWith("failed to add the address 10.1.2.3/32 to cni zone: "), o.stdout());
        List<String> c = calls();
        assertTrue(c.get(c.size() - 1).contains("removeSource string:cni string:fd00::3/128"), "rolled back: " + c);
    }
}
