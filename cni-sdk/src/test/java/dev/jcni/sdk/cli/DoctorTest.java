package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.invoke.FakePlugins;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jcni doctor} on a good node and on broken ones, each in directories of its own. */
class DoctorTest {
    @TempDir
    Path tmp;
    FakePlugins fakes;
    Path conf;

    record Run(int status, String out, String err) {
        JsonNode item(String check, String subjectEnd) throws IOException {
            for (JsonNode i : Json.parse(out.getBytes(StandardCharsets.UTF_8)).get("items")) {
                if (i.get("check").asText().equals(check) && i.get("subject").asText().endsWith(subjectEnd)) {
                    return i;
                }
            }
            throw new AssertionError("no item " + check + " " + subjectEnd + " in " + out);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        fakes = FakePlugins.in(tmp.resolve("cni"));
        fakes.install("recorder", "rec");
        conf = Files.createDirectories(tmp.resolve("net.d"));
    }

    Run doctor(String path, String... more) {
        List<String> args = new ArrayList<>(List.of("doctor", "--cni-path", fakes.bin().toString(), "--conf-dir", conf.toString(),
                "--run-dir", tmp.resolve("run").toString()));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args.toArray(String[]::new), java.util.Map.of("PATH", path),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    void conflist(String file, String json) throws IOException {
        Files.writeString(conf.resolve(file), json.replace('\'', '"'));
    }

    @Test
    void aGoodSetupPassesWithATableAndJson() throws IOException {
        conflist("10-good.conflist", "{'cniVersion':'1.0.0','name':'good','plugins':[{'type':'rec','ipam':{'type':'rec'}}]}");
        Run table = doctor("/usr/sbin:/usr/bin:/sbin:/bin");
        assertEquals(0, table.status(), table.out() + table.err());
        assertEquals("", table.err());
        assertTrue(table.out().startsWith("CHECK     SUBJECT"), table.out());
        assertTrue(table.out().contains("  ok     network \"good\" (cniVersion 1.0.0): rec\n"), table.out());
        Run json = doctor("/usr/sbin:/usr/bin:/sbin:/bin", "--json");
        assertEquals(0, json.status());
        JsonNode root = Json.parse(json.out().getBytes(StandardCharsets.UTF_8));
        assertTrue(root.get("ok").asBoolean());
        assertEquals(0, root.get("failing").size());
        assertEquals("ok", json.item("cni_path", "/bin").get("status").asText());
        assertEquals("1 plugin: rec", json.item("cni_path", "/bin").get("detail").asText());
        assertEquals("ok", json.item("conflist", "10-good.conflist").get("status").asText());
    }

    @Test
    void aConflistNamingAPluginNoDirectoryHoldsFailsAndIsNamed() throws IOException {
        conflist("10-bad.conflist", "{'cniVersion':'1.0.0','name':'bad','plugins':[{'type':'rec'},{'type':'tuning'}]}");
        Run r = doctor("/usr/bin:/bin");
        assertEquals(1, r.status());
        String file = conf.resolve("10-bad.conflist").toString();
        assertEquals("jcni doctor: failing: conflist " + file + ": network \"bad\" (cniVersion 1.0.0): rec, tuning; plugin type"
                + " \"tuning\" is in no CNI_PATH directory [" + fakes.bin() + "]\n", r.err());
        assertTrue(r.out().contains(" fail   network \"bad\""), r.out());
    }

    @Test
    void anInvalidConfigurationAndAMissingDirectoryFail() throws IOException {
        conflist("10-broken.conflist", "{'cniVersion':'1.0.0','name':");
        conflist("20-version.conflist", "{'cniVersion':'9.9.9','name':'future','plugins':[{'type':'rec'}]}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"doctor", "--json", "--conf-dir", conf.toString(), "--run-dir", tmp.toString()},
                java.util.Map.of("PATH", "/usr/bin:/bin", "CNI_PATH", fakes.bin() + ":" + tmp.resolve("nowhere")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Run r = new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        assertEquals(1, r.status());
        assertEquals("fail", r.item("cni_path", "nowhere").get("status").asText());
        assertTrue(r.item("conflist", "10-broken.conflist").get("detail").asText().startsWith("invalid: "), r.out());
        assertTrue(r.item("conflist", "20-version.conflist").get("detail").asText()
                .endsWith("cniVersion \"9.9.9\" is not one jcni knows"), r.out());
        JsonNode failing = Json.parse(r.out().getBytes(StandardCharsets.UTF_8)).get("failing");
        assertEquals(3, failing.size(), r.out());
        assertEquals(3, r.err().lines().count(), r.err());
    }

    @Test
    void portMappingsWithoutIptablesOrNftFail() throws IOException {
        fakes.install("recorder", "portmap");
        conflist("10-pm.conflist", "{'cniVersion':'1.0.0','name':'pm','plugins':[{'type':'rec'},{'type':'portmap'}]}");
        Path emptyPath = Files.createDirectories(tmp.resolve("emptybin"));
        Run r = doctor(emptyPath.toString(), "--json");
        assertEquals(1, r.status(), r.out());
        assertEquals("fail", r.item("firewall", "iptables").get("status").asText());
        assertTrue(r.err().contains("failing: firewall iptables: not on PATH (portmap need iptables or nft"), r.err());
        // with an iptables on PATH, it passes
        Path iptables = emptyPath.resolve("iptables");
        Files.writeString(iptables, "#!/bin/sh\necho 'iptables v1.8.9 (nf_tables)'\n");
        Files.setPosixFilePermissions(iptables, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run ok = doctor(emptyPath.toString(), "--json");
        assertEquals(0, ok.status(), ok.out());
        assertTrue(ok.item("firewall", "iptables").get("detail").asText().startsWith("iptables v1.8.9 (nf_tables) ("), ok.out());
        assertEquals("warn", ok.item("firewall", "nft").get("status").asText());
    }

    @Test
    void aLauncherThatCannotStartFails() throws IOException {
        // a copy of a jcni launcher without its jars answers with the launcher's CNI error
        Path launcher = fakes.bin().resolve("copied");
        Files.writeString(launcher, "#!/bin/sh\n# jcni-launcher dist=ref id=abc main=a.Main kind=plugin\ncat > /dev/null\n"
                + "printf '{\"cniVersion\":\"1.0.0\",\"code\":999,\"msg\":\"jcni copied: cannot find the jars of distribution ref (abc)\"}'\n"
                + "exit 1\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = doctor("/usr/bin:/bin", "--json");
        assertEquals(1, r.status());
        assertEquals("VERSION failed (exit 1): jcni copied: cannot find the jars of distribution ref (abc)",
                r.item("launcher", "copied").get("detail").asText());
        assertEquals("2 plugins: copied* rec (* jcni)", r.item("cni_path", "bin").get("detail").asText());
        // its distribution's daemon is not running: a warning, not a failure
        assertEquals("warn", r.item("daemon", "ref").get("status").asText());
    }

    @Test
    void kernelModulesAreFoundInModulesDepAndBuiltin() {
        String dep = "kernel/drivers/net/veth.ko.xz: \nkernel/net/8021q/8021q.ko: kernel/net/802/garp.ko\n";
        assertTrue(Doctor.containsModule(dep, "veth"));
        assertTrue(Doctor.containsModule(dep, "8021q"));
        assertFalse(Doctor.containsModule(dep, "garp"), "a dependency is not a module line of its own here");
        assertFalse(Doctor.containsModule(dep, "bridge"));
        assertTrue(Doctor.containsModule("kernel/net/bridge/bridge.ko\n", "bridge"));
        assertTrue(Doctor.containsModule("kernel/net/sched/sch_tbf.ko\n", "sch-tbf"));
    }

    @Test
    void noConfigurationIsAWarningAndUsageErrorsExit2() {
        Run r = doctor("/usr/bin:/bin");
        assertEquals(0, r.status());
        assertTrue(r.out().contains(" warn   no network configuration"), r.out());
        Run bad = doctor("/usr/bin:/bin", "--frob");
        assertEquals(2, bad.status());
        assertEquals("jcni doctor: unknown argument \"--frob\"\n" + Doctor.USAGE + "\n", bad.err());
        assertFalse(bad.err().contains("\tat "));
    }
}
