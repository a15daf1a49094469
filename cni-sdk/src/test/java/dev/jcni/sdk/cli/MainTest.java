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

    void write(String name, String text) {
        try {
            Files.writeString(tmp.resolve(name), text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
