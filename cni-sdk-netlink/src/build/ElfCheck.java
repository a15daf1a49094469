import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Build-time check of cni-sdk-netlink's JNI libraries (run by the pom as a single-file source
 * program: {@code java ElfCheck.java <native-dir>}): {@code <native-dir>} holds exactly
 * {@code linux-<os.arch>/libjcni-sys.so} for each architecture below, and each is a 64-bit ELF
 * shared object of that machine and byte order. A compiler that is missing or produced the wrong
 * thing fails the build here, not on a node. Exit 0 when all is right, 1 with one line per
 * problem otherwise.
 */
public final class ElfCheck {
    /** What each library must be: ELF e_machine and byte order (EI_DATA 1 = little, 2 = big). */
    record Expect(int machine, String machineName, ByteOrder order) {
    }

    static final Map<String, Expect> EXPECTED = Map.of(
            "amd64", new Expect(62, "x86-64", ByteOrder.LITTLE_ENDIAN),
            "aarch64", new Expect(183, "AArch64", ByteOrder.LITTLE_ENDIAN),
            "ppc64le", new Expect(21, "PowerPC64", ByteOrder.LITTLE_ENDIAN),
            "s390x", new Expect(22, "S/390", ByteOrder.BIG_ENDIAN),
            "riscv64", new Expect(243, "RISC-V", ByteOrder.LITTLE_ENDIAN));

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java ElfCheck.java <native-dir>");
            System.exit(2);
        }
        List<String> problems = check(Path.of(args[0]));
        problems.forEach(p -> System.err.println("ElfCheck: " + p));
        if (!problems.isEmpty()) {
            System.exit(1);
        }
        System.out.println("ElfCheck: " + new TreeSet<>(EXPECTED.keySet()) + " are 64-bit ELF shared objects of their machine");
    }

    static List<String> check(Path root) throws IOException {
        List<String> problems = new ArrayList<>();
        TreeSet<String> present = new TreeSet<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> s = Files.list(root)) {
                s.forEach(p -> present.add(p.getFileName().toString()));
            }
        }
        for (String dir : present) {
            if (!dir.startsWith("linux-") || !EXPECTED.containsKey(dir.substring("linux-".length()))) {
                problems.add(root.resolve(dir) + ": not an architecture jcni builds");
            }
        }
        for (Map.Entry<String, Expect> e : new java.util.TreeMap<>(EXPECTED).entrySet()) {
            Path so = root.resolve("linux-" + e.getKey()).resolve("libjcni-sys.so");
            if (!Files.isRegularFile(so)) {
                problems.add(so + ": missing");
                continue;
            }
            String bad = checkOne(Files.readAllBytes(so), e.getValue());
            if (bad != null) {
                problems.add(so + ": " + bad);
            }
        }
        return problems;
    }

    /** What is wrong with one library, or null. */
    static String checkOne(byte[] b, Expect want) {
        if (b.length < 64 || b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F') {
            return "not an ELF file";
        }
        if (b[4] != 2) {
            return "ELF class " + b[4] + ", expected 2 (64-bit)";
        }
        ByteOrder order = b[5] == 1 ? ByteOrder.LITTLE_ENDIAN : b[5] == 2 ? ByteOrder.BIG_ENDIAN : null;
        if (order != want.order()) {
            return "byte order " + order + " (EI_DATA " + b[5] + "), expected " + want.order();
        }
        ByteBuffer bb = ByteBuffer.wrap(b).order(order);
        int type = bb.getShort(16) & 0xffff;
        int machine = bb.getShort(18) & 0xffff;
        if (type != 3) {
            return "ELF type " + type + ", expected 3 (shared object)";
        }
        if (machine != want.machine()) {
            return "ELF machine " + machine + ", expected " + want.machine() + " (" + want.machineName() + ")";
        }
        return null;
    }
}
