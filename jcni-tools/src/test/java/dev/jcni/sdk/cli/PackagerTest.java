package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackagerTest {

    @Test
    void aPlaceholderWithoutAValueIsAnErrorNeverLeftInTheOutput() {
        assertEquals("a=x b@c d@", Packager.fill("a=@A@ b@c d@", Map.of("A", "x"), "t"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Packager.fill("x @MISSING@", Map.of(), "launcher.sh"));
        assertTrue(e.getMessage().contains("@MISSING@"), e.getMessage());
    }

    @Test
    void theLauncherTemplateHasAValueForEveryPlaceholder() throws IOException {
        String text;
        try (var in = Packager.class.getResourceAsStream("/dev/jcni/sdk/cli/dist/launcher.sh")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String filled = Packager.fill(text, Map.of("NAME", "n", "DIST", "d", "ID", "i", "MAIN", "m", "KIND", "plugin",
                "CLASSPATH", "$lib/a.jar", "JAVA_OPTS", "", "MIN_JAVA", "17"), "launcher.sh");
        assertTrue(filled.startsWith("#!/bin/sh\n# jcni-launcher dist=d id=i main=m kind=plugin\n"), filled.substring(0, 80));
    }

    @Test
    void badCommandLinesAreUsageErrors() {
        for (List<String> args : List.<List<String>>of(List.of(), List.of("--name", "x"),
                List.of("--name", "a b", "--out", "o", "--class-path", "x.jar", "--plugin", "p=a.B"),
                List.of("--name", "d", "--out", "o", "--class-path", "x.jar", "--plugin", "p=not a class"),
                List.of("--name", "d", "--out", "o", "--class-path", "x.jar", "--plugin", "p=a.B", "--command", "p=a.C"),
                List.of("--name", "d", "--out", "o", "--class-path", "x.jar", "--plugin", "p=a.B", "--training", "q=f.json"),
                List.of("--name", "d", "--out", "o", "--class-path", "x.jar", "--plugin", "p=a.B", "--bogus"))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Packager.run(args, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, status, args + ": " + err);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: jcni package"), err.toString());
        }
    }

    @Test
    void aDirectoryOnTheClassPathBecomesTheSameJarEveryTime(@TempDir Path dir) throws IOException {
        Path classes = Files.createDirectories(dir.resolve("m/target/classes/a/b"));
        Files.writeString(classes.resolve("C.class"), "not really a class");
        Files.writeString(dir.resolve("m/target/classes/x.properties"), "k=v");
        Path j1 = dir.resolve("one.jar");
        Path j2 = dir.resolve("two.jar");
        Packager.jarDirectory(dir.resolve("m/target/classes"), j1);
        Files.setLastModifiedTime(classes.resolve("C.class"), java.nio.file.attribute.FileTime.fromMillis(12345));
        Packager.jarDirectory(dir.resolve("m/target/classes"), j2);
        assertArrayEquals(Files.readAllBytes(j1), Files.readAllBytes(j2));
        try (var jf = new java.util.jar.JarFile(j1.toFile())) {
            assertTrue(jf.getEntry("a/b/C.class") != null && jf.getEntry("x.properties") != null);
        }
    }

    @Test
    void anOutputDirectoryThatIsNotADistributionIsNotReplaced(@TempDir Path dir) throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path precious = Files.writeString(out.resolve("precious.txt"), "keep");
        Path jar = dir.resolve("x.jar");
        Packager.jarDirectory(Files.createDirectories(dir.resolve("c")), jar);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Packager.run(List.of("--name", "d", "--out", out.toString(), "--class-path", jar.toString(),
                "--plugin", "p=a.B", "--no-train", "--no-shim"), Map.of(), new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is not a jcni distribution"), err.toString());
        assertEquals("keep", Files.readString(precious));
    }

    @Test
    void theDistributionIdChangesWithTheJarsAndOnlyWithThem(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("x.jar");
        Files.writeString(jar, "one");
        Packager.Spec spec = Packager.parse(List.of("--name", "d", "--out", dir.resolve("o").toString(), "--class-path",
                jar.toString(), "--plugin", "p=a.B"));
        String a = Packager.distributionId(spec, dir, List.of("x.jar"));
        assertEquals(a, Packager.distributionId(spec, dir, List.of("x.jar")));
        Files.writeString(jar, "two");
        assertTrue(!a.equals(Packager.distributionId(spec, dir, List.of("x.jar"))));
        assertTrue(a.matches("[0-9a-f]{24}"), a);
    }
}
