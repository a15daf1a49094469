package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.plugins.Dist;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.LauncherMarker;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.testsupport.WarmDist.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin's compiled entry point (issue 22): bin/PLUGIN is the shim built with {@code -DJCNI_ENTRY}
 * (jcni-shim.c), its identity appended, and its sh launcher is lib/launchers/PLUGIN. A warm call and a
 * VERSION the shim answers start no shell; each condition that makes the sh launcher go cold makes the
 * entry point exec that launcher. The launcher is replaced by a trap for most tests here (a script that
 * records its arguments and environment and fails): a call that reaches it is seen, one that must not
 * reach it would fail.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EntryPointIT {
    private static final String PLUGIN = "host-local";
    private static final String MAIN = "dev.jcni.plugins.hostlocal.HostLocal";

    @TempDir
    static Path dir;
    static WarmDist dist;
    static Path launcher;
    static Path saved;
    static Path trapped;

    @BeforeAll
    void start() throws IOException {
        dist = WarmDist.create(dir.resolve("dist"), Map.of(PLUGIN, MAIN), Dist.referenceClassPath());
        dist.startDaemon();
        launcher = dist.dir().resolve("lib/launchers").resolve(PLUGIN).toRealPath();
        saved = dir.resolve("launcher.saved");
        trapped = dir.resolve("trapped");
        // the plugin's VERSION answer, recorded as jcni package records it when it trains (not here: --no-train)
        Path version = Files.createDirectories(dist.dir().resolve("lib/version")).resolve(PLUGIN + ".json");
        Run v = WarmDist.exec(List.of(launcher.toString(), "--jcni-cold"), Map.of("CNI_COMMAND", "VERSION", "PATH", "/usr/bin:/bin"),
                "{}".getBytes(StandardCharsets.UTF_8), dir);
        assertEquals(0, v.exitCode(), v.toString());
        Files.write(version, v.stdout());
    }

    @AfterAll
    void stop() {
        if (dist != null) {
            dist.close();
        }
    }

    /** Replaces the sh launcher by a trap that writes its arguments and environment to {@link #trapped} and exits 3. */
    private static void setTrap() throws IOException {
        if (!Files.exists(saved)) {
            Files.copy(launcher, saved, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.deleteIfExists(trapped);
        Files.writeString(launcher, "#!/bin/sh\n{ printf 'arg %s\\n' \"$0\" \"$@\"; env | sed 's/^/env /'; } > '" + trapped
                + "'\nexit 3\n");
    }

    private static void removeTrap() throws IOException {
        Files.copy(saved, launcher, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        Files.deleteIfExists(trapped);
    }

    private static Map<String, String> env(String... kv) {
        return LauncherWarmColdIT.version(kv);
    }

    private static byte[] versionIn() {
        return LauncherWarmColdIT.versionIn();
    }

    private static void assertVersion(Run r) {
        LauncherWarmColdIT.assertVersion(r);
    }

    private static JsonNode assertCniError(Run r, String msgPart) throws IOException {
        assertEquals(1, r.exitCode(), r.toString());
        JsonNode n = Json.parse(r.stdout());
        assertEquals(999, n.path("code").asInt(), r.toString());
        assertTrue(n.path("msg").asText().contains(msgPart), r.toString());
        assertEquals("1.0.0", n.path("cniVersion").asText(), "the configuration's version: " + r);
        return n;
    }

    /** The trap's lines, its $0 as its real path. */
    private static List<String> trappedLines() throws IOException {
        assertTrue(Files.exists(trapped), "the sh launcher ran");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(trapped));
        lines.set(0, "arg " + Path.of(lines.get(0).substring(4)).toRealPath());
        return lines;
    }

    @Test
    @Order(1)
    void binIsAnElfEntryPointCarryingTheLaunchersIdentity() throws IOException {
        byte[] bin = Files.readAllBytes(dist.launcher(PLUGIN));
        assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, Arrays.copyOf(bin, 4), "bin/" + PLUGIN + " is an ELF file");
        assertEquals("dist=" + dist.name() + " id=" + dist.id() + " main=" + MAIN + " kind=plugin name=" + PLUGIN,
                LauncherMarker.of(dist.launcher(PLUGIN)).orElseThrow(), "its last line is the marker");
        String sh = Files.readString(launcher);
        assertTrue(sh.startsWith("#!/bin/sh\n# jcni-launcher dist=" + dist.name() + " id=" + dist.id() + " main=" + MAIN
                + " kind=plugin\n"), sh.substring(0, 120));
        assertEquals(LauncherMarker.of(launcher).orElseThrow() + " name=" + PLUGIN, LauncherMarker.of(dist.launcher(PLUGIN)).orElseThrow());
    }

    /**
     * A call the daemon serves and a VERSION the entry point answers itself, with the sh launcher a
     * trap: neither reaches it (the old bin/PLUGIN was that sh launcher).
     */
    @Test
    @Order(2)
    void aWarmCallAndAVersionAnswerStartNoShell() throws IOException {
        setTrap();
        try {
            // JCNI_LOG_LEVEL: not the common VERSION case, so the daemon answers it
            Run warm = dist.warm(PLUGIN, env("JCNI_LOG_LEVEL", "info", "JCNI_WARM_DEBUG", "1"), versionIn(), dir);
            assertVersion(warm);
            assertFalse(Files.exists(trapped), "no sh launcher: " + warm);
            long end = System.nanoTime() + 10_000_000_000L;
            while (!dist.servedWarm(warm) && System.nanoTime() < end) {
                sleep();
            }
            assertTrue(dist.servedWarm(warm), "the daemon served the entry point's call: " + dist.daemonLog());

            Run own = dist.warm(PLUGIN, env("JCNI_WARM_DEBUG", "1"), versionIn(), dir);
            assertVersion(own);
            assertEquals("", own.err(), own.toString());
            assertFalse(Files.exists(trapped), "no sh launcher: " + own);
            assertFalse(dist.servedWarm(own), "answered by the entry point itself: " + dist.daemonLog());
        } finally {
            removeTrap();
        }
    }

    /** Each condition under which the sh launcher goes cold makes the entry point exec it, environment intact. */
    @Test
    @Order(3)
    void eachColdConditionExecsTheShLauncher() throws IOException {
        setTrap();
        try {
            List<String[]> jvmSettings = List.of(new String[] {"JCNI_JAVA_HOME", "/x"}, new String[] {"JCNI_JAVA_OPTS", "-Dx=1"},
                    new String[] {"JAVA_TOOL_OPTIONS", ""}, new String[] {"_JAVA_OPTIONS", ""}, new String[] {"JDK_JAVA_OPTIONS", ""});
            for (String[] s : jvmSettings) {
                Run r = dist.warm(PLUGIN, env("CNI_COMMAND", "ADD", s[0], s[1], "JCNI_WARM_DEBUG", "1"), versionIn(), dir);
                assertEquals(3, r.exitCode(), s[0] + ": " + r);
                assertTrue(r.err().contains("jcni " + PLUGIN + ": going cold: " + s[0] + " is set"), s[0] + ": " + r);
                List<String> lines = trappedLines();
                assertEquals(List.of("arg " + launcher, "arg --jcni-cold"), lines.subList(0, 2), s[0]);
                assertTrue(lines.contains("env " + s[0] + "=" + s[1]), s[0] + ": " + lines);
                Files.delete(trapped);
            }
            // an empty JCNI_JAVA_HOME or JCNI_JAVA_OPTS chooses nothing: warm (the sh launcher tests -z)
            Run unset = dist.warm(PLUGIN, env("JCNI_JAVA_HOME", "", "JCNI_JAVA_OPTS", "", "JCNI_LOG_LEVEL", "info"), versionIn(), dir);
            assertVersion(unset);
            assertFalse(Files.exists(trapped), unset.toString());

            Run off = dist.warm(PLUGIN, env("CNI_COMMAND", "ADD", "JCNI_WARM", "off"), versionIn(), dir);
            assertEquals(3, off.exitCode(), off.toString());
            assertEquals(List.of("arg " + launcher, "arg --jcni-cold"), trappedLines().subList(0, 2));
            assertTrue(trappedLines().contains("env JCNI_WARM=off"));
            Files.delete(trapped);

            for (List<String> args : List.of(List.of("--jcni-cold"), List.of("--jcni-train"), List.of("--jcni-train-one", "all"))) {
                Run r = WarmDist.exec(Stream.concat(Stream.of(dist.launcher(PLUGIN).toString()), args.stream()).toList(),
                        env(), versionIn(), dir);
                assertEquals(3, r.exitCode(), args + ": " + r);
                List<String> expected = Stream.concat(Stream.of("arg " + launcher), args.stream().map(a -> "arg " + a)).toList();
                assertEquals(expected, trappedLines().subList(0, expected.size()), "argv unchanged: " + args);
                Files.delete(trapped);
            }
        } finally {
            removeTrap();
        }
    }

    /** The cold path through the entry point still runs the plugin's JVM: its answer is the JVM's own. */
    @Test
    @Order(4)
    void theColdPathStillWorks() {
        Run r = dist.warm(PLUGIN, env("JCNI_JAVA_HOME", System.getProperty("java.home"), "JCNI_LOG_LEVEL", "debug"), versionIn(), dir);
        assertVersion(r);
        assertTrue(r.err().contains("jcni " + PLUGIN + ": Java "), "the sh launcher chose a JVM: " + r);
        assertFalse(dist.servedWarm(r), r.toString());
    }

    /**
     * Reached through a symbolic link, and in install.sh's layout (DIR/PLUGIN beside
     * DIR/jcni-lib/DIST/ID), the entry point finds its lib directory: it answers VERSION from there, and
     * its sh launcher (found there) runs the JVM on the jars there.
     */
    @Test
    @Order(5)
    void aSymlinkAndInstallShsLayoutFindTheJars() throws IOException {
        Path links = Files.createDirectories(dir.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve(PLUGIN), dist.launcher(PLUGIN));
        assertVersion(WarmDist.exec(List.of(link.toString()), env("PATH", "/usr/bin:/bin"), versionIn(), dir));
        assertVersion(WarmDist.exec(List.of(link.toString()), env("PATH", "/usr/bin:/bin", "JCNI_JAVA_HOME",
                System.getProperty("java.home")), versionIn(), dir));

        Path installed = Files.createDirectories(dir.resolve("opt-cni-bin"));
        Path lib = installed.resolve("jcni-lib").resolve(dist.name()).resolve(dist.id());
        copyTree(dist.dir().resolve("lib"), lib);
        Files.copy(dist.launcher(PLUGIN), installed.resolve(PLUGIN), StandardCopyOption.COPY_ATTRIBUTES);
        // a copy, not a link: the installed lib is the only one it can find
        Run own = WarmDist.exec(List.of(installed.resolve(PLUGIN).toString()), env("PATH", "/usr/bin:/bin"), versionIn(), dir);
        assertVersion(own);
        Run cold = WarmDist.exec(List.of(installed.resolve(PLUGIN).toString()), env("PATH", "/usr/bin:/bin",
                "JCNI_JAVA_HOME", System.getProperty("java.home"), "JCNI_LOG_LEVEL", "debug"), versionIn(), dir);
        assertVersion(cold);
        assertTrue(cold.err().contains("jcni " + PLUGIN + ": Java "), cold.toString());
        assertTrue(cold.err().contains(lib.toRealPath().toString()), "the JVM of the installed lib: " + cold);
    }

    /** What the entry point cannot run gives a CNI error JSON on stdout (the configuration's version) and exit 1. */
    @Test
    @Order(6)
    void aBrokenDistributionGivesACniErrorJson() throws IOException {
        Path alone = Files.createDirectories(dir.resolve("alone"));
        Path copy = alone.resolve(PLUGIN);
        Files.copy(dist.launcher(PLUGIN), copy, StandardCopyOption.COPY_ATTRIBUTES);
        JsonNode e = assertCniError(WarmDist.exec(List.of(copy.toString()), env("CNI_COMMAND", "ADD"), versionIn(), dir),
                "jcni " + PLUGIN + ": cannot find the jars of distribution " + dist.name() + " (" + dist.id() + ")");
        assertTrue(e.path("details").asText().contains(alone.toString()), e.toString());

        // its identity cut off: it cannot know which distribution it belongs to
        byte[] bytes = Files.readAllBytes(dist.launcher(PLUGIN));
        Path cut = dist.dir().resolve("bin/cut");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 10));
        Files.setPosixFilePermissions(cut, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            assertCniError(WarmDist.exec(List.of(cut.toString()), env(), versionIn(), dir), "carries no launcher identity");
        } finally {
            Files.delete(cut);
        }

        // the sh launcher missing, on the cold path
        Files.move(launcher, saved, StandardCopyOption.REPLACE_EXISTING);
        try {
            assertCniError(dist.warm(PLUGIN, env("CNI_COMMAND", "ADD", "JCNI_WARM", "off"), versionIn(), dir),
                    "cannot start the launcher of the cold path");
        } finally {
            Files.move(saved, launcher);
        }
    }

    /** With no daemon (no socket), a call other than VERSION goes to the sh launcher. */
    @Test
    @Order(7)
    void withoutTheDaemonACallGoesCold() throws IOException {
        dist.stopDaemon();
        setTrap();
        try {
            Run r = dist.warm(PLUGIN, env("CNI_COMMAND", "ADD"), versionIn(), dir);
            assertEquals(3, r.exitCode(), r.toString());
            assertEquals(List.of("arg " + launcher, "arg --jcni-cold"), trappedLines().subList(0, 2));
            Files.delete(trapped);
            // VERSION: the entry point answers the common case itself, daemon or not
            assertVersion(dist.warm(PLUGIN, env(), versionIn(), dir));
            assertFalse(Files.exists(trapped));
        } finally {
            removeTrap();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
