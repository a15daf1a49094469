package dev.jcni.sdk.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code jcni node-image}: a container image of a distribution, for the DaemonSet that installs it on
 * every node of a Kubernetes cluster (docs/kubernetes.md), with no registry and no base image. Its
 * layers, each a tar written here from files of the distribution's architecture:
 * <ol>
 *   <li>a static shell: a static busybox of that architecture ({@code --busybox}: Debian's
 *       {@code busybox-static}) as {@code /bin/busybox} with a link per applet in {@code /bin}
 *       (install.sh and the launchers are sh scripts using POSIX tools), {@code /etc/passwd} with
 *       root (no {@code /etc/group}), and the shared libraries the runtime's and the distribution's
 *       executables and libraries need: their program interpreter and {@code DT_NEEDED} names read
 *       from their ELF headers ({@link Elf}) and resolved, as the loader would, in a root file
 *       system of that architecture ({@code --sysroot}; the build machine's {@code /} is always
 *       tried last), copied to the same paths (glibc, zlib, ...);</li>
 *   <li>a Java runtime at {@value #JAVA_DIR}, made with {@code jlink} from {@code --java-home} ({@link #MODULES},
 *       stripped, with a CDS archive: the launchers train their start-up archives on it); left out
 *       when the distribution brings its own ({@code lib/runtime}) or no {@code --java-home} is given;</li>
 *   <li>the distribution at {@value #DIST_DIR}, without its start-up archives ({@code lib/archives}:
 *       install.sh leaves them out and trains new ones on the node).</li>
 * </ol>
 * The image's architecture is the distribution's: that of its runtime's {@code java}, else of its
 * shim, else of its only JNI library, else the build machine's. A distribution of an architecture
 * for which no static busybox or no C library is given is refused: the image would not start.
 *
 * <p>Written as a docker-archive ({@code manifest.json}, the configuration, a tar per layer; one
 * distribution) or as an OCI image layout archive ({@code oci-layout}, {@code index.json} naming
 * an image index with one manifest per distribution's platform, {@code blobs/sha256/}): a
 * multi-architecture image from distributions of several architectures, which {@code podman load},
 * {@code ctr images import --all-platforms} and {@code skopeo copy --all} read.
 *
 * <pre>
 * jcni node-image --dist DIR [--dist DIR]... --out FILE.tar --tag NAME:VERSION [--format docker-archive|oci-archive]
 *                 [--java-home JDK] [--busybox PATH]... [--sysroot DIR]...
 * </pre>
 */
public final class NodeImage {
    /** Where the distribution is in the image. */
    public static final String DIST_DIR = "jcni";
    /** Where the Java runtime is in the image. */
    public static final String JAVA_DIR = "jcni-java";
    /** The runtime's modules: java.base and what Jackson uses when present (logging, XML and SQL types). */
    static final String MODULES = "java.base,java.logging,java.xml,java.sql,java.naming,jdk.unsupported";
    static final String USAGE = "usage: jcni node-image --dist DIR [--dist DIR]... --out FILE.tar --tag NAME:VERSION"
            + " [--format docker-archive|oci-archive] [--java-home JDK] [--busybox PATH]... [--sysroot DIR]...";
    /** The build machine's static busybox (Debian's busybox-static), tried after every {@code --busybox}. */
    static final Path HOST_BUSYBOX = Path.of("/bin/busybox");
    /** The build machine's root, tried after every {@code --sysroot}. */
    static final Path HOST_ROOT = Path.of("/");

    private NodeImage() {
    }

    /** How the image is written. */
    public enum Format {
        /** docker-archive: {@code manifest.json}, the configuration, a tar per layer; one architecture. */
        DOCKER_ARCHIVE,
        /** oci-archive: an OCI image layout in a tar, an image index with a manifest per architecture. */
        OCI_ARCHIVE;

        /** @return the name {@code --format} takes */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * What to build.
     *
     * @param dists the distributions ({@code jcni package}'s output directories), one per architecture
     * @param out the image archive to write
     * @param tag the image's name, e.g. {@code jcni/plugins-reference:0.1.0}
     * @param format docker-archive (one distribution) or oci-archive
     * @param javaHome the JDK to make the image's runtime from (with its jmods), for a distribution
     *     without one of its own; empty: no runtime
     * @param busyboxes static busyboxes, each used for the distribution of its architecture; the
     *     build machine's {@code /bin/busybox} is tried after them
     * @param sysroots root file systems where the libraries are found, the first of the right
     *     architecture winning; the build machine's {@code /} is tried after them
     */
    public record Spec(List<Path> dists, Path out, String tag, Format format, Optional<Path> javaHome, List<Path> busyboxes,
            List<Path> sysroots) {
        /** Copies the lists. */
        public Spec {
            dists = List.copyOf(dists);
            busyboxes = List.copyOf(busyboxes);
            sysroots = List.copyOf(sysroots);
        }
    }

    /**
     * The command line.
     *
     * @param args the arguments
     * @param out where the result is told
     * @param err usage errors and failures
     * @return 0, 1 on failure, 2 on a usage error
     */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        Spec spec;
        try {
            spec = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("jcni node-image: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            write(spec, out);
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("jcni node-image: " + e.getMessage());
            return 1;
        }
    }

    static Spec parse(List<String> args) {
        List<Path> dists = new ArrayList<>();
        Path out = null;
        String tag = null;
        Format format = Format.DOCKER_ARCHIVE;
        Path javaHome = null;
        List<Path> busyboxes = new ArrayList<>();
        List<Path> sysroots = new ArrayList<>();
        for (int i = 0; i < args.size(); i += 2) {
            String a = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args.get(i + 1);
            switch (a) {
                case "--dist" -> dists.add(Path.of(v));
                case "--out" -> out = Path.of(v);
                case "--tag" -> tag = v;
                case "--format" -> format = Stream.of(Format.values()).filter(f -> f.cliName().equals(v)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("--format is docker-archive or oci-archive, got " + v));
                case "--java-home" -> javaHome = Path.of(v);
                case "--busybox" -> busyboxes.add(Path.of(v));
                case "--sysroot" -> sysroots.add(Path.of(v));
                default -> throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        if (dists.isEmpty() || out == null || tag == null) {
            throw new IllegalArgumentException("--dist, --out and --tag are required");
        }
        if (!tag.matches("[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("--tag must be NAME:VERSION (lower-case name), got " + tag);
        }
        if (dists.size() > 1 && format != Format.OCI_ARCHIVE) {
            throw new IllegalArgumentException("several --dist make a multi-architecture image: --format oci-archive");
        }
        return new Spec(dists, out, tag, format, Optional.ofNullable(javaHome), busyboxes, sysroots);
    }

    /** One distribution's image: its platform, its layers, its configuration. */
    private record Image(TargetArch arch, List<Layer> layers, byte[] config) {
    }

    /**
     * Writes the image archive.
     *
     * @param spec what to build
     * @param log progress
     * @return the archive
     * @throws IOException when a file cannot be read or written, jlink fails, a distribution's
     *     architecture has no static busybox or no C library among those given, or two distributions
     *     are of the same architecture
     */
    public static Path write(Spec spec, PrintStream log) throws IOException {
        if (spec.dists().size() > 1 && spec.format() != Format.OCI_ARCHIVE) {
            throw new IOException("several distributions make a multi-architecture image: oci-archive only");
        }
        Path work = Files.createTempDirectory(spec.out().toAbsolutePath().getParent(), ".node-image");
        try {
            List<Image> images = new ArrayList<>();
            for (Path dist : spec.dists()) {
                Image image = image(spec, dist.toAbsolutePath(), Files.createDirectories(work.resolve("image" + images.size())), log);
                if (images.stream().anyMatch(i -> i.arch() == image.arch())) {
                    throw new IOException("two distributions for " + image.arch().goName() + ": one per architecture");
                }
                images.add(image);
            }
            Path tmp = spec.out().resolveSibling("." + spec.out().getFileName() + ".tmp");
            try {
                try (Tar t = new Tar(Files.newOutputStream(tmp))) {
                    if (spec.format() == Format.OCI_ARCHIVE) {
                        writeOci(t, spec.tag(), images);
                    } else {
                        writeDocker(t, spec.tag(), images.get(0));
                    }
                }
                Files.move(tmp, spec.out(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            log.println("jcni node-image: wrote " + spec.out() + " (" + spec.format().cliName() + ", " + spec.tag() + " for "
                    + String.join(", ", images.stream().map(i -> "linux/" + i.arch().goName()).toList()) + ", "
                    + Files.size(spec.out()) / (1024 * 1024) + " MiB)");
            return spec.out();
        } finally {
            deleteTree(work);
        }
    }

    /** The layers and configuration of one distribution's image, written into {@code work}. */
    private static Image image(Spec spec, Path dist, Path work, PrintStream log) throws IOException {
        if (!Files.isRegularFile(dist.resolve("lib/jcni-dist.properties")) || !Files.isRegularFile(dist.resolve("install.sh"))) {
            throw new IOException(dist + " is not a jcni distribution (no lib/jcni-dist.properties or install.sh)");
        }
        TargetArch arch = architecture(dist);
        Path busybox = busybox(spec, arch, dist);
        Optional<Path> runtime = Optional.empty();
        if (Files.isExecutable(dist.resolve("lib/runtime/bin/java"))) {
            log.println("jcni node-image: " + dist + " brings its own Java runtime (lib/runtime): no other");
        } else if (spec.javaHome().isPresent()) {
            Path javaHome = spec.javaHome().get();
            Optional<TargetArch> javaArch = TargetArch.ofOsArch(release(javaHome, "OS_ARCH"));
            if (javaArch.isEmpty() || javaArch.get() != arch) {
                throw new IOException("--java-home " + javaHome + " is for " + release(javaHome, "OS_ARCH") + ", the distribution " + dist
                        + " for " + arch.osArch + ": package it with its own runtime (jcni package --arch " + arch.goName()
                        + " --runtime jlink --jmods <" + arch.goName() + "'s jmods>)");
            }
            runtime = Optional.of(jlink(javaHome, work.resolve("runtime"), log));
        }
        List<Path> elves = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dist.resolve("lib"))) {
            s.filter(p -> !p.startsWith(dist.resolve("lib/archives"))).forEach(elves::add);
        }
        if (runtime.isPresent()) {
            try (Stream<Path> s = Files.walk(runtime.get())) {
                s.forEach(elves::add);
            }
        }
        // the ELF files of the image's architecture (an all-architecture distribution's other JNI libraries are
        // other nodes' files)
        List<Path> own = new ArrayList<>();
        for (Path p : elves) {
            if (Elf.read(p).flatMap(Elf::arch).filter(a -> a == arch).isPresent()) {
                own.add(p);
            }
        }
        List<Path> sysroots = new ArrayList<>(spec.sysroots());
        sysroots.add(HOST_ROOT);
        Map<String, Path> libraries = sharedLibraries(own, arch, sysroots);

        List<Layer> layers = new ArrayList<>();
        try (Layer base = new Layer(work.resolve("base.tar"))) {
            for (String d : List.of("bin", "etc", "root", "proc", "sys", "dev", "run", "var", "var/tmp", "host")) {
                base.dir(d, 0755);
            }
            base.dir("tmp", 01777);
            base.file("bin/busybox", busybox, 0755);
            for (String applet : applets(busybox, arch)) {
                if (!applet.equals("busybox")) {
                    base.symlink("bin/" + applet, "busybox");
                }
            }
            base.bytes("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0644);
            for (Map.Entry<String, Path> lib : libraries.entrySet()) {
                base.parents(lib.getKey());
                base.file(lib.getKey(), lib.getValue(), 0755);
            }
            layers.add(base);
        }
        if (runtime.isPresent()) {
            try (Layer java = new Layer(work.resolve("java.tar"))) {
                // the CDS archive for heaps above 32 GiB (no compressed oops) is for no plugin: 10 MiB less
                java.tree(JAVA_DIR, runtime.get(), p -> p.getFileName().toString().equals("classes_nocoops.jsa"));
                layers.add(java);
            }
        }
        try (Layer d = new Layer(work.resolve("dist.tar"))) {
            Path archives = dist.resolve("lib/archives");
            d.tree(DIST_DIR, dist, p -> p.startsWith(archives));
            layers.add(d);
        }
        log.println("jcni node-image: linux/" + arch.goName() + ": " + busybox + ", " + libraries.size() + " shared libraries"
                + (runtime.isPresent() ? ", a Java runtime" : "") + ", " + dist);
        return new Image(arch, layers, config(arch, layers, runtime.isPresent()));
    }

    /**
     * The architecture of a distribution: its runtime's {@code java}'s, else its shim's, else its only
     * JNI library's, else the build machine's.
     */
    static TargetArch architecture(Path dist) throws IOException {
        for (String exe : List.of("lib/runtime/bin/java", "lib/jcni-shim")) {
            Path p = dist.resolve(exe);
            if (Files.isRegularFile(p)) {
                return TargetArch.ofElf(p).orElseThrow(() -> new IOException(p + " is not an ELF file of an architecture jcni builds for"));
            }
        }
        Path natives = dist.resolve("lib/native");
        if (Files.isDirectory(natives)) {
            try (Stream<Path> s = Files.list(natives)) {
                List<String> dirs = s.map(p -> p.getFileName().toString()).toList();
                if (dirs.size() == 1 && dirs.get(0).startsWith("linux-")) {
                    return TargetArch.ofOsArch(dirs.get(0).substring("linux-".length()))
                            .orElseThrow(() -> new IOException(natives + " holds " + dirs.get(0) + " only, not an architecture jcni builds for"));
                }
            }
        }
        return TargetArch.host().orElseThrow(() -> new IOException("this machine's architecture " + System.getProperty("os.arch")
                + " is not one jcni builds for"));
    }

    /** The first static busybox of the architecture among those given, then the build machine's. */
    private static Path busybox(Spec spec, TargetArch arch, Path dist) throws IOException {
        Set<Path> candidates = new java.util.LinkedHashSet<>(spec.busyboxes());
        candidates.add(HOST_BUSYBOX);
        List<String> seen = new ArrayList<>();
        for (Path b : candidates) {
            Optional<Elf> elf = Files.isRegularFile(b) ? Elf.read(b.toRealPath()) : Optional.empty();
            if (elf.isPresent() && elf.get().arch().filter(a -> a == arch).isPresent() && elf.get().isStatic()) {
                return b;
            }
            seen.add(b + " (" + elf.map(e -> e.arch().map(a -> a.osArch).orElse("another architecture")
                    + (e.isStatic() ? "" : ", dynamically linked")).orElse("not an ELF file") + ")");
        }
        throw new IOException("no static busybox for " + arch.osArch + ", the architecture of " + dist + ", among " + String.join(", ", seen)
                + ": the image's shell must be of the distribution's architecture; give one with --busybox (Debian: dpkg --add-architecture "
                + arch.debianName() + "; apt-get update; apt-get download busybox-static:" + arch.debianName() + "; dpkg-deb -x busybox-static_*.deb DIR;"
                + " --busybox DIR/bin/busybox)");
    }

    /** The image configuration: the platform, the environment the DaemonSet's scripts read, the layers' diff ids. */
    private static byte[] config(TargetArch arch, List<Layer> layers, boolean withJava) {
        StringBuilder diffIds = new StringBuilder();
        for (Layer l : layers) {
            diffIds.append(diffIds.length() == 0 ? "" : ", ").append("\"sha256:").append(l.digest).append('"');
        }
        String path = "/bin" + (withJava ? ":/" + JAVA_DIR + "/bin" : "");
        String config = "{\"architecture\": \"" + arch.goName() + "\", \"os\": \"linux\", \"config\": {\"Env\": [\"PATH=" + path
                + "\", \"JCNI_DIST=/" + DIST_DIR + "\"" + (withJava ? ", \"JCNI_IMAGE_JAVA=/" + JAVA_DIR + "\"" : "")
                + "], \"Cmd\": [\"/bin/sh\"], \"WorkingDir\": \"/\", \"Labels\": {\"dev.jcni.dist\": \"/" + DIST_DIR + "\"}},"
                + " \"rootfs\": {\"type\": \"layers\", \"diff_ids\": [" + diffIds + "]}}";
        return config.getBytes(StandardCharsets.UTF_8);
    }

    /** docker-archive: manifest.json, the image configuration named by its digest, and the layers. */
    private static void writeDocker(Tar t, String tag, Image image) throws IOException {
        StringBuilder files = new StringBuilder();
        for (Layer l : image.layers()) {
            files.append(files.length() == 0 ? "" : ", ").append('"').append(l.digest).append("/layer.tar\"");
        }
        String configName = sha256(image.config()) + ".json";
        String manifest = "[{\"Config\": \"" + configName + "\", \"RepoTags\": [\"" + tag + "\"], \"Layers\": [" + files + "]}]";
        String name = tag.substring(0, tag.lastIndexOf(':'));
        String version = tag.substring(tag.lastIndexOf(':') + 1);
        String repositories = "{\"" + name + "\": {\"" + version + "\": \"" + image.layers().get(image.layers().size() - 1).digest + "\"}}";
        for (Layer l : image.layers()) {
            t.dir(l.digest, 0755, 0);
            t.file(l.digest + "/layer.tar", l.file, 0644, 0);
        }
        t.bytes(configName, image.config(), 0644, 0);
        t.bytes("manifest.json", manifest.getBytes(StandardCharsets.UTF_8), 0644, 0);
        t.bytes("repositories", repositories.getBytes(StandardCharsets.UTF_8), 0644, 0);
    }

    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";

    /**
     * oci-archive: {@code oci-layout}, the blobs (layers, configurations, a manifest per platform, the
     * image index listing them with their platforms) and {@code index.json}, which names the image
     * index by the tag.
     */
    private static void writeOci(Tar t, String tag, List<Image> images) throws IOException {
        t.bytes("oci-layout", "{\"imageLayoutVersion\": \"1.0.0\"}".getBytes(StandardCharsets.UTF_8), 0644, 0);
        t.dir("blobs", 0755, 0);
        t.dir("blobs/sha256", 0755, 0);
        Set<String> written = new HashSet<>();
        StringBuilder manifests = new StringBuilder();
        for (Image image : images) {
            StringBuilder layers = new StringBuilder();
            for (Layer l : image.layers()) {
                layers.append(layers.length() == 0 ? "" : ", ").append(descriptor(OCI_LAYER, l.digest, Files.size(l.file)));
                if (written.add(l.digest)) {
                    t.file("blobs/sha256/" + l.digest, l.file, 0644, 0);
                }
            }
            String manifest = "{\"schemaVersion\": 2, \"mediaType\": \"" + OCI_MANIFEST + "\", \"config\": "
                    + blob(t, written, OCI_CONFIG, image.config()) + ", \"layers\": [" + layers + "]}";
            String d = blob(t, written, OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
            manifests.append(manifests.length() == 0 ? "" : ", ").append(d, 0, d.length() - 1)
                    .append(", \"platform\": {\"architecture\": \"").append(image.arch().goName()).append("\", \"os\": \"linux\"}}");
        }
        String index = "{\"schemaVersion\": 2, \"mediaType\": \"" + OCI_INDEX + "\", \"manifests\": [" + manifests + "]}";
        String d = blob(t, written, OCI_INDEX, index.getBytes(StandardCharsets.UTF_8));
        String top = "{\"schemaVersion\": 2, \"mediaType\": \"" + OCI_INDEX + "\", \"manifests\": [" + d.substring(0, d.length() - 1)
                + ", \"annotations\": {\"org.opencontainers.image.ref.name\": \"" + tag + "\", \"io.containerd.image.name\": \""
                + fullName(tag) + "\"}}]}";
        t.bytes("index.json", top.getBytes(StandardCharsets.UTF_8), 0644, 0);
    }

    /**
     * A name as a node's runtime looks it up: {@code jcni/plugins-reference:0.1.0} is
     * {@code docker.io/jcni/plugins-reference:0.1.0} (containerd names an OCI archive's image by this
     * annotation, podman by the reference name).
     */
    static String fullName(String tag) {
        int slash = tag.indexOf('/');
        String first = slash < 0 ? "" : tag.substring(0, slash);
        if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
            return tag;
        }
        return "docker.io/" + (slash < 0 ? "library/" : "") + tag;
    }

    /** Writes a blob named by its digest (once) and returns its descriptor. */
    private static String blob(Tar t, Set<String> written, String mediaType, byte[] content) throws IOException {
        String digest = sha256(content);
        if (written.add(digest)) {
            t.bytes("blobs/sha256/" + digest, content, 0644, 0);
        }
        return descriptor(mediaType, digest, content.length);
    }

    private static String descriptor(String mediaType, String digest, long size) {
        return "{\"mediaType\": \"" + mediaType + "\", \"digest\": \"sha256:" + digest + "\", \"size\": " + size + "}";
    }

    /** jlink: {@link #MODULES}, stripped, with the default CDS archive. */
    private static Path jlink(Path javaHome, Path out, PrintStream log) throws IOException {
        Path jmods = javaHome.resolve("jmods");
        if (!Files.isDirectory(jmods)) {
            throw new IOException(javaHome + " has no jmods (Debian: openjdk-17-jmods): jlink cannot make a runtime from it");
        }
        // the modules jcni's jars need on a class path (jdeps cannot resolve them: the test kit's descriptor
        // requires JUnit, which a distribution does not carry); no TLS, no desktop
        String modules = MODULES;
        int feature = Integer.parseInt(release(javaHome, "JAVA_VERSION").split("[.+-]")[0]);
        // the launchers name a JVM's start-up archives by JAVA_RUNTIME_VERSION, which jlink leaves out
        String runtimeVersion = release(javaHome, "JAVA_RUNTIME_VERSION");
        if (!runtimeVersion.matches("[0-9][A-Za-z0-9._+-]*")) {
            throw new IOException(javaHome + "/release: JAVA_RUNTIME_VERSION " + runtimeVersion + " is not a version");
        }
        exec(List.of(javaHome.resolve("bin/jlink").toString(), "--module-path", jmods.toString(), "--add-modules", modules,
                "--strip-debug", "--no-header-files", "--no-man-pages", feature >= 21 ? "--compress=zip-6" : "--compress=2",
                "--generate-cds-archive", "--release-info", "add:JAVA_RUNTIME_VERSION=\"" + runtimeVersion + "\"",
                "--output", out.toString()));
        log.println("jcni node-image: a Java " + feature + " runtime with " + modules);
        return out;
    }

    /** A value of a JDK's release file, without its quotes. */
    private static String release(Path javaHome, String key) throws IOException {
        for (String line : Files.readAllLines(javaHome.resolve("release"))) {
            if (line.startsWith(key + "=")) {
                return line.substring(key.length() + 1).replace("\"", "");
            }
        }
        throw new IOException(javaHome + "/release names no " + key);
    }

    /**
     * The shared libraries these ELF files need, transitively, as the loader of their architecture
     * would find them: the program interpreter at its absolute path, each {@code DT_NEEDED} name in the
     * multiarch, lib64 and lib directories of the first root file system that has it as an ELF file of
     * that architecture. A name that is one of the files' own (the runtime's libjvm.so, found by its
     * {@code $ORIGIN} run path) is theirs. Returned as path in the image (relative to the root it was
     * found in) to the file.
     */
    private static Map<String, Path> sharedLibraries(List<Path> elves, TargetArch arch, List<Path> sysroots) throws IOException {
        Set<String> done = new HashSet<>();
        for (Path e : elves) {
            done.add(e.getFileName().toString());
        }
        Map<String, Path> libs = new TreeMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        // the executables' program interpreters first: libc names the loader by its file name, which is that file
        Deque<Map.Entry<String, Path>> names = new ArrayDeque<>();
        for (Path e : elves) {
            Elf elf = Elf.read(e).orElseThrow(() -> new IOException(e + " is not an ELF file"));
            elf.interpreter().ifPresent(i -> names.add(Map.entry(i, e)));
        }
        Deque<Path> todo = new ArrayDeque<>(elves);
        while (!names.isEmpty() || !todo.isEmpty()) {
            if (names.isEmpty()) {
                Path e = todo.pop();
                for (String n : Elf.read(e).orElseThrow(() -> new IOException(e + " is not an ELF file")).needed()) {
                    names.add(Map.entry(n, e));
                }
                continue;
            }
            Map.Entry<String, Path> next = names.pop();
            String name = next.getKey();
            Path e = next.getValue();
            if (!done.add(name)) {
                continue;
            }
            List<String> paths = name.startsWith("/") ? List.of(name.substring(1))
                    : Stream.of("lib/" + arch.triplet, "usr/lib/" + arch.triplet, "lib64", "usr/lib64", "lib", "usr/lib")
                            .map(d -> d + "/" + name).toList();
            Optional<Map.Entry<String, Path>> found = find(paths, arch, sysroots);
            if (found.isEmpty()) {
                missing.putIfAbsent(name, e.toString());
                continue;
            }
            libs.put(found.get().getKey(), found.get().getValue());
            todo.add(found.get().getValue());
            // the loader is loaded already: libc's DT_NEEDED on it by name is that file
            done.add(Path.of(name).getFileName().toString());
        }
        if (!missing.isEmpty()) {
            StringBuilder m = new StringBuilder();
            missing.forEach((name, by) -> m.append(m.length() == 0 ? "" : ", ").append(name).append(" (needed by ").append(by).append(')'));
            throw new IOException("no " + arch.osArch + " shared library " + m + " in " + sysroots + ": give a root file system of "
                    + arch.osArch + " with its C library with --sysroot (Debian: the libc6:" + arch.debianName() + " package unpacked, or "
                    + "/usr/" + arch.triplet + " of libc6-" + arch.debianName() + "-cross)");
        }
        return libs;
    }

    private static Optional<Map.Entry<String, Path>> find(List<String> paths, TargetArch arch, List<Path> sysroots) throws IOException {
        for (Path root : sysroots) {
            for (String rel : paths) {
                Path p = root.resolve(rel);
                // an absolute link in an unpacked root (Debian's ppc64el /lib64/ld64.so.2) means that root's file
                for (int hops = 0; hops < 16 && Files.isSymbolicLink(p); hops++) {
                    Path target = Files.readSymbolicLink(p);
                    p = target.isAbsolute() ? root.resolve(target.toString().substring(1)) : p.resolveSibling(target);
                }
                if (Files.isRegularFile(p)) {
                    Path real = p.toRealPath();
                    if (TargetArch.ofElf(real).filter(a -> a == arch).isPresent()) {
                        return Optional.of(Map.entry(rel, real));
                    }
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The busybox's applets, from {@code busybox --list}; run by {@code qemu-<arch>-static} when it is
     * of another architecture than this machine's and qemu-user is installed (else through binfmt_misc).
     */
    private static List<String> applets(Path busybox, TargetArch arch) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (TargetArch.host().filter(h -> h == arch).isEmpty()) {
            String qemu = "qemu-" + (arch == TargetArch.AMD64 ? "x86_64" : arch.osArch) + "-static";
            Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")).map(d -> Path.of(d, qemu))
                    .filter(Files::isExecutable).findFirst().ifPresent(q -> cmd.add(q.toString()));
        }
        cmd.add(busybox.toString());
        cmd.add("--list");
        Result r;
        try {
            r = exec(new ProcessBuilder(cmd).redirectErrorStream(true));
        } catch (IOException e) {
            throw new IOException("cannot run " + busybox + " (" + arch.osArch + ") to list its applets: " + e.getMessage()
                    + (cmd.size() == 2 && TargetArch.host().filter(h -> h == arch).isEmpty() ? " (Debian: qemu-user-static)" : ""), e);
        }
        if (r.status != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.status + ": " + r.out.strip());
        }
        List<String> out = new ArrayList<>();
        for (String a : r.out.split("\n")) {
            if (a.matches("[a-z0-9_.\\[-]+")) {
                out.add(a);
            }
        }
        if (!out.contains("sh")) {
            throw new IOException(busybox + " --list names no sh");
        }
        return out;
    }

    private record Result(int status, String out) {
    }

    private static String exec(List<String> cmd) throws IOException {
        Result r = exec(new ProcessBuilder(cmd).redirectErrorStream(true));
        if (r.status != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + r.status + ": " + r.out.strip());
        }
        return r.out;
    }

    private static Result exec(ProcessBuilder pb) throws IOException {
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException(pb.command() + " did not end in 10 minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
        return new Result(p.exitValue(), out);
    }

    static String sha256(byte[] b) {
        return HexFormat.of().formatHex(digest().digest(b));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }

    /** One layer: a tar of root file system entries, owned by root, and its sha256 (the diff id). */
    private static final class Layer implements AutoCloseable {
        final Path file;
        final Tar tar;
        final DigestOutputStream digesting;
        final java.util.Set<String> dirs = new java.util.HashSet<>();
        String digest;

        Layer(Path file) throws IOException {
            this.file = file;
            this.digesting = new DigestOutputStream(Files.newOutputStream(file), digest());
            this.tar = new Tar(digesting);
        }

        void dir(String name, int mode) throws IOException {
            if (dirs.add(name)) {
                tar.dir(name, mode, 0);
            }
        }

        /** The directories above a path, 0755. */
        void parents(String path) throws IOException {
            int slash = path.indexOf('/');
            while (slash > 0) {
                dir(path.substring(0, slash), 0755);
                slash = path.indexOf('/', slash + 1);
            }
        }

        void file(String name, Path from, int mode) throws IOException {
            tar.file(name, from, mode, Files.getLastModifiedTime(from).toMillis() / 1000);
        }

        void bytes(String name, byte[] content, int mode) throws IOException {
            tar.bytes(name, content, mode, 0);
        }

        void symlink(String name, String target) throws IOException {
            tar.symlink(name, target);
        }

        /**
         * A directory tree under a name: directories 0755, files 0755 when executable, else 0644; a
         * symbolic link (the JDK's legal notices) as the file it names.
         */
        void tree(String name, Path root, java.util.function.Predicate<Path> skip) throws IOException {
            List<Path> all;
            try (Stream<Path> s = Files.walk(root)) {
                all = s.filter(p -> !skip.test(p)).sorted().toList();
            }
            for (Path p : all) {
                String rel = root.relativize(p).toString();
                String n = rel.isEmpty() ? name : name + "/" + rel;
                if (Files.isDirectory(p)) {
                    dir(n, 0755);
                } else {
                    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                    file(n, p.toRealPath(), perms.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644);
                }
            }
        }

        @Override
        public void close() throws IOException {
            tar.close();
            digest = HexFormat.of().formatHex(digesting.getMessageDigest().digest());
        }
    }

    /**
     * A POSIX ustar writer: directories, regular files and symbolic links, owner 0:0, names up to 255
     * bytes (prefix and name fields), two zero blocks at the end.
     */
    static final class Tar implements AutoCloseable {
        private final OutputStream out;

        Tar(OutputStream out) {
            this.out = new java.io.BufferedOutputStream(out, 1 << 16);
        }

        void dir(String name, int mode, long mtime) throws IOException {
            header(name + "/", '5', mode, 0, mtime, "");
        }

        void symlink(String name, String target) throws IOException {
            header(name, '2', 0777, 0, 0, target);
        }

        void bytes(String name, byte[] content, int mode, long mtime) throws IOException {
            header(name, '0', mode, content.length, mtime, "");
            out.write(content);
            pad(content.length);
        }

        void file(String name, Path from, int mode, long mtime) throws IOException {
            long size = Files.size(from);
            header(name, '0', mode, size, mtime, "");
            long copied;
            try (InputStream in = Files.newInputStream(from)) {
                copied = in.transferTo(out);
            }
            if (copied != size) {
                throw new IOException(from + " changed while it was written into the image");
            }
            pad(size);
        }

        private void pad(long size) throws IOException {
            int rest = (int) (size % 512);
            if (rest != 0) {
                out.write(new byte[512 - rest]);
            }
        }

        private void header(String name, char type, int mode, long size, long mtime, String link) throws IOException {
            byte[] h = new byte[512];
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            String prefix = "";
            String rest = name;
            if (n.length > 100) {
                int cut = name.lastIndexOf('/', name.length() - 2);
                while (cut > 0 && (name.substring(0, cut).getBytes(StandardCharsets.UTF_8).length > 155
                        || name.substring(cut + 1).getBytes(StandardCharsets.UTF_8).length > 100)) {
                    cut = name.lastIndexOf('/', cut - 1);
                }
                if (cut <= 0) {
                    throw new IOException("a name too long for a tar header: " + name);
                }
                prefix = name.substring(0, cut);
                rest = name.substring(cut + 1);
            }
            byte[] l = link.getBytes(StandardCharsets.UTF_8);
            if (l.length > 100) {
                throw new IOException("a link target too long for a tar header: " + link);
            }
            put(h, 0, rest.getBytes(StandardCharsets.UTF_8));
            octal(h, 100, 8, mode);
            octal(h, 108, 8, 0);
            octal(h, 116, 8, 0);
            octal(h, 124, 12, size);
            octal(h, 136, 12, mtime);
            java.util.Arrays.fill(h, 148, 156, (byte) ' ');
            h[156] = (byte) type;
            put(h, 157, l);
            put(h, 257, "ustar\0".getBytes(StandardCharsets.US_ASCII));
            put(h, 263, "00".getBytes(StandardCharsets.US_ASCII));
            put(h, 265, "root".getBytes(StandardCharsets.US_ASCII));
            put(h, 297, "root".getBytes(StandardCharsets.US_ASCII));
            put(h, 345, prefix.getBytes(StandardCharsets.UTF_8));
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            octal(h, 148, 7, sum);
            out.write(h);
        }

        private static void put(byte[] h, int at, byte[] value) {
            System.arraycopy(value, 0, h, at, value.length);
        }

        private static void octal(byte[] h, int at, int width, long value) throws IOException {
            String s = Long.toOctalString(value);
            if (s.length() > width - 1) {
                throw new IOException("a value too large for a tar header: " + value);
            }
            s = "0".repeat(width - 1 - s.length()) + s;
            put(h, at, s.getBytes(StandardCharsets.US_ASCII));
        }

        @Override
        public void close() throws IOException {
            out.write(new byte[1024]);
            out.close();
        }
    }
}
