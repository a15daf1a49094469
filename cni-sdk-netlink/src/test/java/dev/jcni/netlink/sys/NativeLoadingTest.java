package dev.jcni.netlink.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading of jcni's JNI library, observed in child JVMs (a JVM loads it once).
 * {@code java.io.tmpdir} points at a missing directory, as a stand-in for a noexec /tmp: unpacking
 * there fails, and jcni's settings must make it work.
 */
class NativeLoadingTest {
    @TempDir
    Path tmp;

    record Result(int exit, String out) {
    }

    static Result child(Map<String, String> env, List<String> jvmOptions, String mode) throws IOException,
            InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(ChildMain.class.getName());
        cmd.addAll(List.of(mode.split(" ")));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new java.io.File("/proc"));
        pb.environment().remove(Native.EXTRACT_ENV);
        pb.environment().remove(Native.DIR_ENV);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void withoutConfigurationABrokenTmpdirBreaksLoadingAndTheErrorSaysWhatToSet() throws Exception {
        Result r = child(Map.of(), List.of("-Djava.io.tmpdir=/proc/no-such-dir"), "load");
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains(Native.EXTRACT_ENV), "the error names jcni's setting: " + r.out());
    }

    @Test
    void extractionDirectoryFromSystemPropertyAndNothingIsLeftThere() throws Exception {
        Path dir = tmp.resolve("native-prop");
        Result r = child(Map.of(), List.of("-Djava.io.tmpdir=/proc/no-such-dir", "-D" + Native.EXTRACT_PROPERTY + "=" + dir),
                "load");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("pid true"), r.out());
        assertTrue(r.out().contains("mapped " + dir + "/jcni-sys-"), r.out());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "the unpacked copy is deleted once loaded");
        }
    }

    @Test
    void extractionDirectoryFromEnvironment() throws Exception {
        Path dir = tmp.resolve("native-env");
        Result r = child(Map.of(Native.EXTRACT_ENV, dir.toString()), List.of("-Djava.io.tmpdir=/proc/no-such-dir"), "load");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("pid true"), r.out());
        assertTrue(r.out().contains("mapped " + dir + "/jcni-sys-"), r.out());
    }

    @Test
    void aPreExtractedLibraryIsLoadedWhereItIs() throws Exception {
        Path dir = tmp.resolve("native");
        String arch = System.getProperty("os.arch");
        Path so = Files.createDirectories(dir.resolve("linux-" + arch)).resolve(Native.LIBRARY);
        try (InputStream in = Native.class.getResourceAsStream("native/linux-" + arch + "/" + Native.LIBRARY)) {
            Files.copy(in, so);
        }
        Result r = child(Map.of(Native.DIR_ENV, dir.toString()), List.of("-Djava.io.tmpdir=/proc/no-such-dir"), "load");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("pid true"), r.out());
        assertTrue(r.out().contains("mapped " + so), r.out());
    }

    @Test
    @dev.jcni.sdk.testsupport.KernelTest
    void worksFromTheModulePath() throws Exception {
        List<String> modules = new ArrayList<>();
        String testClasses = null;
        for (String e : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(java.io.File.pathSeparator)) {
            if (e.endsWith("test-classes")) {
                testClasses = e;
            } else if (e.matches(".*(jackson|cni-sdk-0[^/]*\\.jar$|/classes$).*") && !e.contains("tests")) {
                modules.add(e);
            }
        }
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-p", String.join(java.io.File.pathSeparator, modules), "--add-modules", "dev.jcni.netlink",
                "-cp", testClasses, "dev.jcni.netlinkmp.ModulePathMain");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), modules + "\n" + out);
        assertTrue(out.contains("module dev.jcni.netlink lo=1"), out);
    }

    @Test
    @dev.jcni.sdk.testsupport.KernelTest
    void aThreadThatCannotReturnToItsNamespaceHaltsTheJvm() throws Exception {
        String name = dev.jcni.sdk.testsupport.Kernel.uniqueName("jcnih-");
        try {
            Result r = child(Map.of(), List.of(), "restore-fail " + name);
            assertEquals(dev.jcni.netns.NetNs.RESTORE_FAILURE_EXIT_STATUS, r.exit(), r.out());
            assertTrue(r.out().contains("cannot return to its network namespace"), r.out());
            assertFalse(r.out().contains("after: still running"), r.out());
        } finally {
            dev.jcni.sdk.testsupport.Kernel.exec("ip", "netns", "del", name);
        }
    }

    @Test
    void codeThatDoesNotTouchTheKernelNeverLoadsTheNativeLibrary() throws Exception {
        Result r = child(Map.of(), List.of(), "lazy");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("loaded false"), r.out());
        assertTrue(r.out().contains("sysctl net/ipv4/ip_forward"), r.out());
        assertFalse(r.out().contains("mapped "), "no jcni-sys mapping: " + r.out());
    }
}
