package dev.jcni.plugins.cri;

import dev.jcni.sdk.testsupport.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The two images the CRI tests give containerd, made from Debian's static busybox
 * ({@code busybox-static}) with no registry: one root file system layer ({@code /bin/busybox} and
 * the applets the tests run), written as docker-archive tarballs ({@code manifest.json}, the image
 * configuration named by its sha256, the layer), which {@code ctr images import} reads.
 * <ul>
 *   <li>{@link #PAUSE}, the sandbox image (containerd's {@code sandbox_image}): its entrypoint sleeps,
 *       as the pause container does, holding the pod's namespaces;</li>
 *   <li>{@link #BUSYBOX}, the containers' image: the CRI request gives the command.</li>
 * </ul>
 */
final class Images {
    static final String PAUSE = "jcni.test/pause:1";
    static final String BUSYBOX = "jcni.test/busybox:1";
    private static final List<String> APPLETS = List.of("sh", "sleep", "nc", "ip", "echo", "cat", "true");

    /** The two archives. */
    final Path pause;
    final Path busybox;

    private Images(Path pause, Path busybox) {
        this.pause = pause;
        this.busybox = busybox;
    }

    /**
     * Writes both archives into a directory.
     *
     * @param dir an empty scratch directory
     * @return the archives
     */
    static Images build(Path dir) throws IOException {
        Path rootfs = dir.resolve("rootfs");
        for (String d : List.of("bin", "etc", "proc", "sys", "dev", "tmp")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
        for (String applet : APPLETS) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        Path layer = dir.resolve("layer.tar");
        Kernel.exec("tar", "-C", rootfs.toString(), "--numeric-owner", "--owner=0", "--group=0", "-cf", layer.toString(), ".").ok();
        String diffId = "sha256:" + sha256(layer);
        return new Images(
                archive(dir, "pause", PAUSE, "[\"/bin/sleep\", \"2147483647\"]", layer, diffId),
                archive(dir, "busybox", BUSYBOX, "[\"/bin/sh\"]", layer, diffId));
    }

    private static Path archive(Path dir, String name, String tag, String entrypoint, Path layer, String diffId) throws IOException {
        Path content = Files.createDirectories(dir.resolve(name));
        Files.copy(layer, content.resolve("layer.tar"));
        String config = "{\"architecture\": \"" + goArch() + "\", \"os\": \"linux\","
                + " \"config\": {\"Env\": [\"PATH=/bin\"], \"Entrypoint\": " + entrypoint + "},"
                + " \"rootfs\": {\"type\": \"layers\", \"diff_ids\": [\"" + diffId + "\"]}}";
        Path configFile = Files.writeString(content.resolve("config"), config);
        String configName = sha256(configFile) + ".json";
        Files.move(configFile, content.resolve(configName));
        Files.writeString(content.resolve("manifest.json"),
                "[{\"Config\": \"" + configName + "\", \"RepoTags\": [\"" + tag + "\"], \"Layers\": [\"layer.tar\"]}]");
        Path tar = dir.resolve(name + ".tar");
        Kernel.exec("tar", "-C", content.toString(), "--numeric-owner", "--owner=0", "--group=0", "-cf", tar.toString(), ".").ok();
        return tar;
    }

    /** The architecture as OCI image configurations name it. */
    private static String goArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    /** The hex sha256 of a file, by coreutils' sha256sum (jcni's own digests are NodeImage's, not repeated here). */
    private static String sha256(Path file) {
        String out = Kernel.exec("sha256sum", "--", file.toString()).ok();
        if (!out.matches("(?s)[0-9a-f]{64} .*")) {
            throw new AssertionError("sha256sum " + file + ": " + out);
        }
        return out.substring(0, 64);
    }
}
