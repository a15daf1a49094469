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
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loading of jnr-ffi and jffi's native stub, observed in child JVMs (a JVM loads them once).
 * {@code java.io.tmpdir} points at a missing directory, as a stand-in for a noexec /tmp: jffi's
 * default extraction then fails, and jcni's settings must make it work.
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
        // cwd /proc: jffi's last fallback (unpacking into the working directory) fails too
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(new java.io.File("/proc"));
        pb.environment().remove("JCNI_JFFI_EXTRACT_DIR");
        pb.environment().remove("JCNI_JFFI_LIBRARY_PATH");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    String brokenTmp() {
        return "-Djava.io.tmpdir=" + tmp.resolve("no-such-tmp");
    }

    @Test
    void withoutConfigurationABrokenTmpdirBreaksLoading() throws Exception {
        Result r = child(Map.of(), List.of(brokenTmp()), "load");
        assertNotEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("JCNI_JFFI_EXTRACT_DIR"), "the error names jcni's setting: " + r.out());
    }

    @Test
    void extractionDirectoryFromSystemProperty() throws Exception {
        Path dir = tmp.resolve("jffi-prop");
        Result r = child(Map.of(), List.of(brokenTmp(), "-Djcni.jffi.extract.dir=" + dir), "load");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("pid true"), r.out());
        assertTrue(r.out().contains("jnr.ffi.asm.enabled=null"), "library code sets no jnr-ffi property: " + r.out());
        assertTrue(r.out().contains("mapped " + dir + "/jffi"), r.out());
    }

    @Test
    void extractionDirectoryFromEnvironment() throws Exception {
        Path dir = tmp.resolve("jffi-env");
        Result r = child(Map.of("JCNI_JFFI_EXTRACT_DIR", dir.toString()), List.of(brokenTmp()), "load");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("pid true"), r.out());
        assertTrue(r.out().contains("mapped " + dir + "/jffi"), r.out());
    }

    @Test
    void preExtractedStub() throws Exception {
        Path lib = tmp.resolve("native");
        Files.createDirectories(lib);
        String jar = null;
        for (String e : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(java.io.File.pathSeparator)) {
            if (e.contains("jffi") && e.endsWith("-native.jar")) {
                jar = e;
            }
        }
        try (ZipFile z = new ZipFile(jar)) {
            ZipEntry entry = z.getEntry("jni/x86_64-Linux/libjffi-1.2.so");
            try (InputStream in = z.getInputStream(entry)) {
                Files.copy(in, lib.resolve("libjffi-1.2.so"));
            }
        }
        Result r = child(Map.of("JCNI_JFFI_LIBRARY_PATH", lib.toString()), List.of(brokenTmp()), "load");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("pid true"), r.out());
        assertTrue(r.out().contains("mapped " + lib.resolve("libjffi-1.2.so")), r.out());
    }

    static String modulePathRun(String... jvmOptions) throws Exception {
        List<String> modules = new ArrayList<>();
        String testClasses = null;
        for (String e : System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                .split(java.io.File.pathSeparator)) {
            if (e.endsWith("test-classes") && e.contains("cni-sdk-netlink")) {
                testClasses = e;
            } else if (e.matches(".*(jnr|jffi|asm|jackson|cni-sdk-0[^/]*\\.jar$|/classes$).*") && !e.contains("tests")) {
                modules.add(e);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-p", String.join(java.io.File.pathSeparator, modules), "--add-modules", "dev.jcni.netlink",
                "-cp", testClasses, "dev.jcni.netlinkmp.ModulePathMain"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return "exit " + p.exitValue() + "\n" + modules + "\n" + out;
    }

    /** The libc binding is not exported: jnr-ffi's reflection invoker (the launchers' choice) needs nothing more. */
    @Test
    @dev.jcni.sdk.testsupport.KernelTest
    void worksFromTheModulePathWithTheBindingHidden() throws Exception {
        String out = modulePathRun("-Djnr.ffi.asm.enabled=false");
        assertTrue(out.startsWith("exit 0\n"), out);
        assertTrue(out.contains("module dev.jcni.netlink lo=1"), out);
    }

    /** jnr-ffi's generated code needs the binding exported to its class loader; the error says how. */
    @Test
    @dev.jcni.sdk.testsupport.KernelTest
    void generatedCodeOnTheModulePathNeedsTheExportAndSaysSo() throws Exception {
        String hidden = modulePathRun("-Djnr.ffi.asm.enabled=true");
        assertFalse(hidden.startsWith("exit 0\n"), hidden);
        assertTrue(hidden.contains("--add-exports dev.jcni.netlink/dev.jcni.netlink.sys=ALL-UNNAMED"), hidden);
        String exported = modulePathRun("-Djnr.ffi.asm.enabled=true", "--add-exports",
                "dev.jcni.netlink/dev.jcni.netlink.sys=ALL-UNNAMED");
        assertTrue(exported.contains("module dev.jcni.netlink lo=1"), exported);
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
    void codeThatDoesNotTouchTheKernelNeverLoadsJnrFfi() throws Exception {
        Result r = child(Map.of(), List.of("-verbose:class"), "lazy");
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("loaded false"), r.out());
        assertTrue(r.out().contains("sysctl net/ipv4/ip_forward"), r.out());
        assertFalse(r.out().contains("jnr.ffi."), "no jnr-ffi class loaded");
        assertFalse(r.out().contains("com.kenai.jffi"), "no jffi class loaded");
    }
}
