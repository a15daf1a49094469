package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NodeImage} without a Java runtime (jlink is exercised by CriIT, which loads the image into
 * containerd): the archive's structure as {@code ctr images import} and {@code podman load} read it,
 * and what the layers hold.
 */
class NodeImageTest {
    /** One tar entry: type, mode, link target, content. */
    record Entry(char type, int mode, String link, byte[] content) {
    }

    @Test
    void writesADockerArchiveWithBusyboxTheLibrariesAndTheDistribution(@TempDir Path tmp) throws IOException {
        Path dist = fakeDistribution(tmp.resolve("dist"));
        Path out = tmp.resolve("image.tar");
        NodeImage.write(spec(List.of(dist), out, NodeImage.Format.DOCKER_ARCHIVE, Optional.empty(), List.of()), new PrintStream(new ByteArrayOutputStream()));

        Map<String, Entry> outer = read(Files.readAllBytes(out));
        String manifest = text(outer.get("manifest.json"));
        assertTrue(manifest.contains("\"RepoTags\": [\"jcni/test:1.0\"]"), manifest);
        Matcher config = Pattern.compile("\"Config\": \"([0-9a-f]{64})\\.json\"").matcher(manifest);
        assertTrue(config.find(), manifest);
        Entry configEntry = outer.get(config.group(1) + ".json");
        assertEquals(config.group(1), NodeImage.sha256(configEntry.content()), "the configuration is named by its digest");
        String configText = text(configEntry);
        // each layer's diff id is the sha256 of its tar, in the manifest's order
        Matcher layer = Pattern.compile("\"([0-9a-f]{64})/layer\\.tar\"").matcher(manifest);
        Map<String, Entry> files = new LinkedHashMap<>();
        int layers = 0;
        while (layer.find()) {
            byte[] tar = outer.get(layer.group(1) + "/layer.tar").content();
            assertEquals(layer.group(1), NodeImage.sha256(tar));
            assertTrue(configText.contains("\"sha256:" + layer.group(1) + "\""), "diff id of layer " + layer.group(1));
            files.putAll(read(tar));
            layers++;
        }
        assertEquals(2, layers, "base and distribution (no runtime without --java-home)");
        assertTrue(configText.contains("\"JCNI_DIST=/jcni\"") && !configText.contains("JCNI_IMAGE_JAVA"), configText);

        assertEquals('0', files.get("bin/busybox").type());
        assertEquals(0755, files.get("bin/busybox").mode());
        assertEquals("busybox", files.get("bin/sh").link());
        assertEquals('2', files.get("bin/nsenter").type(), "nsenter, for the daemon's container");
        assertEquals("root:x:0:0:root:/root:/bin/sh\n", text(files.get("etc/passwd")));
        assertFalse(files.containsKey("etc/group"), "no /etc/group: the containers get no supplementary group");
        assertEquals(01777, files.get("tmp/").mode());
        // the shim is dynamically linked: its C library and loader are in the image
        assertTrue(files.keySet().stream().anyMatch(f -> f.startsWith("lib") && f.endsWith("/libc.so.6")), files.keySet().toString());
        assertTrue(files.keySet().stream().anyMatch(f -> f.contains("ld-linux") || f.contains("ld-musl") || f.contains("/ld")), files.keySet().toString());
        // the distribution, without its start-up archives, modes normalized
        assertEquals(0755, files.get("jcni/bin/bridge").mode());
        assertEquals(0644, files.get("jcni/lib/jcni-dist.properties").mode());
        assertEquals("id=0123456789abcdef01234567\nname=test\n", text(files.get("jcni/lib/jcni-dist.properties")));
        assertTrue(files.containsKey("jcni/install.sh"));
        assertFalse(files.keySet().stream().anyMatch(f -> f.startsWith("jcni/lib/archives")), "the archives are left out");
    }

    @Test
    void aDistributionWithItsOwnRuntimeGetsNoOther(@TempDir Path tmp) throws IOException {
        Path dist = fakeDistribution(tmp.resolve("dist"));
        Files.createDirectories(dist.resolve("lib/runtime/bin"));
        Files.copy(Path.of("/bin/true"), dist.resolve("lib/runtime/bin/java"));
        Path out = tmp.resolve("image.tar");
        // a JDK that does not exist: it must not be used
        NodeImage.write(spec(List.of(dist), out, NodeImage.Format.DOCKER_ARCHIVE, Optional.of(tmp.resolve("no-jdk")), List.of()),
                new PrintStream(new ByteArrayOutputStream()));
        Map<String, Entry> outer = read(Files.readAllBytes(out));
        long layers = outer.keySet().stream().filter(k -> k.endsWith("/layer.tar")).count();
        assertEquals(2, layers, "base and distribution: the distribution's runtime is in its layer");
        String manifest = text(outer.get("manifest.json"));
        Matcher layer = Pattern.compile("\"([0-9a-f]{64})/layer\\.tar\"").matcher(manifest);
        layer.find();
        layer.find();
        Map<String, Entry> files = read(outer.get(layer.group(1) + "/layer.tar").content());
        assertEquals(0755, files.get("jcni/lib/runtime/bin/java").mode());
    }

    @Test
    void refusesWhatIsNotADistributionAndBadArguments(@TempDir Path tmp) throws IOException {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream());
        assertEquals(2, NodeImage.run(List.of("--dist", tmp.toString(), "--out", tmp.resolve("x.tar").toString()), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--dist, --out and --tag are required"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, NodeImage.run(List.of("--dist", tmp.toString(), "--out", "x.tar", "--tag", "Upper/Case:1"), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--tag must be NAME:VERSION"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(1, NodeImage.run(List.of("--dist", tmp.toString(), "--out", tmp.resolve("x.tar").toString(), "--tag", "a/b:1"), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("is not a jcni distribution"), err.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(tmp.resolve("x.tar")));
    }

    /** The C library of Debian's aarch64 cross compiler (libc6-arm64-cross): a root file system of arm64's libraries. */
    static final Path CROSS_ROOT = Path.of("/usr/aarch64-linux-gnu");

    /**
     * Two distributions, the build machine's (amd64) and an arm64 one (its runtime's java and its
     * shim cross-compiled, dynamically linked to arm64's glibc), make one oci-archive: index.json names
     * an image index by the tag, the index has one manifest per platform, every descriptor's digest
     * and size are its blob's, each configuration names its platform's architecture and its layers'
     * diff ids, and each platform's busybox, loader and java are ELF files of that platform's machine.
     */
    @Test
    void ociArchiveOfTwoArchitecturesHasAManifestPerPlatformWithThatPlatformsFiles(@TempDir Path tmp) throws IOException {
        Path amd64 = fakeDistribution(tmp.resolve("amd64"));
        Files.createDirectories(amd64.resolve("lib/runtime/bin"));
        Files.copy(Path.of("/bin/true"), amd64.resolve("lib/runtime/bin/java"));
        // a library (no program interpreter) whose libc names the loader
        Files.createDirectories(amd64.resolve("lib/native/linux-amd64"));
        Files.copy(Path.of("/lib/x86_64-linux-gnu/libz.so.1").toRealPath(), amd64.resolve("lib/native/linux-amd64/libjcni-sys.so"));
        Path arm64 = fakeDistribution(tmp.resolve("arm64"));
        Files.delete(arm64.resolve("lib/jcni-shim"));
        Files.createDirectories(arm64.resolve("lib/runtime/bin"));
        cc("aarch64-linux-gnu-gcc", arm64.resolve("lib/runtime/bin/java"), "int main(void) { return 0; }");
        cc("aarch64-linux-gnu-gcc", arm64.resolve("lib/jcni-shim"), "int main(void) { return 0; }");
        Path busybox = fakeBusybox("aarch64-linux-gnu-gcc", tmp.resolve("busybox-arm64"));
        // arm64's root as a package unpacked with dpkg -x: the loader's link is absolute, meaning that root's file
        Path root = tmp.resolve("arm64-root");
        Files.createDirectories(root.resolve("lib/aarch64-linux-gnu"));
        for (String lib : List.of("ld-linux-aarch64.so.1", "libc.so.6")) {
            Files.copy(CROSS_ROOT.resolve("lib").resolve(lib).toRealPath(), root.resolve("lib/aarch64-linux-gnu").resolve(lib));
        }
        Files.createSymbolicLink(root.resolve("lib/ld-linux-aarch64.so.1"), Path.of("/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1"));
        Path out = tmp.resolve("image.tar");
        NodeImage.write(new NodeImage.Spec(List.of(amd64, arm64), out, "jcni/test:1.0", NodeImage.Format.OCI_ARCHIVE, Optional.empty(),
                List.of(busybox), List.of(root)), new PrintStream(new ByteArrayOutputStream()));

        Map<String, Entry> outer = read(Files.readAllBytes(out));
        assertEquals("1.0.0", json(outer.get("oci-layout").content()).get("imageLayoutVersion").asText());
        JsonNode top = json(outer.get("index.json").content());
        assertEquals(2, top.get("schemaVersion").asInt());
        assertEquals(1, top.get("manifests").size(), "index.json names one image: the multi-architecture index");
        JsonNode indexRef = top.get("manifests").get(0);
        assertEquals("jcni/test:1.0", indexRef.get("annotations").get("org.opencontainers.image.ref.name").asText());
        assertEquals("docker.io/jcni/test:1.0", indexRef.get("annotations").get("io.containerd.image.name").asText(),
                "containerd's name for it: the one kubelet asks for");
        JsonNode index = json(blob(outer, indexRef, NodeImage.OCI_INDEX));
        Map<String, Integer> machines = Map.of("amd64", 62, "arm64", 183);
        List<String> platforms = new ArrayList<>();
        for (JsonNode m : index.get("manifests")) {
            String arch = m.get("platform").get("architecture").asText();
            assertEquals("linux", m.get("platform").get("os").asText());
            platforms.add(arch);
            JsonNode manifest = json(blob(outer, m, NodeImage.OCI_MANIFEST));
            assertEquals(2, manifest.get("schemaVersion").asInt());
            JsonNode config = json(blob(outer, manifest.get("config"), NodeImage.OCI_CONFIG));
            assertEquals(arch, config.get("architecture").asText(), "the configuration's architecture is its platform's");
            assertEquals("linux", config.get("os").asText());
            Map<String, Entry> files = new LinkedHashMap<>();
            List<String> diffIds = new ArrayList<>();
            for (JsonNode layer : manifest.get("layers")) {
                byte[] tar = blob(outer, layer, NodeImage.OCI_LAYER);
                diffIds.add("sha256:" + NodeImage.sha256(tar));
                files.putAll(read(tar));
            }
            List<String> configured = new ArrayList<>();
            config.get("rootfs").get("diff_ids").forEach(d -> configured.add(d.asText()));
            assertEquals(diffIds, configured, "uncompressed layers: each diff id is the layer's digest, in order");
            int machine = machines.get(arch);
            assertEquals(machine, machine(files.get("bin/busybox")), arch + "'s busybox");
            assertEquals(machine, machine(files.get("jcni/lib/runtime/bin/java")), arch + "'s java");
            List<String> loaders = files.keySet().stream().filter(f -> f.contains("/ld-linux-")).toList();
            assertEquals(1, loaders.size(), arch + ": the java's program interpreter, once (libc's DT_NEEDED on it is that file): "
                    + files.keySet());
            assertTrue(loaders.get(0).matches("lib(64)?/ld-linux-[a-z0-9-]+\\.so\\.[0-9]"), arch + ": the loader at its PT_INTERP path: " + loaders);
            assertEquals(machine, machine(files.get(loaders.get(0))), arch + "'s loader");
            String libc = files.keySet().stream().filter(f -> f.endsWith("/libc.so.6")).findFirst().orElseThrow();
            assertEquals(machine, machine(files.get(libc)), arch + "'s C library");
            assertEquals("busybox", files.get("bin/sh").link());
        }
        assertEquals(List.of("amd64", "arm64"), platforms);
    }

    @Test
    void aForeignDistributionWithoutItsBusyboxOrItsCLibraryIsRefused(@TempDir Path tmp) throws IOException {
        Path riscv = fakeDistribution(tmp.resolve("riscv64"));
        Files.delete(riscv.resolve("lib/jcni-shim"));
        cc("riscv64-linux-gnu-gcc", riscv.resolve("lib/jcni-shim"), "int main(void) { return 0; }");
        Path out = tmp.resolve("image.tar");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream());
        // the build machine's busybox is no riscv64 shell
        assertEquals(1, NodeImage.run(List.of("--dist", riscv.toString(), "--out", out.toString(), "--tag", "a/b:1"), o, e));
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("no static busybox for riscv64") && text.contains("apt-get download busybox-static:riscv64"), text);
        assertFalse(Files.exists(out));
        // a riscv64 busybox, but no riscv64 C library (arm64's is no use)
        err.reset();
        Path busybox = fakeBusybox("riscv64-linux-gnu-gcc", tmp.resolve("busybox-riscv64"));
        assertEquals(1, NodeImage.run(List.of("--dist", riscv.toString(), "--out", out.toString(), "--tag", "a/b:1", "--busybox",
                busybox.toString(), "--sysroot", CROSS_ROOT.toString()), o, e));
        text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("no riscv64 shared library /lib/ld-linux-riscv64-lp64d.so.1 (needed by " + riscv.resolve("lib/jcni-shim"))
                && text.contains("libc.so.6") && text.contains("--sysroot"), text);
        assertFalse(Files.exists(out));
        // several distributions need the OCI format
        err.reset();
        assertEquals(2, NodeImage.run(List.of("--dist", riscv.toString(), "--dist", riscv.toString(), "--out", out.toString(), "--tag",
                "a/b:1"), o, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--format oci-archive"), err.toString(StandardCharsets.UTF_8));
    }

    /** A blob of an OCI layout, checked against its descriptor: media type, size, digest. */
    private static byte[] blob(Map<String, Entry> layout, JsonNode descriptor, String mediaType) {
        assertEquals(mediaType, descriptor.get("mediaType").asText());
        String digest = descriptor.get("digest").asText();
        assertTrue(digest.startsWith("sha256:"), digest);
        Entry e = layout.get("blobs/sha256/" + digest.substring("sha256:".length()));
        assertTrue(e != null, "blob " + digest + " is in the layout");
        assertEquals(descriptor.get("size").asLong(), e.content().length, "size of " + digest);
        assertEquals(digest.substring("sha256:".length()), NodeImage.sha256(e.content()), "digest of " + digest);
        return e.content();
    }

    private static JsonNode json(byte[] b) throws IOException {
        return Json.parse(b);
    }

    /** A 64-bit little-endian ELF file's e_machine. */
    private static int machine(Entry e) {
        assertTrue(e != null && e.content().length > 20 && e.content()[4] == 2 && e.content()[5] == 1, "a 64-bit little-endian ELF file");
        return (e.content()[19] & 0xff) << 8 | e.content()[18] & 0xff;
    }

    /** Compiles C with a (cross) compiler: every test machine has them (the JNI library's build needs them). */
    private static void cc(String compiler, Path out, String source, String... flags) throws IOException {
        Path c = out.resolveSibling(out.getFileName() + ".c");
        Files.writeString(c, source);
        List<String> cmd = new ArrayList<>(List.of(compiler, "-O2", "-o", out.toString(), c.toString()));
        cmd.addAll(List.of(flags));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Process p = pb.start();
        String o = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertEquals(0, p.waitFor(), compiler + ": " + o);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        Files.delete(c);
    }

    /** A static executable standing for busybox: {@code --list} names sh and nsenter (run under qemu-user when foreign). */
    private static Path fakeBusybox(String compiler, Path out) throws IOException {
        cc(compiler, out, "#include <stdio.h>\nint main(void) { puts(\"busybox\\nsh\\nnsenter\"); return 0; }\n", "-static");
        return out;
    }

    private static NodeImage.Spec spec(List<Path> dists, Path out, NodeImage.Format format, Optional<Path> javaHome, List<Path> busyboxes) {
        assertTrue(Files.isRegularFile(NodeImage.HOST_BUSYBOX), "/bin/busybox is missing: install busybox-static (test.sh does)");
        return new NodeImage.Spec(dists, out, "jcni/test:1.0", format, javaHome, busyboxes, List.of(CROSS_ROOT));
    }

    private static Path fakeDistribution(Path dist) throws IOException {
        Files.createDirectories(dist.resolve("bin"));
        Files.createDirectories(dist.resolve("lib/archives/17"));
        Files.writeString(dist.resolve("install.sh"), "#!/bin/sh\n");
        Files.writeString(dist.resolve("bin/bridge"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(dist.resolve("bin/bridge"), PosixFilePermissions.fromString("rwxrwxr-x"));
        Files.writeString(dist.resolve("lib/jcni-dist.properties"), "id=0123456789abcdef01234567\nname=test\n");
        Files.setPosixFilePermissions(dist.resolve("lib/jcni-dist.properties"), PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.writeString(dist.resolve("lib/archives/17/bridge.jsa"), "archive");
        // a dynamically linked executable standing for the shim
        Files.copy(Path.of("/bin/true"), dist.resolve("lib/jcni-shim"));
        return dist;
    }

    private static String text(Entry e) {
        return new String(e.content(), StandardCharsets.UTF_8);
    }

    /** A ustar reader: name (with prefix), mode, size, type, link; content of regular files. */
    static Map<String, Entry> read(byte[] tar) throws IOException {
        Map<String, Entry> out = new LinkedHashMap<>();
        int at = 0;
        while (at + 512 <= tar.length) {
            if (tar[at] == 0) {
                break;
            }
            String name = field(tar, at, 100);
            String prefix = field(tar, at + 345, 155);
            int mode = Integer.parseInt(field(tar, at + 100, 8).trim(), 8);
            long size = Long.parseLong(field(tar, at + 124, 12).trim(), 8);
            char type = (char) tar[at + 156];
            String link = field(tar, at + 157, 100);
            assertEquals("ustar", field(tar, at + 257, 6));
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += (i >= 148 && i < 156) ? ' ' : tar[at + i] & 0xff;
            }
            assertEquals(sum, Long.parseLong(field(tar, at + 148, 8).trim(), 8), "checksum of " + name);
            byte[] content = java.util.Arrays.copyOfRange(tar, at + 512, at + 512 + (int) size);
            out.put(prefix.isEmpty() ? name : prefix + "/" + name, new Entry(type, mode, link, content));
            at += 512 + (int) ((size + 511) / 512 * 512);
        }
        return out;
    }

    private static String field(byte[] b, int at, int len) {
        int end = at;
        while (end < at + len && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.UTF_8);
    }
}
