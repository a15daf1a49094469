package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jcni package}'s bundled runtime: its options and the modules it links. */
class BundledRuntimeTest {
    private static final List<String> BASE = List.of("--name", "d", "--out", "o", "--class-path", "x.jar", "--plugin", "p=a.B");

    private static Packager.Spec parse(String... more) {
        List<String> args = new java.util.ArrayList<>(BASE);
        args.addAll(List.of(more));
        return Packager.parse(args);
    }

    @Test
    void theRuntimeOptionsAreParsed() {
        Packager.Spec defaults = parse();
        assertEquals(BundledRuntime.Mode.AUTO, defaults.runtime());
        assertEquals(Optional.empty(), defaults.jmods());
        assertEquals(List.of(), defaults.runtimeModules());
        assertEquals(BundledRuntime.Mode.JLINK, parse("--runtime", "jlink").runtime());
        assertEquals(BundledRuntime.Mode.NONE, parse("--runtime", "none").runtime());
        assertEquals(BundledRuntime.Mode.AUTO, parse("--runtime", "auto").runtime());
        Packager.Spec s = parse("--jmods", "/x/jmods", "--runtime-modules", "java.sql, jdk.httpserver");
        assertEquals(Optional.of(Path.of("/x/jmods")), s.jmods());
        assertEquals(List.of("java.sql", "jdk.httpserver"), s.runtimeModules());
    }

    @Test
    void badRuntimeOptionsAreUsageErrors() {
        for (List<String> more : List.of(List.of("--runtime", "jre"), List.of("--runtime"), List.of("--jmods"),
                List.of("--runtime-modules", "java.sql,no way"), List.of("--runtime-modules", ""),
                List.of("--runtime", "none", "--jmods", "/x"), List.of("--runtime", "none", "--runtime-modules", "java.sql"))) {
            List<String> args = new java.util.ArrayList<>(BASE);
            args.addAll(more);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Packager.run(args, Map.of(), new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, status, more + ": " + err);
            assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: jcni package"), err.toString());
        }
    }

    /** jdeps' summary: the JDK's modules only, jackson-databind's optional ones dropped unless another entry needs them. */
    @Test
    void theModuleListIsWhatTheEntriesNeedLessJacksonsOptionalModules() {
        Set<String> jdk = Set.of("java.base", "java.sql", "java.xml", "java.desktop", "java.logging", "jdk.httpserver");
        String summary = String.join("\n",
                "plugins-0.1.jar -> cni-sdk-0.1.jar",
                "plugins-0.1.jar -> java.base",
                "jackson-databind-2.21.4.jar -> java.desktop",
                "jackson-databind-2.21.4.jar -> java.sql",
                "jackson-databind-2.21.4.jar -> java.xml",
                "jackson-databind-2.21.4.jar -> jackson-core-2.21.4.jar",
                "jcni-test-kit.jar -> not found",
                "");
        assertEquals(List.of("java.base"), BundledRuntime.moduleList(summary, jdk, List.of()));
        assertEquals(List.of("java.base", "java.logging", "java.sql"),
                BundledRuntime.moduleList(summary + "plugins-0.1.jar -> java.sql\nplugins-0.1.jar -> java.logging\n", jdk, List.of()));
        assertEquals(List.of("java.base", "jdk.httpserver"), BundledRuntime.moduleList(summary, jdk, List.of("jdk.httpserver")));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> BundledRuntime.moduleList(summary, jdk, List.of("jdk.nonexistent")));
        assertTrue(e.getMessage().contains("jdk.nonexistent"), e.getMessage());
    }

    @Test
    void jlinkIsGivenTheJmodsTheModulesAndStripsAndCompresses() {
        BundledRuntime.Jdk jdk = new BundledRuntime.Jdk(Path.of("/jdk/bin/jlink"), Path.of("/jdk/bin/jdeps"),
                Path.of("/arm64/jmods"), 17);
        List<String> cmd = BundledRuntime.jlinkCommand(jdk, List.of("java.base", "java.sql"), Path.of("/out/rt"), false);
        assertEquals(List.of("/jdk/bin/jlink", "--module-path", "/arm64/jmods", "--add-modules", "java.base,java.sql",
                "--strip-debug", "--no-header-files", "--no-man-pages", "--compress=2", "--output", "/out/rt"), cmd);
        assertTrue(BundledRuntime.jlinkCommand(jdk, List.of("java.base"), Path.of("/o"), true).contains("--generate-cds-archive"));
    }

    /** The machine's JDK (with jmods): the real jdeps finds the modules a class on the class path refers to. */
    @Test
    void jdepsFindsTheModulesOfAClassOnTheClassPath(@TempDir Path dir) throws IOException {
        Optional<BundledRuntime.Jdk> jdk = BundledRuntime.findJdk(Optional.empty(), Map.of("PATH", "/usr/bin:/bin"));
        assertTrue(jdk.isPresent(), "no JDK with jlink and jmods on this machine (Debian: openjdk-17-jdk-headless)");
        Path classes = Files.createDirectories(dir.resolve("c"));
        Path src = Files.writeString(dir.resolve("UsesSql.java"),
                "public class UsesSql { java.sql.Timestamp t; java.util.logging.Logger l; }");
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), src.toString()));
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Packager.jarDirectory(classes, lib.resolve("uses-sql.jar"));
        List<String> modules = BundledRuntime.modules(jdk.get(), lib, List.of("uses-sql.jar"), List.of());
        assertEquals(List.of("java.base", "java.logging", "java.sql"), modules);
        assertEquals(Packager.architecture(Path.of(System.getProperty("java.home"))), BundledRuntime.targetArchitecture(jdk.get()),
                "the machine's own jmods are for its architecture");
    }

    /** --jmods DIR: java.base's version is read from its JMOD file (the module system cannot open JMODs at run time). */
    @Test
    void aJmodsDirectorysJavaVersionIsReadFromItsJavaBase(@TempDir Path dir) throws IOException {
        Optional<BundledRuntime.Jdk> jdk = BundledRuntime.findJdk(Optional.empty(), Map.of("PATH", "/usr/bin:/bin"));
        assertTrue(jdk.isPresent(), "no JDK with jlink and jmods on this machine (Debian: openjdk-17-jdk-headless)");
        assertEquals(jdk.get().feature(), BundledRuntime.jmodsFeature(jdk.get().jmods()));
        assertEquals("java.base", BundledRuntime.jmodDescriptor(jdk.get().jmods().resolve("java.base.jmod")).name());
        Optional<BundledRuntime.Jdk> given = BundledRuntime.findJdk(Optional.of(jdk.get().jmods()), Map.of("PATH", "/usr/bin:/bin"));
        assertEquals(jdk.get().jmods(), given.orElseThrow().jmods());
        Path notJmod = Files.createDirectories(dir.resolve("jmods")).resolve("java.base.jmod");
        Files.writeString(notJmod, "PK not a jmod");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BundledRuntime.jmodsFeature(notJmod.getParent()));
        assertTrue(e.getMessage().contains("is not a JMOD file"), e.getMessage());
    }

    private static Path fakeHome(Path home) throws IOException {
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nexit 1\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.1\"\n");
        return home;
    }

    /**
     * {@code jcni package} run by a distribution's bin/jcni runs on that distribution's bundled runtime,
     * which holds that distribution's modules only: it is no JVM to train another distribution for.
     */
    @Test
    void anotherDistributionsBundledRuntimeIsNoJvmToTrainFor(@TempDir Path dir) throws IOException {
        Path lib = Files.createDirectories(dir.resolve("other/lib"));
        Files.writeString(lib.resolve("jcni-dist.properties"), "id=0123\n");
        Path bundled = fakeHome(lib.resolve("runtime"));
        Path plain = fakeHome(dir.resolve("jdk-17"));
        assertFalse(Packager.javaHomes(Map.of("JAVA_HOME", bundled.toString())).contains(bundled));
        assertTrue(Packager.javaHomes(Map.of("JAVA_HOME", plain.toString())).contains(plain));
    }
}
