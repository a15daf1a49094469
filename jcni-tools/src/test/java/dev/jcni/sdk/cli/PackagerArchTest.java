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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code jcni package --arch}: a distribution for one architecture, with that architecture's JNI
 * library only, a shim cross-compiled for it (its ELF machine checked) and JVMs of it only
 * (docs/architectures.md). The cross compilers are Debian's (test.sh installs them).
 */
class PackagerArchTest {
    private static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");

    record Outcome(int status, String text) {
    }

    /** Packages a jar that carries a fake JNI library for each of {@code libs} (os.arch names). */
    static Outcome pack(Path dir, List<String> libs, String... more) throws IOException {
        Path jar = dir.resolve("x.jar");
        if (!Files.exists(jar)) {
            Path c = Files.createDirectories(dir.resolve("c"));
            for (String a : libs) {
                Path so = Files.createDirectories(c.resolve("dev/jcni/netlink/sys/native/linux-" + a)).resolve("libjcni-sys.so");
                Files.writeString(so, "lib for " + a);
            }
            Packager.jarDirectory(c, jar);
        }
        List<String> args = new java.util.ArrayList<>(List.of("--name", "d", "--out", dir.resolve("o").toString(),
                "--class-path", jar.toString(), "--plugin", "p=a.B"));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Packager.run(args, ENV, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8));
    }

    static Outcome pack(Path dir, String... more) throws IOException {
        return pack(dir, Stream.of(TargetArch.values()).map(a -> a.osArch).toList(), more);
    }

    static List<String> nativeDirs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("o/lib/native"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void everyNameOfAnArchitectureIsTakenAndAnyOtherRefused() {
        assertEquals(TargetArch.ARM64, TargetArch.of("arm64"));
        assertEquals(TargetArch.ARM64, TargetArch.of("aarch64"));
        assertEquals(TargetArch.AMD64, TargetArch.of("x86_64"));
        assertEquals(TargetArch.PPC64LE, TargetArch.of("ppc64el"));
        assertEquals(Optional.of(TargetArch.S390X), TargetArch.ofOsArch("s390x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TargetArch.of("mips64le"));
        assertTrue(e.getMessage().contains("amd64, arm64, ppc64le, s390x, riscv64"), e.getMessage());
    }

    @Test
    void anUnknownArchitectureIsAUsageError(@TempDir Path dir) throws IOException {
        Outcome o = pack(dir, "--arch", "sparc64", "--no-train", "--no-shim");
        assertEquals(2, o.status(), o.text());
        assertTrue(o.text().contains("--arch: sparc64 is not one of"), o.text());
    }

    @Test
    void withoutArchEveryLibraryIsThereWithArchOnlyItsOwn(@TempDir Path dir) throws IOException {
        assertEquals(0, pack(dir, "--no-train", "--no-shim").status());
        assertEquals(List.of("linux-aarch64", "linux-amd64", "linux-ppc64le", "linux-riscv64", "linux-s390x"), nativeDirs(dir));
        Outcome o = pack(dir, "--arch", "arm64", "--no-train", "--no-shim");
        assertEquals(0, o.status(), o.text());
        assertEquals(List.of("linux-aarch64"), nativeDirs(dir));
        assertEquals("lib for aarch64", Files.readString(dir.resolve("o/lib/native/linux-aarch64/libjcni-sys.so")));
    }

    @Test
    void aClassPathWithJniLibrariesButNoneForTheArchitectureFails(@TempDir Path dir) throws IOException {
        Outcome o = pack(dir, List.of("amd64", "aarch64", "s390x"), "--arch", "riscv64", "--no-train", "--no-shim");
        assertEquals(1, o.status(), o.text());
        assertTrue(o.text().contains("carries JNI libraries for linux-aarch64, linux-amd64, linux-s390x but none for "
                + "linux-riscv64"), o.text());
    }

    /** Every architecture's shim builds with the same flags (-Werror) and is an ELF file of its machine. */
    @ParameterizedTest
    @EnumSource(TargetArch.class)
    void theShimIsCrossCompiledForTheArchitecture(TargetArch arch, @TempDir Path dir) throws IOException {
        Outcome o = pack(dir, "--arch", arch.goName(), "--no-train");
        assertEquals(0, o.status(), o.text());
        Path shim = dir.resolve("o/lib/jcni-shim");
        assertTrue(Files.isExecutable(shim), o.text());
        assertEquals(Optional.empty(), arch.elfProblem(shim));
        byte[] b = Files.readAllBytes(shim);
        assertEquals(arch.bigEndian ? 2 : 1, b[5], "EI_DATA");
        int machine = arch.bigEndian ? (b[18] & 0xff) << 8 | b[19] & 0xff : (b[19] & 0xff) << 8 | b[18] & 0xff;
        assertEquals(arch.elfMachine, machine);
    }

    @Test
    void theElfCheckNamesAShimOfAnotherMachine(@TempDir Path dir) throws IOException {
        assertEquals(0, pack(dir, "--arch", "arm64", "--no-train").status());
        Path shim = dir.resolve("o/lib/jcni-shim");
        assertEquals(Optional.of("ELF machine 183, expected 243 (riscv64)"), TargetArch.RISCV64.elfProblem(shim));
        assertEquals(Optional.of("ELF class 2 data 1, expected a 64-bit big-endian file"), TargetArch.S390X.elfProblem(shim));
        assertEquals(Optional.of("not an ELF file"), TargetArch.ARM64.elfProblem(dir.resolve("x.jar")));
    }

    /** A runtime linked from Debian's jmods has no OS_ARCH in its release file: its bin/java says. */
    @Test
    void aJavaHomeWithoutOsArchIsKnownByItsJavaExecutable(@TempDir Path dir) throws IOException {
        assertEquals(0, pack(dir, "--arch", "s390x", "--no-train").status());
        Path home = Files.createDirectories(dir.resolve("jvm/bin")).getParent();
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.21.1\"\nMODULES=\"java.base\"\n");
        Files.copy(dir.resolve("o/lib/jcni-shim"), home.resolve("bin/java"));
        assertEquals("s390x", Packager.architecture(home));
        Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        assertEquals("", Packager.architecture(home));
    }

    @Test
    void aDistributionForAnotherArchitectureIsNotTrainedWithoutAJvmOfIt(@TempDir Path dir) throws IOException {
        String foreign = TargetArch.host().equals(Optional.of(TargetArch.ARM64)) ? "s390x" : "arm64";
        Outcome o = pack(dir, "--arch", foreign, "--no-shim");
        assertEquals(0, o.status(), o.text());
        assertTrue(o.text().contains("jcni package: not training: the distribution is for " + TargetArch.of(foreign).osArch
                + ", this machine is "), o.text());
        assertFalse(Files.exists(dir.resolve("o/lib/archives")), o.text());
    }

    /** A JVM of the target architecture named by --java is trained, whatever this machine is (qemu-user runs it). */
    @Test
    void aJavaOfTheTargetArchitectureIsTrained(@TempDir Path dir) throws IOException {
        String target = TargetArch.host().equals(Optional.of(TargetArch.ARM64)) ? "s390x" : "arm64";
        Path home = Files.createDirectories(dir.resolve("jvm"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.21\"\nJAVA_RUNTIME_VERSION=\"17.0.21+1\"\nOS_ARCH=\""
                + TargetArch.of(target).osArch + "\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        // stands for the foreign JVM: records that the launcher ran it to train
        Files.writeString(java, "#!/bin/sh\necho \"$@\" >> '" + dir.resolve("ran") + "'\n");
        assertTrue(java.toFile().setExecutable(true));
        Outcome o = pack(dir, "--arch", target, "--no-shim", "--java", home.toString());
        assertEquals(0, o.status(), o.text());
        assertTrue(o.text().contains("jcni package: trained p for " + home), o.text());
        assertTrue(Files.readString(dir.resolve("ran")).contains("dev.jcni.sdk.cli.Trainer plugin a.B"), Files.readString(dir.resolve("ran")));
    }

    @Test
    void aJavaOfAnotherArchitectureThanTheTargetIsAnError(@TempDir Path dir) throws IOException {
        Path home = Files.createDirectories(dir.resolve("jvm"));
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.21\"\nOS_ARCH=\"s390x\"\n");
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nexit 126\n");
        assertTrue(java.toFile().setExecutable(true));
        Outcome o = pack(dir, "--arch", "arm64", "--no-shim", "--java", home.toString());
        assertEquals(1, o.status(), o.text());
        assertTrue(o.text().contains("--java " + home + " is a JVM for s390x, not for aarch64 (--arch arm64)"), o.text());
    }
}
