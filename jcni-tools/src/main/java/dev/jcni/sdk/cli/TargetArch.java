package dev.jcni.sdk.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The architectures {@code jcni package --arch} makes a distribution for (docs/architectures.md):
 * the Linux ones a Kubernetes node commonly runs on, for which cni-sdk-netlink ships its JNI
 * library. Each knows its names ({@code os.arch}, Go's and Debian's), its cross compiler and the
 * ELF machine the shim must have.
 */
enum TargetArch {
    AMD64("amd64", "x86_64-linux-gnu", "gcc", 62, false, "x86_64"),
    ARM64("aarch64", "aarch64-linux-gnu", "gcc-aarch64-linux-gnu", 183, false, "arm64"),
    PPC64LE("ppc64le", "powerpc64le-linux-gnu", "gcc-powerpc64le-linux-gnu", 21, false, "ppc64el"),
    S390X("s390x", "s390x-linux-gnu", "gcc-s390x-linux-gnu", 22, true, "s390x"),
    RISCV64("riscv64", "riscv64-linux-gnu", "gcc-riscv64-linux-gnu", 243, false, "riscv64");

    /** The name Java gives it ({@code os.arch}, a release file's {@code OS_ARCH}): also lib/native's. */
    final String osArch;
    /** The GNU triplet: the cross compiler is {@code <triplet>-gcc}. */
    final String triplet;
    /** The Debian package of that compiler. */
    final String compilerPackage;
    /** ELF {@code e_machine}. */
    final int elfMachine;
    /** Whether it is big-endian (ELF {@code EI_DATA} 2). */
    final boolean bigEndian;
    private final List<String> aliases;

    TargetArch(String osArch, String triplet, String compilerPackage, int elfMachine, boolean bigEndian, String alias) {
        this.osArch = osArch;
        this.triplet = triplet;
        this.compilerPackage = compilerPackage;
        this.elfMachine = elfMachine;
        this.bigEndian = bigEndian;
        this.aliases = List.of(name().toLowerCase(Locale.ROOT), osArch, alias);
    }

    /** @return the name {@code --arch} takes first (Go's and Kubernetes' name) */
    String goName() {
        return aliases.get(0);
    }

    /** @return Debian's name (dpkg's architecture: amd64, arm64, ppc64el, s390x, riscv64) */
    String debianName() {
        return this == PPC64LE ? "ppc64el" : goName();
    }

    /**
     * @param name Go's, Java's or Debian's name (amd64 or x86_64, arm64 or aarch64, ppc64le or ppc64el,
     *     s390x, riscv64)
     * @return the architecture
     * @throws IllegalArgumentException for any other name
     */
    static TargetArch of(String name) {
        for (TargetArch a : values()) {
            if (a.aliases.contains(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("--arch: " + name + " is not one of amd64, arm64, ppc64le, s390x, riscv64");
    }

    /** @return the architecture of a Java {@code os.arch} or {@code OS_ARCH} value, if jcni builds for it */
    static Optional<TargetArch> ofOsArch(String osArch) {
        for (TargetArch a : values()) {
            if (a.aliases.contains(osArch)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** @return the architecture this JVM runs on, if jcni builds for it */
    static Optional<TargetArch> host() {
        return ofOsArch(System.getProperty("os.arch", ""));
    }

    /**
     * The architecture an executable is built for, read from its ELF header.
     *
     * @param exe the file
     * @return its architecture, if it is a 64-bit ELF file of one jcni builds for
     */
    static Optional<TargetArch> ofElf(Path exe) {
        for (TargetArch a : values()) {
            try {
                if (a.elfProblem(exe).isEmpty()) {
                    return Optional.of(a);
                }
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /**
     * What is wrong with an executable built for this architecture.
     *
     * @param exe the file
     * @return the problem, empty when it is a 64-bit ELF file of this machine and byte order
     */
    Optional<String> elfProblem(Path exe) throws IOException {
        byte[] b = new byte[20];
        int n;
        try (InputStream in = Files.newInputStream(exe)) {
            n = in.readNBytes(b, 0, b.length);
        }
        if (n < b.length || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
            return Optional.of("not an ELF file");
        }
        if (b[4] != 2 || b[5] != (bigEndian ? 2 : 1)) {
            return Optional.of("ELF class " + b[4] + " data " + b[5] + ", expected a 64-bit " + (bigEndian ? "big" : "little")
                    + "-endian file");
        }
        int machine = bigEndian ? (b[18] & 0xff) << 8 | b[19] & 0xff : (b[19] & 0xff) << 8 | b[18] & 0xff;
        if (machine != elfMachine) {
            return Optional.of("ELF machine " + machine + ", expected " + elfMachine + " (" + osArch + ")");
        }
        return Optional.empty();
    }
}
