package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.version.PluginInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launchers in target/cni/bin, exec'd as a container runtime execs them. */
class LauncherIT {
    static final String VERSION_IN = "{\"cniVersion\":\"1.0.0\"}";

    static void assertVersionAnswer(Dist.Run r) {
        assertEquals(0, r.exitCode(), r.toString());
        PluginInfo info = PluginInfo.fromJson(r.stdout().getBytes(StandardCharsets.UTF_8));
        assertEquals("1.0.0", info.cniVersion());
        assertTrue(info.supportedVersions().contains("1.1.0"));
        assertEquals("", r.stderr(), "a clean run says nothing on stderr");
    }

    @Test
    void everyPluginAnswersVersionWithAMinimalEnvironmentFromAnotherDirectory() {
        for (String plugin : List.of("host-local", "bridge", "ptp", "portmap")) {
            assertVersionAnswer(Dist.cni(plugin, "VERSION", Map.of(), VERSION_IN));
        }
    }

    @Test
    void theClassDataSharingArchiveIsUsed() {
        Dist.Run r = Dist.cni("host-local", "VERSION", Map.of("JCNI_JAVA_OPTS", "-Xshare:on"), VERSION_IN);
        assertVersionAnswer(r);
    }

    /**
     * Runs host-local through its launcher with {@code env -i}: no locale, no PATH, nothing but the
     * CNI variables. The interface name is given as bytes (printf escapes), so this JVM's own locale
     * plays no part.
     */
    static Dist.Run withoutLocale(String ifNameOctal, Path data) throws Exception {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"envtest\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\""
                + data + "\",\"ranges\":[[{\"subnet\":\"10.250.7.0/24\"}]]}}";
        String script = "exec env -i CNI_COMMAND=ADD CNI_CONTAINERID=c1 CNI_NETNS=/run/netns/jcni-none CNI_IFNAME=\"$(printf '"
                + ifNameOctal + "')\" " + Dist.exe("host-local");
        Process p = new ProcessBuilder("sh", "-c", script).start();
        p.getOutputStream().write(conf.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        return new Dist.Run(p.exitValue(), out, err);
    }

    /** The environment is read as UTF-8 bytes whatever the locale, and the 15-byte rule counts bytes as the kernel does. */
    @Test
    void aFifteenByteUtf8InterfaceNameIsAcceptedWithoutALocale(@TempDir Path data) throws Exception {
        String seven = "\\303\\251".repeat(7);
        Dist.Run ok = withoutLocale(seven + "x", data);
        assertEquals(0, ok.exitCode(), ok.toString());
        byte[] reservation = Files.readAllBytes(data.resolve("envtest").resolve("10.250.7.2"));
        String name = "\u00e9".repeat(7) + "x";
        assertTrue(new String(reservation, StandardCharsets.UTF_8).endsWith(name), "the reservation names the interface as given");

        Dist.Run tooLong = withoutLocale(seven + "xy", data);
        assertEquals(1, tooLong.exitCode(), tooLong.toString());
        assertEquals("interface name is too long", tooLong.error().msg());
    }

    @Test
    void badInputGivesTheErrorJsonOnStdout() {
        Dist.Run r = Dist.cni("host-local", "ADD", Map.of("CNI_CONTAINERID", "c1", "CNI_NETNS", "/run/netns/x", "CNI_IFNAME", "eth0"),
                "{\"cniVersion\":\"1.0.0\"");
        assertEquals(1, r.exitCode());
        CniException e = r.error();
        assertEquals(6, e.code());
        assertTrue(!r.stdout().contains("Exception"));
    }

    @Test
    void copiesOfBinWorkWithoutTheLibFolderBesideThem(@TempDir Path dir) throws IOException {
        for (Path f : list(Dist.bin())) {
            Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
        }
        assertVersionAnswer(Dist.run(dir.resolve("host-local"), Map.of("CNI_COMMAND", "VERSION"), VERSION_IN));
    }

    @Test
    void installScriptPutsJarsBesideTheExecutablesAndRemakesTheArchive(@TempDir Path dir) throws Exception {
        Path install = Dist.bin().getParent().resolve("install.sh");
        Process p = new ProcessBuilder(install.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(Files.isRegularFile(dir.resolve("jcni-lib/jcni.jsa")), out);
        Dist.Run r = Dist.run(dir.resolve("host-local"), Map.of("CNI_COMMAND", "VERSION", "JCNI_JAVA_OPTS", "-Xshare:on"), VERSION_IN);
        assertVersionAnswer(r);
    }

    @Test
    void symlinkedExecutablesFindTheirJars(@TempDir Path dir) throws IOException {
        Path link = dir.resolve("host-local");
        Files.createSymbolicLink(link, Dist.exe("host-local"));
        assertVersionAnswer(Dist.run(link, Map.of("CNI_COMMAND", "VERSION"), VERSION_IN));
    }

    @Test
    void javaHomeIsPreferredAndABrokenOneFallsBack() {
        assertVersionAnswer(Dist.cni("host-local", "VERSION", Map.of("JAVA_HOME", "/nonexistent"), VERSION_IN));
        assertVersionAnswer(Dist.cni("host-local", "VERSION", Map.of("JAVA_HOME", System.getProperty("java.home")), VERSION_IN));
    }

    @Test
    void noJavaAnywhereGivesAClearErrorJson(@TempDir Path dir) throws IOException {
        String text = Files.readString(Dist.exe("host-local"));
        String buildJava = System.getProperty("java.home") + "/bin/java";
        Path exe = dir.resolve("host-local");
        Files.writeString(exe, text.replace(buildJava, "/nonexistent/java").replace("\"$bindir/../lib\"", "\"$bindir/../lib\""));
        exe.toFile().setExecutable(true);
        Dist.Run r = Dist.run(exe, Map.of("CNI_COMMAND", "VERSION", "PATH", dir.toString()), VERSION_IN);
        assertEquals(1, r.exitCode());
        CniException e = r.error();
        assertEquals(999, e.code());
        assertTrue(e.msg().contains("no Java runtime found"), e.msg());
        assertTrue(r.stderr().contains("no Java runtime found"));
    }

    @Test
    void theNativeStubIsShippedExtractedSoNothingIsUnpackedIntoTmp(@TempDir Path dir) throws IOException {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path store = dir.resolve("store");
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"stub\",\"type\":\"host-local\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + store + "\",\"subnet\":\"10.244.0.0/24\"}}";
        Map<String, String> env = Map.of("CNI_CONTAINERID", "c1", "CNI_NETNS", "/run/netns/x", "CNI_IFNAME", "eth0",
                "JCNI_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        Dist.Run r = Dist.cni("host-local", "ADD", env, conf);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.isRegularFile(Dist.bin().getParent().resolve("lib/jni/x86_64-Linux/libjffi-1.2.so")));
        assertEquals(List.of(), list(tmp), "host-local's flock loaded jffi without unpacking anything");
        Dist.cni("host-local", "DEL", env, conf).assertQuietSuccess();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
