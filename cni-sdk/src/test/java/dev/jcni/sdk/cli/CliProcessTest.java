package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jcni} run as a process (java -cp ... dev.jcni.sdk.cli.Main) on a real namespace with the Go plugins. */
@KernelTest
class CliProcessTest {
    @TempDir
    Path tmp;
    TestNetns ns;
    String bridge;
    String network;

    @BeforeEach
    void setUp() throws Exception {
        Kernel.assumeGoPlugins();
        ns = TestNetns.create();
        bridge = Kernel.uniqueName("jcc");
        network = Kernel.uniqueName("jcnicli-");
        String subnet = "10." + (240 + ThreadLocalRandom.current().nextInt(10)) + "." + ThreadLocalRandom.current().nextInt(256) + ".0/24";
        Files.createDirectories(tmp.resolve("net.d"));
        Files.writeString(tmp.resolve("net.d/10-test.conflist"), ("{'cniVersion':'1.0.0','name':'" + network + "','plugins':["
                + "{'type':'bridge','bridge':'" + bridge + "','isGateway':false,'ipam':{'type':'host-local','dataDir':'"
                + tmp.resolve("ipam") + "','ranges':[[{'subnet':'" + subnet + "'}]]}}]}").replace('\'', '"'));
    }

    @AfterEach
    void tearDown() {
        try {
            jcni("del", network, ns.path().toString());
        } catch (RuntimeException e) {
            // best effort
        }
        ns.close();
        if (Kernel.exec("ip", "link", "show", bridge).exitCode() == 0) {
            Kernel.exec("ip", "link", "del", bridge);
        }
    }

    Kernel.ExecResult jcni(String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.jcni.sdk.cli.Main",
                "--cache-dir", tmp.resolve("cache").toString()));
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            Map<String, String> env = pb.environment();
            env.put("NETCONFPATH", tmp.resolve("net.d").toString());
            env.put("CNI_PATH", "/usr/lib/cni");
            env.remove("CNI_IFNAME");
            env.remove("CNI_ARGS");
            env.remove("CAP_ARGS");
            Path out = tmp.resolve("out");
            Path err = tmp.resolve("err");
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("jcni did not finish");
            }
            return new Kernel.ExecResult(p.exitValue(), Files.readString(out), Files.readString(err));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void addPrintsResultAndDelRemovesEverything() throws Exception {
        Kernel.ExecResult add = jcni("add", network, ns.path().toString());
        assertEquals(0, add.exitCode(), add.stderr());
        var result = Json.parse(add.stdout().getBytes(StandardCharsets.UTF_8));
        assertEquals("1.0.0", result.get("cniVersion").asText());
        String ip = result.get("ips").get(0).get("address").asText().split("/")[0];
        assertTrue(ns.exec("ip", "-4", "addr", "show", "dev", "eth0").ok().contains(ip));
        assertEquals(1, Files.list(tmp.resolve("cache/results")).count());
        try (var s = Files.list(tmp.resolve("cache"))) {
            assertEquals(List.of("results"), s.map(p -> p.getFileName().toString()).toList(),
                    "the cache dir holds the results and nothing else (no empty .jcni-tmp)");
        }

        Kernel.ExecResult check = jcni("check", network, ns.path().toString());
        assertEquals(0, check.exitCode(), check.stderr());

        Kernel.ExecResult del = jcni("del", network, ns.path().toString());
        assertEquals(0, del.exitCode(), del.stderr());
        assertFalse(ns.exec("ip", "link", "show", "eth0").exitCode() == 0, "eth0 is gone");
        assertEquals(0, Files.list(tmp.resolve("cache/results")).count());
        try (var s = Files.list(tmp.resolve("ipam").resolve(network))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().equals(ip)), "the address is released");
        }
    }

    @Test
    void usageErrorHasMessageUsageAndNoStackTrace() {
        Kernel.ExecResult r = jcni("add", network);
        assertEquals(2, r.exitCode());
        assertEquals("jcni: network name and namespace are required\n" + Main.USAGE + "\n", r.stderr());
        assertEquals("", r.stdout());
    }
}
