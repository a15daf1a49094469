package dev.jcni.sdk.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code jcni node-image}: a container image of a distribution, for the DaemonSet that installs it on
 * every node of a Kubernetes cluster (docs/kubernetes.md), written as a docker-archive tar that
 * {@code podman load} and {@code ctr images import} read, with no registry and no base image. Three
 * layers, each a tar written here from the build machine's files:
 * <ol>
 *   <li>a static shell: Debian's {@code busybox-static} as {@code /bin/busybox} with a link per applet
 *       in {@code /bin} (install.sh and the launchers are sh scripts using POSIX tools), {@code /etc/passwd}
 *       with root (no {@code /etc/group}), and the shared
 *       libraries the runtime's and the distribution's executables and libraries need, found with
 *       {@code ldd} and copied to the paths it prints (glibc, zlib, ...);</li>
 *   <li>a Java runtime at {@value #JAVA_DIR}, made with {@code jlink} from {@code --java-home} ({@link #MODULES},
 *       stripped, with a CDS archive: the launchers train their start-up archives on it); left out
 *       when the distribution brings its own ({@code lib/runtime}) or no {@code --java-home} is given;</li>
 *   <li>the distribution at {@value #DIST_DIR}, without its start-up archives ({@code lib/archives}:
 *       install.sh leaves them out and trains new ones on the node).</li>
 * </ol>
 *
 * <pre>
 * jcni node-image --dist DIR --out FILE.tar --tag NAME:VERSION [--java-home JDK] [--busybox PATH]
 * </pre>
 */
public final class NodeImage {
    /** Where the distribution is in the image. */
    public static final String DIST_DIR = "jcni";
    /** Where the Java runtime is in the image. */
    public static final String JAVA_DIR = "jcni-java";
    /** The runtime's modules: java.base and what Jackson uses when present (logging, XML and SQL types). */
    static final String MODULES = "java.base,java.logging,java.xml,java.sql,java.naming,jdk.unsupported";
    static final String USAGE = "usage: jcni node-image --dist DIR --out FILE.tar --tag NAME:VERSION [--java-home JDK] [--busybox PATH]";

    private NodeImage() {
    }

    /**
     * What to build.
     *
     * @param dist the distribution ({@code jcni package}'s output directory)
     * @param out the image archive to write
     * @param tag the image's name, e.g. {@code jcni/plugins-reference:0.1.0}
     * @param javaHome the JDK to make the image's runtime from (with its jmods); empty: no runtime
     * @param busybox a static busybox
     */
    public record Spec(Path dist, Path out, String tag, Optional<Path> javaHome, Path busybox) {
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
        Path dist = null;
        Path out = null;
        String tag = null;
        Path javaHome = null;
        Path busybox = Path.of("/bin/busybox");
        for (int i = 0; i < args.size(); i += 2) {
            String a = args.get(i);
            if (i + 1 >= args.size()) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args.get(i + 1);
            switch (a) {
                case "--dist" -> dist = Path.of(v);
                case "--out" -> out = Path.of(v);
                case "--tag" -> tag = v;
                case "--java-home" -> javaHome = Path.of(v);
                case "--busybox" -> busybox = Path.of(v);
                default -> throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        if (dist == null || out == null || tag == null) {
            throw new IllegalArgumentException("--dist, --out and --tag are required");
        }
        if (!tag.matches("[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")) {
            throw new IllegalArgumentException("--tag must be NAME:VERSION (lower-case name), got " + tag);
        }
        return new Spec(dist, out, tag, Optional.ofNullable(javaHome), busybox);
    }

    /**
     * Writes the image archive.
     *
     * @param spec what to build
     * @param log progress
     * @return the archive
     * @throws IOException when a file cannot be read or written, or jlink or ldd fail
     */
    public static Path write(Spec spec, PrintStream log) throws IOException {
        Path dist = spec.dist().toAbsolutePath();
        if (!Files.isRegularFile(dist.resolve("lib/jcni-dist.properties")) || !Files.isRegularFile(dist.resolve("install.sh"))) {
            throw new IOException(dist + " is not a jcni distribution (no lib/jcni-dist.properties or install.sh)");
        }
        if (!Files.isRegularFile(spec.busybox()) || !isStatic(spec.busybox())) {
            throw new IOException(spec.busybox() + " is not a static executable (install busybox-static)");
        }
        Path work = Files.createTempDirectory(spec.out().toAbsolutePath().getParent(), ".node-image");
        try {
            Optional<Path> runtime = Optional.empty();
            if (Files.isExecutable(dist.resolve("lib/runtime/bin/java"))) {
                log.println("jcni node-image: the distribution brings its own Java runtime (lib/runtime): no other");
            } else if (spec.javaHome().isPresent()) {
                runtime = Optional.of(jlink(spec.javaHome().get(), dist, work.resolve("runtime"), log));
            }
            List<Path> elves = new ArrayList<>();
            try (Stream<Path> s = Files.walk(dist.resolve("lib"))) {
                s.filter(p -> !p.startsWith(dist.resolve("lib/archives")) && isElf(p)).forEach(elves::add);
            }
            if (runtime.isPresent()) {
                try (Stream<Path> s = Files.walk(runtime.get())) {
                    s.filter(NodeImage::isElf).forEach(elves::add);
                }
            }
            Map<String, Path> libraries = sharedLibraries(elves);

            List<Layer> layers = new ArrayList<>();
            try (Layer base = new Layer(work.resolve("base.tar"))) {
                for (String d : List.of("bin", "etc", "root", "proc", "sys", "dev", "run", "var", "var/tmp", "host")) {
                    base.dir(d, 0755);
                }
                base.dir("tmp", 01777);
                base.file("bin/busybox", spec.busybox(), 0755);
                for (String applet : applets(spec.busybox())) {
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
            writeArchive(spec, layers, runtime.isPresent());
            log.println("jcni node-image: wrote " + spec.out() + " (" + spec.tag() + ", " + Files.size(spec.out()) / (1024 * 1024)
                    + " MiB: busybox, " + libraries.size() + " shared libraries" + (runtime.isPresent() ? ", a Java runtime" : "")
                    + ", the distribution)");
            return spec.out();
        } finally {
            deleteTree(work);
        }
    }

    /** manifest.json, the image configuration named by its digest, and the layers, in one tar. */
    private static void writeArchive(Spec spec, List<Layer> layers, boolean withJava) throws IOException {
        StringBuilder diffIds = new StringBuilder();
        StringBuilder files = new StringBuilder();
        for (Layer l : layers) {
            diffIds.append(diffIds.length() == 0 ? "" : ", ").append("\"sha256:").append(l.digest).append('"');
            files.append(files.length() == 0 ? "" : ", ").append('"').append(l.digest).append("/layer.tar\"");
        }
        String path = "/bin" + (withJava ? ":/" + JAVA_DIR + "/bin" : "");
        String config = "{\"architecture\": \"" + goArch() + "\", \"os\": \"linux\", \"config\": {\"Env\": [\"PATH=" + path
                + "\", \"JCNI_DIST=/" + DIST_DIR + "\"" + (withJava ? ", \"JCNI_IMAGE_JAVA=/" + JAVA_DIR + "\"" : "")
                + "], \"Cmd\": [\"/bin/sh\"], \"WorkingDir\": \"/\", \"Labels\": {\"dev.jcni.dist\": \"/" + DIST_DIR + "\"}},"
                + " \"rootfs\": {\"type\": \"layers\", \"diff_ids\": [" + diffIds + "]}}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        String configName = sha256(configBytes) + ".json";
        String manifest = "[{\"Config\": \"" + configName + "\", \"RepoTags\": [\"" + spec.tag() + "\"], \"Layers\": [" + files + "]}]";
        String name = spec.tag().substring(0, spec.tag().lastIndexOf(':'));
        String version = spec.tag().substring(spec.tag().lastIndexOf(':') + 1);
        String repositories = "{\"" + name + "\": {\"" + version + "\": \"" + layers.get(layers.size() - 1).digest + "\"}}";
        Path tmp = spec.out().resolveSibling("." + spec.out().getFileName() + ".tmp");
        try (Tar t = new Tar(Files.newOutputStream(tmp))) {
            for (Layer l : layers) {
                t.dir(l.digest, 0755, 0);
                t.file(l.digest + "/layer.tar", l.file, 0644, 0);
            }
            t.bytes(configName, configBytes, 0644, 0);
            t.bytes("manifest.json", manifest.getBytes(StandardCharsets.UTF_8), 0644, 0);
            t.bytes("repositories", repositories.getBytes(StandardCharsets.UTF_8), 0644, 0);
        }
        Files.move(tmp, spec.out(), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** jlink: {@link #MODULES}, stripped, with the default CDS archive. */
    private static Path jlink(Path javaHome, Path dist, Path out, PrintStream log) throws IOException {
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

    /** Every shared library ldd finds for these executables and libraries: the path it prints to the file. */
    private static Map<String, Path> sharedLibraries(List<Path> elves) throws IOException {
        Map<String, Path> libs = new TreeMap<>();
        for (Path e : elves) {
            if (isStatic(e)) {
                continue;
            }
            for (String line : exec(List.of("ldd", e.toString())).split("\n")) {
                String l = line.strip();
                if (l.contains("not found")) {
                    // the runtime's own libraries find each other through $ORIGIN; ldd on one alone may not
                    continue;
                }
                int arrow = l.indexOf("=> ");
                String path = (arrow >= 0 ? l.substring(arrow + 3) : l).split(" ")[0];
                if (path.startsWith("/")) {
                    libs.put(path.substring(1), Path.of(path).toRealPath());
                }
            }
        }
        // the system's libraries only: the runtime's own stay where the runtime has them
        libs.keySet().removeIf(k -> !(k.startsWith("lib/") || k.startsWith("lib64/") || k.startsWith("usr/lib/")
                || k.startsWith("usr/lib64/")));
        return libs;
    }

    private static boolean isElf(Path p) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether an ELF file has no program interpreter and no dynamic section (ldd says "not a dynamic executable"). */
    private static boolean isStatic(Path p) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("ldd", p.toString()).redirectErrorStream(true);
        Result r = exec(pb);
        return r.status != 0 || r.out.contains("statically linked") || r.out.contains("not a dynamic executable");
    }

    private static List<String> applets(Path busybox) throws IOException {
        List<String> out = new ArrayList<>();
        for (String a : exec(List.of(busybox.toString(), "--list")).split("\n")) {
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

    private static String goArch() {
        return TargetArch.host().map(TargetArch::goName).orElse(System.getProperty("os.arch"));
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
