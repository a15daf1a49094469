package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.invoke.FakePlugins;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    @TempDir
    Path tmp;

    record Run(int status, String out, String err) {
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void assertUsageError(Run r, String message) {
        assertEquals(2, r.status());
        assertEquals("jcni: " + message + "\n" + Main.USAGE + "\n", r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test
    void noCommandIsUsageError() {
        assertUsageError(run(Map.of()), "no command given");
    }

    @Test
    void unknownCommandIsUsageError() {
        assertUsageError(run(Map.of(), "attach", "n", "/x"), "unknown command \"attach\"");
    }

    @Test
    void packageWithoutJcniToolsSaysWhereItIs() {
        // cni-sdk carries no packaging code: jcni package comes with dev.jcni:jcni-tools
        Run r = run(Map.of(), "package", "--name", "x");
        assertEquals(2, r.status());
        assertEquals("jcni: package is a command of jcni's tools (dev.jcni:jcni-tools), which are not on this class path "
                + "(docs/packaging.md)\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void addWithoutNetnsIsUsageError() {
        assertUsageError(run(Map.of(), "add", "n"), "network name and namespace are required");
    }

    @Test
    void unknownOptionIsUsageError() {
        assertUsageError(run(Map.of(), "--frobnicate", "add", "n", "/x"), "unknown option --frobnicate");
    }

    @Test
    void badCniArgsPairIsUsageError() {
        Map<String, String> env = Map.of("CNI_ARGS", "A=1;B", "NETCONFPATH", tmp.toString());
        write("n.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}");
        assertUsageError(run(env, "del", "n", "/x"), "invalid CNI_ARGS pair \"B\"");
    }

    @Test
    void capArgsMustBeJsonObject() {
        write("n.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"x\"}]}");
        assertUsageError(run(Map.of("CAP_ARGS", "[1]", "NETCONFPATH", tmp.toString()), "del", "n", "/x"),
                "CAP_ARGS must be a JSON object, not array");
    }

    @Test
    void helpPrintsUsageAndExitsZero() {
        Run r = run(Map.of(), "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains(Main.USAGE), r.out());
    }

    @Test
    void versionListsSpecVersions() {
        Run r = run(Map.of(), "version");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("CNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"), r.out());
    }

    @Test
    void containerIdIsCnitoolsHashOfNetnsPath() {
        assertEquals("cnitool-7b8a61d5d8e94d07cbe4", Main.containerId("/var/run/netns/test"));
    }

    @Test
    void missingNetworkFailsWithMessageAndStatus1() {
        Run r = run(Map.of("NETCONFPATH", tmp.toString()), "add", "nope", "/run/netns/x");
        assertEquals(1, r.status());
        assertEquals("jcni: no net configurations found in " + tmp + " (code 7)\n", r.err());
    }

    @Test
    void addPrintsResultAndDelUsesSameContainerIdAndIfname() {
        FakePlugins fakes = FakePlugins.in(tmp.resolve("fakes"));
        fakes.install("recorder", "rec");
        write("10-n.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"rec\"}]}");
        Map<String, String> env = new HashMap<>();
        env.put("NETCONFPATH", tmp.toString());
        env.put("CNI_PATH", fakes.bin().toString());
        env.put("CNI_IFNAME", "net7");
        env.put("CNI_ARGS", "K=V");
        Run add = run(env, "--cache-dir", tmp.resolve("cache").toString(), "add", "n", "/var/run/netns/test");
        assertEquals(0, add.status(), add.err());
        assertTrue(add.out().contains("\"address\": \"10.99.0.2/24\""), add.out());
        assertEquals("cnitool-7b8a61d5d8e94d07cbe4", fakes.env("rec", "ADD", "CNI_CONTAINERID"));
        assertEquals("net7", fakes.env("rec", "ADD", "CNI_IFNAME"));
        assertEquals("K=V", fakes.env("rec", "ADD", "CNI_ARGS"));
        Run del = run(env, "-i", "net7", "--cache-dir", tmp.resolve("cache").toString(), "del", "n", "/var/run/netns/test");
        assertEquals(0, del.status(), del.err());
        assertTrue(fakes.stdin("rec", "DEL").contains("\"prevResult\""), "DEL found the cache of ADD");
    }

    @Test
    void pluginErrorIsPrintedWithCodeAndStatus1() {
        FakePlugins fakes = FakePlugins.in(tmp.resolve("fakes"));
        fakes.install("recorder", "rec");
        fakes.behave("rec", "STATUS", "fail", "{\"code\":50,\"msg\":\"not ready\"}");
        write("10-n.conflist", "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"rec\"}]}");
        Run r = run(Map.of("NETCONFPATH", tmp.toString(), "CNI_PATH", fakes.bin().toString()), "status", "n");
        assertEquals(1, r.status());
        assertEquals("jcni: not ready (code 50)\n", r.err());
    }

    /** A chain whose first plugin reserves an address (as host-local) and whose second fails on ADD. */
    private Map<String, String> failingChain(FakePlugins fakes) {
        fakes.install("allocator", "alloc");
        fakes.install("recorder", "rec");
        fakes.behave("rec", "ADD", "fail", "{\"code\":11,\"msg\":\"boom\"}");
        write("10-n.conflist", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"alloc\"},{\"type\":\"rec\"}]}");
        return Map.of("NETCONFPATH", tmp.toString(), "CNI_PATH", fakes.bin().toString(), "FAKE_DIR", fakes.state().toString());
    }

    @Test
    void failedAddSendsDelSoThatTheNextAddSucceeds() throws Exception {
        FakePlugins fakes = FakePlugins.in(tmp.resolve("fakes"));
        Map<String, String> env = failingChain(fakes);
        String cache = tmp.resolve("cache").toString();
        Run first = run(env, "--cache-dir", cache, "add", "n", "/var/run/netns/test");
        assertEquals(1, first.status());
        assertEquals("jcni: plugin type=\"rec\" failed (add): boom (code 11); DEL sent for the attempted attachment,"
                + " which is removed (--no-cleanup keeps it)\n", first.err());
        assertEquals("", first.out());
        assertEquals(java.util.List.of("ADD", "DEL"), fakes.calls("rec"), "DEL ran through the whole chain");
        assertFalse(Files.exists(fakes.state().resolve("reserved-cnitool-7b8a61d5d8e94d07cbe4-eth0")), "reservation released");
        Files.delete(fakes.state().resolve("rec-ADD.fail"));
        Run second = run(env, "--cache-dir", cache, "add", "n", "/var/run/netns/test");
        assertEquals(0, second.status(), second.err());
        assertFalse(second.err().contains("duplicate allocation"), second.err());
    }

    @Test
    void noCleanupLeavesTheAttachmentAndSaysSo() throws Exception {
        FakePlugins fakes = FakePlugins.in(tmp.resolve("fakes"));
        Map<String, String> env = failingChain(fakes);
        String cache = tmp.resolve("cache").toString();
        Run first = run(env, "--cache-dir", cache, "--no-cleanup", "add", "n", "/var/run/netns/test");
        assertEquals(1, first.status());
        assertEquals("jcni: plugin type=\"rec\" failed (add): boom (code 11); no DEL sent (--no-cleanup):"
                + " what the chain made stays until `jcni del`\n", first.err());
        assertEquals(java.util.List.of("ADD"), fakes.calls("rec"));
        Files.delete(fakes.state().resolve("rec-ADD.fail"));
        Run second = run(env, "--cache-dir", cache, "add", "n", "/var/run/netns/test");
        assertEquals(1, second.status());
        assertTrue(second.err().contains("duplicate allocation"), second.err());
    }

    @Test
    void aFailingCleanupIsReportedWithBothErrors() {
        FakePlugins fakes = FakePlugins.in(tmp.resolve("fakes"));
        Map<String, String> env = failingChain(fakes);
        fakes.behave("rec", "DEL", "fail", "{\"code\":7,\"msg\":\"cannot delete\"}");
        Run r = run(env, "--cache-dir", tmp.resolve("cache").toString(), "add", "n", "/var/run/netns/test");
        assertEquals(1, r.status());
        assertEquals("jcni: plugin type=\"rec\" failed (add): boom (code 11); DEL sent for the attempted attachment, and it"
                + " failed too: plugin type=\"rec\" failed (delete): cannot delete (code 7) (run `jcni del` once the cause"
                + " is fixed)\n", r.err());
    }

    void write(String name, String text) {
        try {
            Files.writeString(tmp.resolve(name), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
