package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-mode shim and the plugins' entry points, which root runs on every call, build with every warning an error (issue 20). */
class ShimFlagsTest {

    @Test
    void theShimBuildsWithEveryWarningAnError(@TempDir Path dir) throws IOException, InterruptedException {
        assertTrue(Packager.SHIM_CFLAGS.containsAll(List.of("-Wall", "-Wextra", "-Werror")), Packager.SHIM_CFLAGS.toString());
        Optional<Path> gcc = Packager.findTool("gcc", System.getenv());
        assertTrue(gcc.isPresent(), "gcc builds the shim (the warm-mode tests need it too)");
        Path c = dir.resolve("jcni-shim.c");
        try (InputStream in = Packager.class.getResourceAsStream("/dev/jcni/sdk/warm/jcni-shim.c")) {
            Files.write(c, in.readAllBytes());
        }
        // the shim, and the same source as a plugin's compiled entry point
        for (List<String> extra : List.of(List.<String>of(), Packager.ENTRY_CFLAGS)) {
            List<String> cmd = new ArrayList<>(List.of(gcc.get().toString()));
            cmd.addAll(Packager.SHIM_CFLAGS);
            cmd.addAll(extra);
            cmd.addAll(List.of("-o", dir.resolve("jcni-shim").toString(), c.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), extra + ": " + output);
            assertEquals("", output, extra + ": no warning");
        }
    }
}
