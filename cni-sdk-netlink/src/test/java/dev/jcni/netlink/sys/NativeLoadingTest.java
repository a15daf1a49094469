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

    // ------------------------------------------------------------ architectures (issue 21)

    @Test
    void anArchitectureWithoutALibraryIsNamedWithTheOnesThatAreBuilt() throws Exception {
        Result r = child(Map.of(), List.of("-Dos.arch=sparcv9"), "load");
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("built for linux amd64, aarch64, ppc64le, s390x, riscv64"), r.out());
        assertTrue(r.out().contains("os.arch) is sparcv9"), r.out());
        assertTrue(r.out().contains(Native.DIR_ENV), "says how to bring one: " + r.out());
    }

    @Test
    void x86_64IsAnotherNameForAmd64() throws Exception {
        assertEquals("amd64", Native.arch("x86_64"));
        assertEquals("aarch64", Native.arch("AArch64"));
        Result r = child(Map.of(), List.of("-Dos.arch=x86_64", "-D" + Native.EXTRACT_PROPERTY + "=" + tmp), "load");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("pid true"), r.out());
    }

    /** The build's ELF check (src/build/ElfCheck.java), run on this build's libraries and on a wrong one. */
    static Result elfCheck(Path dir) throws IOException, InterruptedException {
        Path script = Path.of(System.getProperty("user.dir"), "src", "build", "ElfCheck.java");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                script.toString(), dir.toString()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Path builtLibraries() throws Exception {
        return Path.of(Native.class.getResource("native/linux-amd64/" + Native.LIBRARY).toURI()).getParent()
                .getParent();
    }

    @Test
    void theJarCarriesALibraryOfTheRightMachineForEachArchitecture() throws Exception {
        for (String arch : Native.ARCHITECTURES) {
            assertTrue(Native.class.getResource("native/linux-" + arch + "/" + Native.LIBRARY) != null, arch);
        }
        Result r = elfCheck(builtLibraries());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("[aarch64, amd64, ppc64le, riscv64, s390x] are 64-bit ELF"), r.out());
    }

    @Test
    void theBuildsElfCheckRejectsALibraryOfAnotherMachineOrByteOrder() throws Exception {
        Path built = builtLibraries();
        Path dir = tmp.resolve("wrong");
        for (String arch : Native.ARCHITECTURES) {
            Files.createDirectories(dir.resolve("linux-" + arch));
            Files.copy(built.resolve("linux-" + arch).resolve(Native.LIBRARY), dir.resolve("linux-" + arch)
                    .resolve(Native.LIBRARY));
        }
        Files.copy(built.resolve("linux-amd64").resolve(Native.LIBRARY),
                dir.resolve("linux-aarch64").resolve(Native.LIBRARY), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(built.resolve("linux-ppc64le").resolve(Native.LIBRARY),
                dir.resolve("linux-s390x").resolve(Native.LIBRARY), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.delete(dir.resolve("linux-riscv64").resolve(Native.LIBRARY));
        Result r = elfCheck(dir);
        assertEquals(1, r.exit(), r.out());
        assertTrue(r.out().contains("linux-aarch64/libjcni-sys.so: ELF machine 62, expected 183 (AArch64)"), r.out());
        assertTrue(r.out().contains("linux-s390x/libjcni-sys.so: byte order LITTLE_ENDIAN (EI_DATA 1), expected BIG_ENDIAN"),
                r.out());
        assertTrue(r.out().contains("linux-riscv64/libjcni-sys.so: missing"), r.out());
        assertTrue(!r.out().contains("linux-amd64/libjcni-sys.so:"), "the right ones pass: " + r.out());
    }
}
