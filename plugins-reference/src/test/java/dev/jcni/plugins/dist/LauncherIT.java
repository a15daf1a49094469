package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launchers of the packaged distribution (target/cni), exec'd as a container runtime execs them. */
class LauncherIT {
    static final String VERSION_IN = "{\"cniVersion\":\"1.0.0\"}";

    static void assertVersionAnswer(Dist.Run r) {
        assertEquals(0, r.exitCode(), r.toString());
        PluginInfo info = PluginInfo.fromJson(r.stdout().getBytes(StandardCharsets.UTF_8));
        assertEquals("1.0.0", info.cniVersion());
        assertTrue(info.supportedVersions().contains("1.1.0"));
        assertEquals("", r.stderr(), "a clean run says nothing on stderr");
    }

    static CniException assertLauncherError(Dist.Run r, String msgPart) {
        assertEquals(1, r.exitCode(), r.toString());
        CniException e = r.error();
        assertEquals(999, e.code(), r.toString());
        assertTrue(e.msg().contains(msgPart), e.msg());
        assertTrue(r.stderr().contains(msgPart), r.stderr());
        return e;
    }

    @Test
    void everyPluginAnswersVersionWithAMinimalEnvironmentFromAnotherDirectory() {
        for (String plugin : List.of("host-local", "bridge", "ptp", "portmap", "firewall", "macvlan")) {
            assertVersionAnswer(Dist.cni(plugin, "VERSION", Map.of(), VERSION_IN));
        }
    }

    @Test
    void nothingOfTheBuildMachineIsInTheDistribution() throws IOException {
        String tree = Dist.bin().getParent().toString();
        String buildJava = System.getProperty("java.home");
        for (Path f : files(Dist.bin().getParent())) {
            String name = f.getFileName().toString();
            if (name.endsWith(".jar") || name.endsWith(".so") || name.endsWith(".jsa") || name.endsWith(".aot")
                    || name.equals("jcni-shim")) {
                continue;
            }
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            assertFalse(text.contains(tree), f + " names the build tree");
            assertFalse(text.contains(buildJava), f + " names the build's JVM");
        }
    }

    /** For every JVM the package was trained with: the plugin's main class comes out of the archive. */
    @Test
    void theTrainedArchiveIsUsedByEveryTrainedJvm(@TempDir Path dir) throws IOException {
        List<Path> trained = trainedJavaHomes();
        assertFalse(trained.isEmpty(), "the package phase trained no archive");
        for (Path home : trained) {
            Path log = dir.resolve("classes-" + home.getFileName() + ".log");
            Dist.Run r = Dist.cni("host-local", "VERSION", Map.of("JCNI_JAVA_HOME", home.toString(),
                    "JCNI_JAVA_OPTS", "-Xlog:class+load=info:file=" + log), VERSION_IN);
            assertVersionAnswer(r);
            String main = Files.readAllLines(log).stream().filter(l -> l.contains(" dev.jcni.plugins.hostlocal.HostLocal "))
                    .findFirst().orElseThrow(() -> new AssertionError("HostLocal not loaded with " + home));
            assertTrue(main.contains("shared objects file"), "not from the archive with " + home + ": " + main);
        }
    }

    @Test
    void anArchiveThatDoesNotMatchTheJvmIsIgnoredSilently(@TempDir Path dir) throws IOException {
        Path copy = copyDist(dir.resolve("dist"));
        List<Path> homes = trainedJavaHomes();
        assertFalse(homes.isEmpty(), "the package phase trained no archive: nothing to spoil");
        for (Path trained : homes) {
            // the bundled runtime: the copy's own (its archive is the distribution's _dist)
            boolean bundled = isBundled(trained);
            Path home = bundled ? copy.resolve("lib/runtime") : trained;
            Path archiveDir = copy.resolve("lib/archives").resolve(archiveDirName(trained));
            List<Path> spoiled = files(archiveDir);
            String offered = bundled ? "_dist." : "host-local-VERSION.";
            assertTrue(spoiled.stream().anyMatch(a -> a.getFileName().toString().startsWith(offered)),
                    "the archive these calls are offered (" + offered + ") is among those spoiled: " + spoiled);
            for (Path a : spoiled) {
                Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rw-r--r--"));
                Files.write(a, "not an archive".getBytes(StandardCharsets.US_ASCII));
            }
            Map<String, String> env = Map.of("JCNI_JAVA_HOME", home.toString(), "CNI_COMMAND", "VERSION");
            assertVersionAnswer(Dist.run(copy.resolve("bin/host-local"), env, VERSION_IN));
            Map<String, String> debug = new HashMap<>(env);
            debug.put("JCNI_LOG_LEVEL", "debug");
            Dist.Run r = Dist.run(copy.resolve("bin/host-local"), debug, VERSION_IN);
            assertEquals(0, r.exitCode(), r.toString());
            assertTrue(r.stderr().contains("start-up archive " + archiveDir),
                    "at debug level the launcher names the archive it offers the JVM: " + r.stderr());
            if (featureVersion(home) >= 25) {
                assertTrue(r.stderr().contains("[aot]"), "and the JVM says why it refused it: " + r.stderr());
            }
        }
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

    /**
     * A JVM whose release file gives an empty or odd JAVA_RUNTIME_VERSION, called from a working
     * directory holding files named as the archives of an empty version would be: no archive is
     * offered to the JVM (the JVM wrapper logs its arguments). A well-formed version, the JVM's own,
     * gets its trained archive.
     */
    @Test
    void onlyAWellFormedRuntimeVersionSelectsAnArchive(@TempDir Path dir) throws IOException {
        Path real = Path.of(System.getProperty("java.home"));
        String javaVersion = Files.readAllLines(real.resolve("release")).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                .findFirst().orElseThrow();
        Path cwd = Files.createDirectories(dir.resolve("cwd"));
        for (String planted : List.of(".jsa", "-VERSION.jsa", ".aot", "-VERSION.aot", "archives/host-local.jsa",
                "archives/host-local-VERSION.jsa")) {
            Files.createDirectories(cwd.resolve(planted).getParent());
            Files.writeString(cwd.resolve(planted), "planted");
        }
        String trained = runtimeVersion(real);
        // the package phase trains the bundled runtime only: a copy gets (unusable) archives named for this JVM, which is
        // all the launcher's choice looks at (an unusable one is ignored by the JVM)
        Path copy = copyDist(dir.resolve("dist"));
        Files.createDirectories(copy.resolve("lib/archives").resolve(trained));
        for (String ext : List.of("jsa", "aot")) {
            Files.writeString(copy.resolve("lib/archives").resolve(trained).resolve("host-local-VERSION." + ext), "planted");
        }
        List<String> cases = List.of("", "..", ".", "-XX", "+1", "17 rc", "x17", trained);
        for (String version : cases) {
            Path home = Files.createDirectories(dir.resolve("jdk-" + cases.indexOf(version)).resolve("bin")).getParent();
            Path args = home.resolve("args");
            Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\nprintf '%s\\n' \"$@\" > '" + args + "'\nexec '"
                    + real.resolve("bin/java") + "' \"$@\"\n");
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(home.resolve("release"), javaVersion + "\nJAVA_RUNTIME_VERSION=\"" + version + "\"\n");
            WarmDist.Run r = WarmDist.exec(List.of(copy.resolve("bin/host-local").toString()), Map.of("PATH",
                    "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND", "VERSION", "JCNI_JAVA_HOME", home.toString()),
                    VERSION_IN.getBytes(StandardCharsets.UTF_8), cwd);
            assertVersionAnswer(new Dist.Run(r.exitCode(), r.out(), r.err()));
            List<String> given = Files.readAllLines(args).stream().filter(a -> a.contains("SharedArchiveFile=")
                    || a.contains("AOTCache=")).toList();
            if (version.equals(trained)) {
                boolean aot = featureVersion(real) >= 25;
                assertEquals(List.of((aot ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + copy.toRealPath()
                        .resolve("lib/archives").resolve(trained).resolve("host-local-VERSION." + (aot ? "aot" : "jsa"))), given,
                        "the trained archive, by the JVM's version");
            } else {
                assertEquals(List.of(), given, "JAVA_RUNTIME_VERSION=\"" + version + "\": no archive");
            }
        }
    }

    /**
     * What the caller's working directory holds and its CDPATH change nothing: a file named as one of
     * the launcher's JVM options read as a pattern ({@code -Xlog:cds*=off:stderr}) is not substituted
     * for it, and cd follows no CDPATH to another lib directory (the launcher found through a relative
     * PATH entry, so its directory is relative).
     */
    @Test
    void theCallersWorkingDirectoryAndCdpathChangeNothing(@TempDir Path dir) throws IOException {
        Path copy = copyDist(dir.resolve("dist"));
        for (String option : List.of("-Xlog:cdsjunk=off:stderr", "-Xlog:aotjunk=off:stderr")) {
            Files.writeString(copy.resolve(option), "");
        }
        Files.createDirectories(dir.resolve("elsewhere/bin"));
        Files.createDirectories(dir.resolve("elsewhere/lib"));
        List<Path> homes = trainedJavaHomes();
        assertFalse(homes.isEmpty());
        for (Path home : homes) {
            // sh finds host-local through PATH's relative entry: the launcher's $0 is bin/host-local
            WarmDist.Run r = WarmDist.exec(List.of("sh", "-c", "exec host-local"), Map.of("PATH", "bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "CDPATH", dir.resolve("elsewhere").toString(), "CNI_COMMAND", "VERSION", "JCNI_JAVA_HOME", home.toString()),
                    VERSION_IN.getBytes(StandardCharsets.UTF_8), copy);
            assertVersionAnswer(new Dist.Run(r.exitCode(), r.out(), r.err()));
        }
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
    void aCopyOfBinWithoutItsJarsSaysSoInValidJson(@TempDir Path dir) throws IOException {
        Path exe = dir.resolve("host-local");
        Files.copy(Dist.exe("host-local"), exe, StandardCopyOption.COPY_ATTRIBUTES);
        CniException e = assertLauncherError(Dist.run(exe, Map.of("CNI_COMMAND", "VERSION"), VERSION_IN),
                "cannot find the jars of distribution reference");
        assertTrue(e.details().contains(dir.toString()), e.details());
    }

    @Test
    void symlinkedExecutablesFindTheirJars(@TempDir Path dir) throws IOException {
        Path link = dir.resolve("host-local");
        Files.createSymbolicLink(link, Dist.exe("host-local"));
        assertVersionAnswer(Dist.run(link, Map.of("CNI_COMMAND", "VERSION"), VERSION_IN));
    }

    @Test
    void aBrokenJavaHomeFallsBackButAnExplicitJcniJavaHomeIsObeyed() {
        assertVersionAnswer(Dist.cni("host-local", "VERSION", Map.of("JAVA_HOME", "/nonexistent"), VERSION_IN));
        assertVersionAnswer(Dist.cni("host-local", "VERSION", Map.of("JCNI_JAVA_HOME", System.getProperty("java.home")),
                VERSION_IN));
        CniException e = assertLauncherError(Dist.cni("host-local", "VERSION", Map.of("JCNI_JAVA_HOME", "/nonexistent"),
                VERSION_IN), "no usable Java 17 or newer in /nonexistent");
        assertTrue(e.msg().contains("JCNI_JAVA_HOME"), e.msg());
    }

    @Test
    void aJavaOlderThan17IsRefusedWithAClearErrorJson(@TempDir Path dir) throws IOException {
        Path home = fakeJavaHome(dir.resolve("jdk-11"), "11.0.2");
        CniException e = assertLauncherError(Dist.cni("host-local", "ADD", Map.of("JCNI_JAVA_HOME", home.toString()),
                "{\"cniVersion\":\"0.4.0\",\"name\":\"n\"}"), "no usable Java 17 or newer");
        assertTrue(e.details().contains("found Java 11.0.2"), e.details());
        assertTrue(Dist.cni("host-local", "ADD", Map.of("JCNI_JAVA_HOME", home.toString()), "{\"cniVersion\":\"0.4.0\"}")
                .stdout().contains("\"cniVersion\": \"0.4.0\""), "the error states the configuration's version");
    }

    /** With no JVM anywhere (the JVM directories hidden in a private mount namespace): valid JSON even with a hostile PATH. */
    @Test
    @KernelTest
    void noJavaAnywhereGivesAClearErrorJsonThatStaysValidWithQuotesAndNewlines(@TempDir Path dir) throws IOException {
        String hostile = dir + "/a\"b\\c\nd\te";
        String script = "mount -t tmpfs none /usr/lib/jvm && exec \"$0\"";
        // a distribution without a runtime of its own (jcni package --runtime none)
        Path copy = copyDist(dir.resolve("dist"));
        deleteTree(copy.resolve("lib/runtime"));
        Map<String, String> env = new LinkedHashMap<>();
        // not VERSION: the shim answers that without a JVM (issue 22)
        env.put("CNI_COMMAND", "ADD");
        env.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin:" + hostile);
        Path wrapper = dir.resolve("hide-jvms");
        Files.writeString(wrapper, "#!/bin/sh\nexec unshare -m --propagation private sh -c '" + script + "' "
                + copy.resolve("bin/host-local") + "\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        Dist.Run r = Dist.run(wrapper, env, VERSION_IN);
        CniException e = assertLauncherError(r, "no Java runtime found");
        assertTrue(e.details().contains(hostile), "the details carry PATH intact: " + e.details());
        assertEquals("1.0.0", Dist.run(wrapper, env, VERSION_IN).stdout().replaceAll("(?s).*\"cniVersion\": \"([^\"]*)\".*", "$1"));
    }

    @Test
    void installPutsTheDistributionBesideTheExecutablesTrainsItAndUninstalls(@TempDir Path dir) throws Exception {
        Path install = Dist.bin().getParent().resolve("install.sh");
        String id = Files.readAllLines(Dist.bin().getParent().resolve("lib/jcni-dist.properties")).get(0).substring(3);
        Path other = Files.writeString(dir.resolve("someone-elses-plugin"), "#!/bin/sh\n");
        // under umask 000: what install.sh and the training it runs create is still writable by the installer alone
        Process p = new ProcessBuilder("sh", "-c", "umask 000 && exec \"$0\" --bin-dir \"$1\"", install.toString(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Path home = dir.resolve("jcni-lib/reference");
        assertEquals(id, Files.readSymbolicLink(home.resolve("current")).toString());
        for (String exe : List.of("bridge", "ptp", "host-local", "portmap", "jcni")) {
            assertArrayEquals(Files.readAllBytes(Dist.exe(exe)), Files.readAllBytes(dir.resolve(exe)), exe);
        }
        assertTrue(Files.isRegularFile(home.resolve(id).resolve("jcni-dist.properties")));
        Path archives = home.resolve(id).resolve("archives");
        assertEquals(1, files(archives).stream().map(Path::getParent).distinct().count(),
                "trained for the one JVM the launchers pick here: " + files(archives));
        assertTrue(InstallIT.assertRootsAlone(home) > files(archives).size(), "the archives were checked too");
        for (String exe : List.of("bridge", "ptp", "host-local", "portmap", "jcni")) {
            InstallIT.assertRootsAlone(dir.resolve(exe));
        }
        Path log = dir.resolve("classes.log");
        Dist.Run r = Dist.run(dir.resolve("host-local"), Map.of("CNI_COMMAND", "VERSION",
                "JCNI_JAVA_OPTS", "-Xlog:class+load=info:file=" + log), VERSION_IN);
        assertVersionAnswer(r);
        assertTrue(Files.readAllLines(log).stream().anyMatch(l -> l.contains(" dev.jcni.plugins.hostlocal.HostLocal ")
                && l.contains("shared objects file")), "the installed copy uses its archive");

        Process u = new ProcessBuilder(install.toString(), "--uninstall", "--bin-dir", dir.toString()).redirectErrorStream(true)
                .start();
        String uout = new String(u.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, u.waitFor(), uout);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(other, log).stream().sorted().toList(), s.sorted().toList(), "only what was not ours stays");
        }
    }

    @Test
    void theNativeLibraryIsShippedExtractedSoNothingIsUnpackedIntoTmp(@TempDir Path dir) throws IOException {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path store = dir.resolve("store");
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"stub\",\"type\":\"host-local\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + store + "\",\"subnet\":\"10.244.0.0/24\"}}";
        Map<String, String> env = Map.of("CNI_CONTAINERID", "c1", "CNI_NETNS", "/run/netns/x", "CNI_IFNAME", "eth0",
                "JCNI_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
        Dist.Run r = Dist.cni("host-local", "ADD", env, conf);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(Files.isRegularFile(Dist.bin().getParent().resolve("lib/native/linux-" + System.getProperty("os.arch")
                + "/libjcni-sys.so")));
        assertEquals(List.of(), files(tmp), "host-local's flock loaded the native library without unpacking anything");
        Dist.cni("host-local", "DEL", env, conf).assertQuietSuccess();
    }

    /**
     * In-process delegation: ptp's IPAM delegate host-local is a launcher of the same distribution,
     * so it runs inside ptp's JVM. Proof: with host-local's launcher not executable, ADD still works,
     * and gives the same result, errors and codes as when the delegate is exec'd (a JVM told it belongs
     * to another distribution execs it).
     */
    @Test
    @KernelTest
    void delegatesOfTheSameDistributionRunInProcessWithExactlyAnExecsOutcome(@TempDir Path dir) throws IOException {
        Path copy = copyDist(dir.resolve("dist"));
        try (Fixture f = new Fixture()) {
            f.cniPath = copy.resolve("bin").toString();
            TestNetns ns = f.netns();
            Map<String, String> env = f.env("c1", ns, "eth0");
            String conf = f.conf("1.0.0", "ptp", "", f.ipam4());
            Map<String, String> exec = new HashMap<>(env);
            exec.put("JCNI_JAVA_OPTS", "-Djcni.dist.id=another-distribution");

            Result inProcess = Dist.cni("ptp", "ADD", env, conf).result();
            Dist.cni("ptp", "DEL", env, conf).assertQuietSuccess();
            f.clearStore();
            Result execd = Dist.cni("ptp", "ADD", exec, conf).result();
            Dist.cni("ptp", "DEL", exec, conf).assertQuietSuccess();
            assertEquals(inProcess.ips(), execd.ips());
            assertEquals(inProcess.routes(), execd.routes());

            String badIpam = f.conf("1.0.0", "ptp", "", "{\"type\":\"host-local\",\"dataDir\":\"" + f.dataDir
                    + "\",\"subnet\":\"10.300.0.0/24\"}");
            Dist.Run a = Dist.cni("ptp", "ADD", env, badIpam);
            Dist.Run b = Dist.cni("ptp", "ADD", exec, badIpam);
            assertEquals(b.exitCode(), a.exitCode());
            assertEquals(b.stdout(), a.stdout(), "a failing delegate: the same error JSON in-process and exec'd");

            Files.setPosixFilePermissions(copy.resolve("bin/host-local"), PosixFilePermissions.fromString("rw-r--r--"));
            Dist.cni("ptp", "ADD", env, conf).result();
            Dist.cni("ptp", "DEL", env, conf).assertQuietSuccess();
            CniException notRun = Dist.cni("ptp", "ADD", exec, conf).error();
            assertTrue(notRun.msg().contains("ermission denied"), "exec'd, a non-executable delegate fails: " + notRun.msg());
        }
    }

    /** A delegate that is not a jcni launcher (Go's host-local) is exec'd as before. */
    @Test
    @KernelTest
    void aDelegateThatIsNotAJcniLauncherIsExecd() {
        try (Fixture f = new Fixture()) {
            f.cniPath = Fixture.GO + ":" + Dist.bin();
            TestNetns ns = f.netns();
            Map<String, String> env = f.env("c2", ns, "eth0");
            String conf = f.conf("1.0.0", "ptp", "", f.ipam4());
            Result r = Fixture.jcni("ptp", "ADD", env, conf).result();
            assertEquals(f.prefix4 + "2", r.ips().get(0).address().address().getHostAddress());
            Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The Java homes whose runtime version has an archive directory in target/cni/lib/archives. */
    static List<Path> trainedJavaHomes() throws IOException {
        Path archives = Dist.bin().getParent().resolve("lib/archives");
        List<Path> homes = new ArrayList<>();
        if (Files.isDirectory(archives.resolve("runtime"))) {
            homes.add(Dist.bin().getParent().resolve("lib/runtime"));
        }
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(System.getProperty("java.home")));
        try (Stream<Path> s = Files.list(Path.of("/usr/lib/jvm"))) {
            s.forEach(candidates::add);
        }
        List<String> seen = new ArrayList<>();
        for (Path c : candidates) {
            if (!Files.isRegularFile(c.resolve("release"))) {
                continue;
            }
            String v = runtimeVersion(c);
            if (Files.isDirectory(archives.resolve(v)) && !seen.contains(v)) {
                seen.add(v);
                homes.add(c);
            }
        }
        return homes;
    }

    /** Whether a Java home is the distribution's own runtime (lib/runtime). */
    static boolean isBundled(Path javaHome) throws IOException {
        Path bundled = Dist.bin().getParent().resolve("lib/runtime");
        return Files.exists(bundled) && Files.isSameFile(javaHome, bundled);
    }

    /** The directory under lib/archives of a Java home's archives: runtime for the bundled one, else its runtime version. */
    static String archiveDirName(Path javaHome) throws IOException {
        return isBundled(javaHome) ? "runtime" : runtimeVersion(javaHome);
    }

    static String runtimeVersion(Path javaHome) throws IOException {
        return Files.readAllLines(javaHome.resolve("release")).stream().filter(l -> l.startsWith("JAVA_RUNTIME_VERSION="))
                .map(l -> l.substring(l.indexOf('=') + 1).replace("\"", "")).findFirst().orElse("");
    }

    private static Path fakeJavaHome(Path home, String version) throws IOException {
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\necho 'Exception in thread main' >&2\nexit 1\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\nJAVA_RUNTIME_VERSION=\"" + version + "+7\"\n");
        return home;
    }

    /** A copy of target/cni (symlinks kept) that a test may change. */
    static Path copyDist(Path target) throws IOException {
        Path source = Dist.bin().getParent();
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(d)));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file)), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
        return target;
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static int featureVersion(Path javaHome) throws IOException {
        String v = Files.readAllLines(javaHome.resolve("release")).stream().filter(l -> l.startsWith("JAVA_VERSION="))
                .map(l -> l.substring(l.indexOf('=') + 1).replace("\"", "")).findFirst().orElse("0");
        return Integer.parseInt(v.split("\\.")[0]);
    }
}
