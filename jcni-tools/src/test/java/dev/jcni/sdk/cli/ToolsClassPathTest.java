package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * cni-sdk's runtime jar has no packaging code: {@code jcni package} and {@code jcni conformance} come from
 * jcni-tools and the test kit, through the CLI's ServiceLoader, and every distribution carries them at the
 * end of its class path (its launchers train with the trainer, its jcni command offers them).
 */
class ToolsClassPathTest {
    private static int jcni(List<String> args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        return Main.run(args.toArray(String[]::new), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void cniSdkHasNoPackagingCode() {
        var launcher = Main.class.getResource("/dev/jcni/sdk/cli/dist/launcher.sh");
        assertTrue(launcher != null && launcher.toString().contains("jcni-tools"), String.valueOf(launcher));
        String tools = Packager.class.getProtectionDomain().getCodeSource().getLocation().toString();
        String sdk = Main.class.getProtectionDomain().getCodeSource().getLocation().toString();
        assertTrue(!tools.equals(sdk) && tools.contains("jcni-tools"), tools + " / " + sdk);
    }

    @Test
    void jcniPackageAndConformanceAreCommandsOfTheCli() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, jcni(List.of("--help"), out, err));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("  package --name DIST") && help.contains("  conformance "), help);
        out.reset();
        assertEquals(2, jcni(List.of("package"), out, err));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: jcni package"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aDistributionCarriesTheToolsAtTheEndOfItsClassPath(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("plugin.jar");
        Packager.jarDirectory(Files.createDirectories(dir.resolve("c")), jar);
        Path out = dir.resolve("dist");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = jcni(List.of("package", "--name", "d", "--out", out.toString(), "--class-path", jar.toString(),
                "--plugin", "p=a.B", "--no-train", "--no-shim", "--runtime", "none"), new ByteArrayOutputStream(), err);
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        Properties p = new Properties();
        try (var in = Files.newInputStream(out.resolve("lib/jcni-dist.properties"))) {
            p.load(in);
        }
        List<String> cp = List.of(p.getProperty("class-path").split(" "));
        assertEquals("plugin.jar", cp.get(0));
        assertTrue(cp.stream().anyMatch(j -> j.startsWith("jcni-tools")), cp.toString());
        assertTrue(cp.stream().anyMatch(j -> j.startsWith("jcni-test-kit")), cp.toString());
        for (String j : cp) {
            assertTrue(Files.isRegularFile(out.resolve("lib").resolve(j)), j);
        }
        String launcher = Files.readString(Packager.shLauncher(out, "p"));
        // each jar single-quoted after the quoted lib directory (Packager.classPathExpression)
        assertTrue(launcher.contains("\"$lib\"/'plugin.jar':\"$lib\"/'jcni-tools"), launcher);
    }
}
