package dev.jcni.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.testing.PluginHarness.Outcome;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Request#processBuilder} finds a bare command name on the call's PATH, not on the PATH of the
 * JVM that serves the call: run in-process here, as warm mode and in-process delegation run plugins.
 */
class RequestProcessTest {
    static final String CONF = "{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"type\":\"sample\"}";

    /** On DEL, runs a command by its bare name and keeps what it printed, or why it could not start. */
    static final class Runner implements Plugin {
        final String name;
        String printed = "";
        String startFailure = "";

        Runner(String name) {
            this.name = name;
        }

        @Override
        public Result add(Request request) {
            return Result.empty();
        }

        @Override
        public void check(Request request) {
        }

        @Override
        public void del(Request request) {
            try {
                Process p = request.processBuilder(List.of(name)).redirectErrorStream(true).start();
                p.getOutputStream().close();
                printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            } catch (IOException e) {
                startFailure = String.valueOf(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static Outcome del(Runner plugin, String path) {
        return PluginHarness.of(plugin).env("PATH", path).env("CNI_CONTAINERID", "c1").env("CNI_IFNAME", "eth0")
                .run("DEL", CONF);
    }

    @Test
    void aToolOnlyTheCallsPathHasIsFound(@TempDir Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("call-bin"));
        String name = "jcni-only-on-the-calls-path-" + ProcessHandle.current().pid();
        Path tool = Files.writeString(bin.resolve(name), "#!/bin/sh\necho from the call PATH\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Runner plugin = new Runner(name);
        Outcome o = del(plugin, dir.resolve("empty") + ":" + bin);
        assertEquals(0, o.exitCode(), o.toString());
        assertEquals("", plugin.startFailure);
        assertEquals("from the call PATH", plugin.printed);
    }

    @Test
    void aToolOnlyTheJvmsPathHasIsNotFound(@TempDir Path dir) throws IOException {
        // sh is on this JVM's PATH; the call's PATH is one empty directory
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Runner plugin = new Runner("sh");
        Outcome o = del(plugin, empty.toString());
        assertEquals(0, o.exitCode(), o.toString());
        assertEquals("", plugin.printed, "nothing ran");
        assertTrue(plugin.startFailure.contains("No such file or directory"), plugin.startFailure);
        assertTrue(plugin.startFailure.contains(empty.resolve("sh").toString()), plugin.startFailure);
    }
}
