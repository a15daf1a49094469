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
import java.util.stream.Collectors;
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
        String filled = Packager.launcher("d", "i", "n", "m", "plugin", Packager.classPathExpression(List.of("a.jar")), "");
        assertTrue(filled.startsWith("#!/bin/sh\n# jcni-launcher dist=d id=i main=m kind=plugin\n"), filled.substring(0, 80));
        assertTrue(filled.contains("\nmain='m'\n"), filled);
    }

    /** What sh makes of a launcher's assignments: each value exactly as given. */
    @Test
    void theLauncherAssignsEveryValueExactlyANestedClassIncluded() throws Exception {
        String main = "a.b.Outer$Inner$Most";
        String text = Packager.launcher("d", "0123abc", "my-plugin", main, "plugin",
                Packager.classPathExpression(List.of("x.jar", "y+1.jar")), "-Xss512k");
        String assignments = text.lines().filter(l -> l.matches("(name|dist|id|kind|main)=.*")).collect(Collectors.joining("\n"));
        String script = assignments + "\nlib='/opt/a b'\nprintf '%s|' \"$name\" \"$dist\" \"$id\" \"$kind\" \"$main\" "
                + text.lines().filter(l -> l.startsWith("set -- -cp ")).findFirst().orElseThrow()
                        .replaceAll("set -- -cp (\\S+) .*", "$1");
        assertEquals("my-plugin|d|0123abc|plugin|" + main + "|/opt/a b/x.jar:/opt/a b/y+1.jar|", sh(script));
    }

    @Test
    void shQuotedValuesComeBackExactlyAndUnrepresentableOnesAreRefused() throws Exception {
        for (String v : List.of("", "a.B$C", "it's", "'", "a b", "`id` $(id) ${x} \\ \" * ? [a] ~ # ; & |")) {
            assertEquals(v, sh("printf '%s' " + Packager.shQuote(v)), v);
        }
        for (String bad : List.of("a\nb", "a\rb", "a\tb", "a\u0000b", "\u001b[31m")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Packager.shQuote(bad));
            assertTrue(e.getMessage().contains("control characters"), e.getMessage());
        }
    }

    private static String sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
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

    @Test
    void aJvmOfAnotherArchitectureIsNotTrainedAndDoesNotFailThePackage(@TempDir Path dir) throws IOException {
        String foreign = System.getProperty("os.arch").equals("s390x") ? "aarch64" : "s390x";
        Path home = Files.createDirectories(dir.resolve("jvm-" + foreign));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.21\"\nOS_ARCH=\"" + foreign + "\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'cannot execute binary file' >&2\nexit 126\n");
        java.toFile().setExecutable(true);
        Path jar = dir.resolve("x.jar");
        Packager.jarDirectory(Files.createDirectories(dir.resolve("c")), jar);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Packager.run(List.of("--name", "d", "--out", dir.resolve("o").toString(), "--class-path",
                jar.toString(), "--plugin", "p=a.B", "--no-shim", "--runtime", "none", "--java", home.toString()),
                Map.of("PATH", "/usr/bin:/bin"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String all = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, all);
        assertTrue(all.contains("not training " + home + ": a JVM for " + foreign + ", this machine is "
                + Packager.architecture(Path.of(System.getProperty("java.home")))), all);
    }
}
