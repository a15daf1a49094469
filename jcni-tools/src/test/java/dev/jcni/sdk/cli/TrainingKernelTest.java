package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training a chained plugin (issue 23): a sample that is a configuration list runs its first plugins as
 * the chain, so the plugin has its interface and its prevResult; a sample's call that fails fails the
 * packaging with the plugin's own error instead of "trained".
 */
@KernelTest
class TrainingKernelTest {
    static final String MAKES = MakesInterfacePlugin.class.getName();
    static final String NEEDS = NeedsInterfacePlugin.class.getName();

    record Run(int status, String out, String err) {
    }

    static Run pack(Path dir, String sample) throws IOException {
        Path samples = Files.writeString(dir.resolve("needs.json"), "{\"samples\": [" + sample + "]}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Packager.run(List.of("--name", "chain" + ProcessHandle.current().pid(), "--out", dir.resolve("dist").toString(),
                "--class-path", WarmDist.testClassPath(), "--plugin", "makes=" + MAKES, "--plugin", "needs=" + NEEDS,
                "--training", "needs=" + samples, "--java", System.getProperty("java.home"), "--no-shim", "--runtime", "none"),
                System.getenv(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aChainedSampleRunsItsChainFirst(@TempDir Path dir) throws IOException {
        Run r = pack(dir, "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"plugins\":[{\"type\":\"makes\"},{\"type\":\"needs\"}]}");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("trained needs"), r.err());
    }

    @Test
    void aSampleWhoseAddFailsFailsThePackagingWithThePluginsError(@TempDir Path dir) throws IOException {
        // the chained plugin alone: no interface in the scratch container namespace (the "trained" after every ADD failed)
        Run r = pack(dir, "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"needs\","
                + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/var/run/netns/x\"}]}}");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("ADD of the sample failed") && r.err().contains("no interface eth0 in "), r.err());
        assertFalse(r.err().contains("trained needs"), r.err());
    }

    @Test
    void aChainThatFailsFailsThePackaging(@TempDir Path dir) throws IOException {
        Run r = pack(dir, "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"plugins\":[{\"type\":\"nosuchplugin\"},{\"type\":\"needs\"}]}");
        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("the chain before the plugin failed") && r.err().contains("nosuchplugin"), r.err());
    }
}
