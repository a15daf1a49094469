package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
        NodeImage.write(new NodeImage.Spec(dist, out, "jcni/test:1.0", Optional.empty(), busybox()), new PrintStream(new ByteArrayOutputStream()));

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
        NodeImage.write(new NodeImage.Spec(dist, out, "jcni/test:1.0", Optional.of(tmp.resolve("no-jdk")), busybox()),
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

    private static Path busybox() {
        Path b = Path.of("/bin/busybox");
        assertTrue(Files.isRegularFile(b), "/bin/busybox is missing: install busybox-static (test.sh does)");
        return b;
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
