package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.ip.State;
import dev.jcni.sdk.cli.NodeImage;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.types.Result;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other architectures' JVMs under qemu-user on this (amd64) machine (docs/architectures.md):
 * Debian's arm64 and s390x JREs, unpacked privately by .ci/foreign-jvms.sh into
 * {@code $JCNI_FOREIGN_ROOT} (default /var/cache/jcni/foreign-jvms).
 *
 * <p>arm64: a distribution packaged here with {@code jcni package --arch arm64 --jmods ...} (the
 * aarch64 JNI library only, the shim cross-compiled, an aarch64 Java runtime linked by this
 * machine's jlink from Debian's arm64 JDK modules, not trained) under a name of its own: a node
 * without Java, its launchers and daemon on the bundled runtime (no JCNI_JAVA_HOME). On it: ptp + host-local ADD, CHECK and DEL on
 * a scratch namespace, cold (an arm64 JVM per call); VERSION and bridge (ipMasq) ADD, CHECK and DEL
 * warm, through the aarch64 shim and the daemon (whose JVM runs under qemu too); and the
 * conformance kit on ptp, served warm; VERSION answered by the aarch64 shim itself (no JVM). Warm where it can be: a cold call under qemu costs about 20
 * times a warm one. Each step's time is printed (the figures in docs/architectures.md), never
 * asserted.
 *
 * <p>s390x (big-endian): VERSION, the codec's bytes in the host's order, the library loaded and
 * entering a namespace, and dumps of addresses and routes, which qemu-user translates between byte
 * orders faithfully; its translation of link messages is not faithful (the answer to a link
 * request is printed, not asserted), so s390x's link calls are not tested here.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ForeignArchIT {
    /** Made anew for each test (this class has one instance for all). */
    Fixture f;
    @TempDir
    static Path tmp;
    /** The arm64 distribution, packaged on first use; its daemon started on first use. */
    private WarmDist arm64;
    private boolean arm64Daemon;

    @BeforeEach
    void fixture() {
        f = new Fixture();
    }

    @AfterEach
    void cleanUp() {
        f.close();
    }

    @AfterAll
    void stopArm64() {
        if (arm64 != null) {
            arm64.close();
        }
    }

    static Path root() {
        String r = System.getenv("JCNI_FOREIGN_ROOT");
        return Path.of(r == null || r.isBlank() ? "/var/cache/jcni/foreign-jvms" : r);
    }

    /** QEMU_LD_PREFIX and JCNI_JAVA_HOME for Debian's JRE of {@code debArch}. */
    static Map<String, String> jvm(String debArch) {
        Path sysroot = root().resolve(debArch);
        Path home = sysroot.resolve("usr/lib/jvm/java-17-openjdk-" + debArch);
        assumeTrue(Files.isExecutable(home.resolve("bin/java")), "no " + debArch + " JVM in " + sysroot
                + ": run .ci/foreign-jvms.sh (test.sh does)");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QEMU_LD_PREFIX", sysroot.toString());
        env.put("JCNI_JAVA_HOME", home.toString());
        env.put("JCNI_LOG_LEVEL", "debug");
        return env;
    }

    static void assertVersion(Dist.Run r, Map<String, String> jvm) {
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("\"supportedVersions\""), r.stdout());
        assertTrue(r.stderr().contains("in " + jvm.get("JCNI_JAVA_HOME") + ";"), "ran by that JVM: " + r.stderr());
    }

    static void took(String what, long startNanos) {
        System.out.printf("ForeignArchIT timing: %s %.1f s%n", what, (System.nanoTime() - startNanos) / 1e9);
    }

    /**
     * The arm64 distribution: the reference distribution's plugins and jars, packaged with
     * {@code --arch arm64} and arm64's jmods: its launchers run its own aarch64 runtime.
     */
    WarmDist arm64Dist() throws IOException {
        Map<String, String> jvm = jvm("arm64");
        if (arm64 == null) {
            Path refLib = Dist.bin().resolveSibling("lib");
            Map<String, String> plugins = new TreeMap<>();
            for (String l : Files.readAllLines(refLib.resolve("jcni-dist.properties"))) {
                if (l.startsWith("plugin.")) {
                    plugins.put(l.substring("plugin.".length(), l.indexOf('=')), l.substring(l.indexOf('=') + 1));
                }
            }
            long t = System.nanoTime();
            arm64 = WarmDist.create(tmp.resolve("arm64"), "jcniarm" + Kernel.uniqueName("").substring(0, 6), plugins,
                    Dist.referenceClassPath(), List.of("--arch", "arm64", "--runtime", "jlink", "--jmods", arm64Jmods().toString()));
            took("jcni package --arch arm64 (jlink runtime from arm64's jmods)", t);
        }
        return arm64;
    }

    /** The environment of a call of the arm64 distribution: qemu's sysroot and the CNI variables. */
    Map<String, String> arm64Env(String cid, TestNetns ns) throws IOException {
        Map<String, String> env = new LinkedHashMap<>(f.env(cid, ns, "eth0"));
        env.put("CNI_PATH", arm64Dist().dir().resolve("bin").toString());
        env.put("QEMU_LD_PREFIX", jvm("arm64").get("QEMU_LD_PREFIX"));
        env.put("JCNI_LOG_LEVEL", "debug");
        return env;
    }

    Dist.Run arm64Cold(String plugin, String command, Map<String, String> env, String conf) throws IOException {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("CNI_COMMAND", command);
        long t = System.nanoTime();
        Dist.Run r = Dist.run(arm64Dist().launcher(plugin), e, conf);
        took("cold " + plugin + " " + command, t);
        return r;
    }

    /** Debian's arm64 JDK modules, unpacked beside its JRE by .ci/foreign-jvms.sh. */
    static Path arm64Jmods() {
        Path jmods = Path.of(jvm("arm64").get("JCNI_JAVA_HOME")).resolve("jmods");
        assumeTrue(Files.isRegularFile(jmods.resolve("java.base.jmod")), "no arm64 jmods in " + jmods + ": run .ci/foreign-jvms.sh (test.sh does)");
        return jmods;
    }

    void assertRanOnArm64(Dist.Run r) throws IOException {
        Path runtime = arm64Dist().dir().resolve("lib/runtime");
        assertTrue(r.stderr().contains("in " + runtime + ";"), "ran by the distribution's arm64 runtime: " + r.stderr());
    }

    @Test
    void arm64DistributionIsForArm64Only() throws IOException {
        WarmDist d = arm64Dist();
        try (Stream<Path> s = Files.list(d.dir().resolve("lib/native"))) {
            assertEquals(List.of("linux-aarch64"), s.map(p -> p.getFileName().toString()).toList());
        }
        byte[] shim = Files.readAllBytes(d.shim());
        assertEquals(List.of(0x7f, (int) 'E', (int) 'L', (int) 'F', 2, 1), List.of((int) shim[0], (int) shim[1], (int) shim[2], (int) shim[3],
                (int) shim[4], (int) shim[5]), "a 64-bit little-endian ELF file");
        assertEquals(183, (shim[19] & 0xff) << 8 | shim[18] & 0xff, "e_machine AArch64");
        byte[] java = Files.readAllBytes(d.dir().resolve("lib/runtime/bin/java"));
        assertEquals(183, (java[19] & 0xff) << 8 | java[18] & 0xff, "the bundled runtime's java: e_machine AArch64");
        assertTrue(Files.readString(d.dir().resolve("lib/runtime/release")).contains("OS_ARCH=\"aarch64\""), "its release names aarch64");
        assertFalse(Files.exists(d.dir().resolve("lib/archives")), "not trained on this machine");
    }

    @Test
    void arm64PtpAndHostLocalAddCheckDelOnTheKernel() throws IOException {
        TestNetns ns = f.netns();
        Map<String, String> env = arm64Env("c1", ns);
        String conf = f.conf("1.0.0", "ptp", "", f.ipam4());
        Dist.Run add = arm64Cold("ptp", "ADD", env, conf);
        assertRanOnArm64(add);
        Result r = add.result();
        assertEquals("eth0", r.interfaces().get(1).name());
        assertEquals(f.prefix4 + "2/24", r.ips().get(0).address().toString());
        List<String> cont = State.container(ns);
        assertTrue(cont.contains("route default via " + f.prefix4 + "1 dev eth0") || cont.stream().anyMatch(
                l -> l.startsWith("route " + f.subnet4 + " via " + f.prefix4 + "1 dev eth0")), cont.toString());
        assertTrue(State.hostRoutesAndAddrs(f.prefix4).contains("route " + f.prefix4 + "2 dev vethX scope host"),
                State.hostRoutesAndAddrs(f.prefix4).toString());

        arm64Cold("ptp", "CHECK", env, Fixture.withPrev(conf, r)).assertQuietSuccess();
        arm64Cold("ptp", "DEL", env, conf).assertQuietSuccess();
        assertEquals(List.of(), State.hostRoutesAndAddrs(f.prefix4));
        assertTrue(f.store().keySet().stream().noneMatch(k -> k.startsWith("10.")), f.store().toString());
        assertTrue(ns.exec("ip", "link", "show", "eth0").exitCode() != 0, "eth0 is gone");
    }

    /** The arm64 daemon, started once: its JVM runs under qemu-user, like the shim that calls it. */
    WarmDist arm64Warm() throws IOException {
        WarmDist d = arm64Dist();
        if (!arm64Daemon) {
            long t = System.nanoTime();
            d.startDaemon(Map.of("QEMU_LD_PREFIX", jvm("arm64").get("QEMU_LD_PREFIX")));
            took("the arm64 daemon's start", t);
            arm64Daemon = true;
        }
        return d;
    }

    /** Runs an arm64 launcher warm (through the shim) and asserts that the daemon served it. */
    WarmDist.Run arm64WarmCall(String plugin, String command, Map<String, String> env, String conf) throws IOException {
        WarmDist d = arm64Warm();
        Map<String, String> e = new LinkedHashMap<>(env);
        e.remove("JCNI_LOG_LEVEL");
        e.put("JCNI_WARM_DEBUG", "1");
        e.put("CNI_COMMAND", command);
        long t = System.nanoTime();
        WarmDist.Run r = d.warm(plugin, e, conf.getBytes(StandardCharsets.UTF_8), tmp);
        took("warm " + plugin + " " + command, t);
        assertTrue(d.servedWarm(r), "served by the arm64 daemon: " + r + "\n" + d.daemonLog());
        return r;
    }

    /**
     * VERSION and bridge with ipMasq (iptables or nft run by the arm64 JVM) ADD, CHECK and DEL,
     * each a warm call: the cross-compiled shim hands it to the daemon, whose JVM runs under qemu.
     */
    @Test
    void arm64WarmVersionAndBridgeWithIpMasqAddCheckDelThroughTheShimAndTheDaemon() throws IOException {
        // VERSION: the aarch64 shim answers it itself from lib/version (no JVM, the daemon not asked)
        WarmDist d = arm64Warm();
        Map<String, String> ve = new LinkedHashMap<>(Map.of("QEMU_LD_PREFIX", jvm("arm64").get("QEMU_LD_PREFIX"),
                "JCNI_WARM_DEBUG", "1", "CNI_COMMAND", "VERSION"));
        long vt = System.nanoTime();
        WarmDist.Run v = d.warm("ptp", ve, LauncherIT.VERSION_IN.getBytes(StandardCharsets.UTF_8), tmp);
        took("VERSION answered by the arm64 shim", vt);
        assertEquals(0, v.exitCode(), v.toString());
        assertTrue(v.out().contains("\"supportedVersions\""), v.out());
        assertTrue(Files.isRegularFile(d.dir().resolve("lib/version/ptp.json")), "the packaging recorded ptp's VERSION answer");
        assertFalse(d.servedWarm(v), "the shim answered VERSION without the daemon: " + v + "\n" + d.daemonLog());
        // with JCNI_WARM_DEBUG=1 a shim that goes cold says why on stderr: it said nothing, no JVM ran
        assertEquals("", v.err(), "the shim answered VERSION itself");

        TestNetns ns = f.netns();
        Map<String, String> env = arm64Env("c1", ns);
        String conf = f.conf("1.0.0", "bridge", "\"isGateway\":true,\"ipMasq\":true", f.ipam4());
        WarmDist.Run add = arm64WarmCall("bridge", "ADD", env, conf);
        assertEquals(0, add.exitCode(), add.toString());
        Result r = Result.fromJson(add.stdout());
        assertEquals(f.prefix4 + "2/24", r.ips().get(0).address().toString());
        assertTrue(f.bridgeExists(), "the bridge is there");
        assertTrue(State.bridge(f.bridge).stream().anyMatch(l -> l.contains(f.prefix4 + "1/24")), State.bridge(f.bridge).toString());
        assertTrue(State.container(ns).stream().anyMatch(l -> l.startsWith("addr eth0 inet " + f.prefix4 + "2/24 ")),
                State.container(ns).toString());
        assertFalse(f.iptablesLines().isEmpty() && f.nftLines().isEmpty(), "a masquerading rule for the network");

        WarmDist.Run check = arm64WarmCall("bridge", "CHECK", env, Fixture.withPrev(conf, r));
        assertEquals(List.of(0, ""), List.of(check.exitCode(), check.out()), check.toString());
        WarmDist.Run del = arm64WarmCall("bridge", "DEL", env, conf);
        assertEquals(List.of(0, ""), List.of(del.exitCode(), del.out()), del.toString());
        assertEquals(List.of(), f.leftovers(ns));
    }

    /**
     * The conformance kit ({@code jcni conformance}, run here natively) on the arm64 ptp, exec'd
     * through a wrapper that only adds qemu's sysroot: its calls go warm, to the arm64 daemon.
     */
    @Test
    void arm64PtpConformsServedWarm() throws IOException {
        WarmDist d = arm64Warm();
        Path wrapper = tmp.resolve("ptp");
        Files.writeString(wrapper, "#!/bin/sh\nQEMU_LD_PREFIX='" + jvm("arm64").get("QEMU_LD_PREFIX") + "' JCNI_WARM_PATIENCE_MS=60000 exec '"
                + d.launcher("ptp") + "' \"$@\"\n");
        assertTrue(wrapper.toFile().setExecutable(true));
        Path conf = Files.writeString(tmp.resolve("ptp.json"), f.conf("1.0.0", "ptp", "\"ipMasq\":true", f.ipam4()));
        long served = d.servedCalls();
        long t = System.nanoTime();
        Dist.Run r = Dist.run(List.of(Dist.exe("jcni").toString(), "conformance", "--versions", "1.0.0", "--cni-path",
                d.dir().resolve("bin").toString(), wrapper.toString(), conf.toString()), Map.of(), "");
        took("jcni conformance of the arm64 ptp (" + (d.servedCalls() - served) + " calls served warm)", t);
        System.out.println("ForeignArchIT arm64 conformance:\n" + r.stdout() + r.stderr());
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().startsWith("CNI conformance of " + wrapper), r.stdout());
        assertTrue(d.servedCalls() > served + 2, "its calls were served warm by the arm64 daemon: " + d.daemonLog());
    }

    /**
     * The multi-architecture node image of the reference (amd64) distribution and the arm64 one: an
     * oci-archive whose image index skopeo copies, every platform (checking every blob's digest), and whose
     * arm64 image, its layers unpacked into a root file system, starts as on an arm64 node: its
     * busybox (aarch64, run by qemu-user through binfmt_misc in a chroot, no QEMU_LD_PREFIX) runs
     * {@code sh}, and a plugin's VERSION runs the distribution's aarch64 java on the image's own
     * aarch64 loader and C library.
     */
    @Test
    void arm64NodeImageOfAMultiArchitectureIndexStartsUnderQemu() throws IOException {
        WarmDist d = arm64Dist();
        Path busybox = root().resolve("arm64/busybox-static/bin/busybox");
        assertTrue(Files.isRegularFile(busybox), "no arm64 busybox in " + busybox + ": run .ci/foreign-jvms.sh (test.sh does)");
        Path image = tmp.resolve("node-image.tar");
        long t = System.nanoTime();
        NodeImage.write(new NodeImage.Spec(List.of(Dist.bin().getParent(), d.dir()), image, "jcni/foreign-test:1",
                NodeImage.Format.OCI_ARCHIVE, Optional.empty(), List.of(busybox), List.of(root().resolve("arm64"))), System.out);
        took("jcni node-image of amd64 and arm64 (" + Files.size(image) / (1024 * 1024) + " MiB)", t);

        Path layout = Files.createDirectories(tmp.resolve("layout"));
        Kernel.exec("tar", "-xf", image.toString(), "-C", layout.toString()).ok();
        JsonNode top = JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
        JsonNode index = JSON.readTree(Files.readAllBytes(blob(layout, top.get("manifests").get(0))));
        t = System.nanoTime();
        Path copied = tmp.resolve("copy");
        Dist.Run copy = Dist.run(List.of("skopeo", "copy", "--all", "oci-archive:" + image, "oci:" + copied + ":t"), Map.of(), "");
        assertEquals(0, copy.exitCode(), "skopeo copies every platform, every blob's digest checked: " + copy.stdout() + copy.stderr());
        took("skopeo copy --all", t);
        // skopeo found the image index by itself (the archive names one image) and copied each platform with its
        // configuration (it writes the index and the manifests anew, in its own JSON spacing)
        JsonNode copiedTop = JSON.readTree(Files.readAllBytes(copied.resolve("index.json")));
        JsonNode copiedIndex = JSON.readTree(Files.readAllBytes(blob(copied, copiedTop.get("manifests").get(0))));
        assertEquals(platformConfigs(layout, index), platformConfigs(copied, copiedIndex), copiedIndex.toString());
        Map<String, JsonNode> manifests = new TreeMap<>();
        index.get("manifests").forEach(m -> manifests.put(m.get("platform").get("architecture").asText(), m));
        assertEquals(List.of("amd64", "arm64"), List.copyOf(manifests.keySet()));

        Path rootfs = Files.createDirectories(tmp.resolve("arm64-rootfs"));
        JsonNode manifest = JSON.readTree(Files.readAllBytes(blob(layout, manifests.get("arm64"))));
        assertEquals("arm64", JSON.readTree(Files.readAllBytes(blob(layout, manifest.get("config")))).get("architecture").asText());
        for (JsonNode layer : manifest.get("layers")) {
            Kernel.exec("tar", "-xpf", blob(layout, layer).toString(), "-C", rootfs.toString()).ok();
        }
        for (String elf : List.of("bin/busybox", "lib/ld-linux-aarch64.so.1", "lib/aarch64-linux-gnu/libc.so.6", "jcni/lib/runtime/bin/java")) {
            byte[] b = Files.readAllBytes(rootfs.resolve(elf));
            assertEquals(183, (b[19] & 0xff) << 8 | b[18] & 0xff, elf + ": e_machine AArch64");
        }
        // in a mount namespace of its own (gone with it): the image's root, with /proc and /dev, as a container has
        String chroot = "mount -t proc proc \"$0/proc\" && mount --bind /dev \"$0/dev\" && exec chroot \"$0\" \"$@\"";
        t = System.nanoTime();
        Dist.Run sh = Dist.run(List.of("unshare", "-m", "sh", "-c", chroot, rootfs.toString(), "/bin/sh", "-c", "uname -m; echo ok"),
                Map.of(), "");
        took("the arm64 image's busybox sh", t);
        assertEquals(List.of(0, "aarch64\nok\n"), List.of(sh.exitCode(), sh.stdout()), sh.stderr());
        t = System.nanoTime();
        Dist.Run version = Dist.run(List.of("unshare", "-m", "sh", "-c", chroot, rootfs.toString(), "/bin/env", "CNI_COMMAND=VERSION",
                "JCNI_LOG_LEVEL=debug", "/jcni/bin/ptp"), Map.of(), LauncherIT.VERSION_IN);
        took("cold VERSION in the arm64 image", t);
        assertEquals(0, version.exitCode(), version.stdout() + version.stderr());
        assertTrue(version.stdout().contains("\"supportedVersions\""), version.stdout());
        assertTrue(version.stderr().contains("in /jcni/lib/runtime;"), "ran by the image's arm64 runtime: " + version.stderr());
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An image index's platforms (architecture/os) and the digests of their configurations. */
    private static List<String> platformConfigs(Path layout, JsonNode index) throws IOException {
        List<String> l = new ArrayList<>();
        for (JsonNode m : index.get("manifests")) {
            JsonNode manifest = JSON.readTree(Files.readAllBytes(blob(layout, m)));
            l.add(m.get("platform").get("architecture").asText() + "/" + m.get("platform").get("os").asText() + " "
                    + manifest.get("config").get("digest").asText());
        }
        return l;
    }

    /** A blob of an unpacked OCI layout, by its descriptor. */
    private static Path blob(Path layout, JsonNode descriptor) {
        return layout.resolve("blobs/sha256/" + descriptor.get("digest").asText().substring("sha256:".length()));
    }

    @Test
    void s390xVersionCodecAndLibrary() throws IOException {
        Map<String, String> jvm = jvm("s390x");
        assertVersion(Dist.cni("ptp", "VERSION", jvm, LauncherIT.VERSION_IN), jvm);

        TestNetns ns = f.netns();
        // a link, an address and routes made natively (qemu cannot create a link for s390x, below)
        ns.exec("ip", "link", "add", "a0", "type", "veth", "peer", "name", "a1").ok();
        ns.exec("ip", "link", "set", "a0", "up").ok();
        ns.exec("ip", "addr", "add", f.prefix4 + "1/24", "dev", "a0").ok();
        ns.exec("ip", "route", "add", "default", "via", f.prefix4 + "254").ok();
        String index = ns.exec("cat", "/sys/class/net/a0/ifindex").ok().trim();
        Path lib = Dist.bin().resolveSibling("lib");
        List<String> cp = new ArrayList<>();
        cp.add(Path.of("target", "test-classes").toAbsolutePath().toString());
        try (Stream<Path> jars = Files.list(lib)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> cp.add(p.toString()));
        }
        Dist.Run r = Dist.run(List.of(jvm.get("JCNI_JAVA_HOME") + "/bin/java", "-Djcni.native.dir=" + lib.resolve("native"),
                "-cp", String.join(File.pathSeparator, cp), ForeignArchMain.class.getName(), ns.path().toString(), index), jvm, "");
        System.out.println("ForeignArchIT s390x:\n" + r.stdout() + r.stderr());
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("arch s390x BIG_ENDIAN\n"), r.stdout());
        // CodecTest's big-endian golden, made by the default (host-order) builder on a big-endian JVM
        assertTrue(r.stdout().contains("codec 0000002c001004050000000000000000000000010000000700001003ffffffff"
                + "000c801a0008000200060064 reads back 100\n"), r.stdout());
        assertTrue(r.stdout().contains("ok netns " + ns.path()), "the s390x library loaded and entered it: " + r.stdout());
        // dumps of addresses and routes come through qemu's translation intact (links do not: printed only)
        assertTrue(r.stdout().contains("ok addrList " + index + ": [" + f.prefix4 + "1/24]\n"), r.stdout());
        assertTrue(r.stdout().contains("ok routeList main: [" + f.prefix4 + "0/24 dev#" + index + " table 254 proto 2 scope link src "
                + f.prefix4 + "1, default via " + f.prefix4 + "254 dev#" + index + " table 254 proto 3 scope universe]\n"), r.stdout());
        assertTrue(r.stdout().contains(" linkByName lo: "), "a netlink request was answered: " + r.stdout());
    }
}
