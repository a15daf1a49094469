package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.ip.State;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Result;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The distribution built on this (amd64) machine, run by another architecture's JVM under
 * qemu-user (docs/architectures.md): Debian's arm64 and s390x JREs, unpacked privately by
 * .ci/foreign-jvms.sh into {@code $JCNI_FOREIGN_ROOT} (default /var/cache/jcni/foreign-jvms), each
 * loading the distribution's JNI library for its architecture from lib/native.
 *
 * <p>arm64: VERSION and ptp + host-local ADD, CHECK and DEL on a scratch namespace, real kernel
 * calls through the aarch64 library. s390x (big-endian): VERSION, the codec's bytes in the
 * host's order, and the library loaded and entering a namespace; its netlink calls go through
 * qemu-user's translation of rtnetlink between byte orders, which is not faithful (the answer is
 * printed, not asserted), so s390x's kernel calls are not tested here.
 */
@KernelTest
class ForeignArchIT {
    final Fixture f = new Fixture();

    @AfterEach
    void cleanUp() {
        f.close();
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

    @Test
    void arm64PtpAndHostLocalAddCheckDelOnTheKernel() {
        Map<String, String> jvm = jvm("arm64");
        assertTrue(Files.isRegularFile(Dist.bin().resolveSibling("lib/native/linux-aarch64/libjcni-sys.so")));
        assertVersion(Dist.cni("ptp", "VERSION", jvm, LauncherIT.VERSION_IN), jvm);

        TestNetns ns = f.netns();
        Map<String, String> env = new LinkedHashMap<>(f.env("c1", ns, "eth0"));
        env.putAll(jvm);
        String conf = f.conf("1.0.0", "ptp", "", f.ipam4());
        Dist.Run add = Fixture.jcni("ptp", "ADD", env, conf);
        assertTrue(add.stderr().contains("in " + jvm.get("JCNI_JAVA_HOME") + ";"), add.stderr());
        Result r = add.result();
        assertEquals("eth0", r.interfaces().get(1).name());
        assertEquals(f.prefix4 + "2/24", r.ips().get(0).address().toString());
        List<String> cont = State.container(ns);
        assertTrue(cont.contains("route default via " + f.prefix4 + "1 dev eth0") || cont.stream().anyMatch(
                l -> l.startsWith("route " + f.subnet4 + " via " + f.prefix4 + "1 dev eth0")), cont.toString());
        assertTrue(State.hostRoutesAndAddrs(f.prefix4).contains("route " + f.prefix4 + "2 dev vethX scope host"),
                State.hostRoutesAndAddrs(f.prefix4).toString());

        Fixture.jcni("ptp", "CHECK", env, Fixture.withPrev(conf, r)).assertQuietSuccess();
        Fixture.jcni("ptp", "DEL", env, conf).assertQuietSuccess();
        assertEquals(List.of(), State.hostRoutesAndAddrs(f.prefix4));
        assertTrue(f.store().keySet().stream().noneMatch(k -> k.startsWith("10.")), f.store().toString());
        assertTrue(ns.exec("ip", "link", "show", "eth0").exitCode() != 0, "eth0 is gone");
    }

    @Test
    void s390xVersionCodecAndLibrary() throws IOException {
        Map<String, String> jvm = jvm("s390x");
        assertVersion(Dist.cni("ptp", "VERSION", jvm, LauncherIT.VERSION_IN), jvm);

        TestNetns ns = f.netns();
        Path lib = Dist.bin().resolveSibling("lib");
        List<String> cp = new ArrayList<>();
        cp.add(Path.of("target", "test-classes").toAbsolutePath().toString());
        try (Stream<Path> jars = Files.list(lib)) {
            jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> cp.add(p.toString()));
        }
        Dist.Run r = Dist.run(List.of(jvm.get("JCNI_JAVA_HOME") + "/bin/java", "-Djcni.native.dir=" + lib.resolve("native"),
                "-cp", String.join(File.pathSeparator, cp), ForeignArchMain.class.getName(), ns.path().toString()), jvm, "");
        System.out.println("ForeignArchIT s390x:\n" + r.stdout() + r.stderr());
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().contains("arch s390x BIG_ENDIAN\n"), r.stdout());
        // CodecTest's big-endian golden, made by the default (host-order) builder on a big-endian JVM
        assertTrue(r.stdout().contains("codec 0000002c001004050000000000000000000000010000000700001003ffffffff"
                + "000c801a0008000200060064 reads back 100\n"), r.stdout());
        assertTrue(r.stdout().contains("ok netns " + ns.path()), "the s390x library loaded and entered it: " + r.stdout());
        assertTrue(r.stdout().contains(" linkByName lo: "), "a netlink request was answered: " + r.stdout());
    }
}
