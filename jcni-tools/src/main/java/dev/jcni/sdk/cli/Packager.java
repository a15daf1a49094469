package dev.jcni.sdk.cli;

import dev.jcni.sdk.internal.CliCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code jcni package}: turns a class path and main classes into a drop-in distribution directory
 * (launchers, jars, the warm-mode shim, trained start-up archives, an install script). The one way
 * jcni packages any plugin, the reference plugins included; see docs/packaging.md.
 */
final class Packager {
    private Packager() {
    }

    static final String USAGE = "usage: jcni package --name DIST --out DIR --class-path CP --plugin NAME=MAIN... "
            + "[--command NAME=MAIN]... [--training NAME=FILE]... [--include FILE]... [--java JAVA_HOME]... "
            + "[--no-train] [--no-shim] [--runtime jlink|none|auto] [--jmods DIR] [--runtime-modules M,...] "
            + "[--arch amd64|arm64|ppc64le|s390x|riscv64]";

    /** The oldest Java the launchers accept (the release jcni compiles for). */
    static final int MIN_JAVA = 17;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    /** A launcher's own JVM options stay unquoted (a word list): only characters sh leaves alone. */
    private static final Pattern JAVA_OPTS_WORDS = Pattern.compile("[A-Za-z0-9 :+=._/-]*");
    private static final Pattern CLASS = Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
    private static final FileTime EPOCH = FileTime.fromMillis(315532800000L); // 1980-01-01, the zip epoch
    private static final String RESOURCES = "/dev/jcni/sdk/cli/dist/";
    private static final String SHIM_SOURCE = "/dev/jcni/sdk/warm/jcni-shim.c";
    /**
     * gcc's flags for the shim, which root runs on every call: every warning an error, the usual
     * hardening, and jcni's CNI versions (for the shim's own error JSON).
     */
    static final List<String> SHIM_CFLAGS = List.of("-O2", "-Wall", "-Wextra", "-Werror", "-Wconversion", "-Wshadow",
            "-Wformat=2", "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong", "-fPIE", "-pie", "-Wl,-z,relro,-z,now",
            "-DJCNI_CNI_VERSIONS=\"" + String.join("\",\"", dev.jcni.sdk.version.SpecVersions.ALL) + "\"",
            "-DJCNI_CNI_CURRENT=\"" + dev.jcni.sdk.version.SpecVersions.CURRENT + "\"");

    /**
     * JVM options of the short-lived launchers (plugins, commands): quick start, small footprint. The
     * start-up archive is mapped at the address it was made for ({@code ArchiveRelocationMode=0}, the
     * JDK's default until Java 19): newer JVMs, Debian's 17.0.15 among them, move it to a random
     * address by default, which rewrites every pointer in it at each start, 5 to 7 ms of a cold call
     * (docs/packaging.md). Where that address is taken the JVM still relocates.
     */
    static final String SHORT_LIVED_OPTS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 "
            + "-XX:-UsePerfData -Xss512k -XX:MaxRAM=1g -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0";
    /**
     * JVM options of the warm-mode daemon: a bounded heap, full JIT, and the C heap given back to the
     * OS every 5 s (a C2 compilation's arena otherwise stays in the RSS: 126 MiB after 10,000 calls
     * instead of 82; bench/warm-soak.sh). JVMs before 17.0.9 do not know that option and ignore it.
     * Processes start with vfork on every Java, 25 included (which says once on the daemon's stderr
     * that it is deprecated): one exec per iptables run instead of two through jspawnhelper, warm
     * bridge+host-local ipMasq ADD+DEL 0.90x Go instead of 1.14x (one run each of the warm rows now in
     * bench/compare.sh).
     */
    static final String DAEMON_OPTS = "-XX:+UseSerialGC -Xms16m -Xmx96m -XX:MaxMetaspaceSize=96m -XX:-UsePerfData "
            + "-Xss512k -XX:+IgnoreUnrecognizedVMOptions -XX:TrimNativeHeapInterval=5000 "
            + "-Djdk.lang.Process.launchMechanism=VFORK";
    /** The warm-mode daemon's main class. */
    static final String DAEMON_MAIN = "dev.jcni.sdk.warm.Daemon";

    /** What to package. */
    record Spec(String dist, Path out, List<Path> classPath, Map<String, String> plugins, Map<String, String> commands,
                Map<String, Path> training, List<Path> includes, List<Path> javaHomes, boolean train, boolean shim,
                BundledRuntime.Mode runtime, Optional<Path> jmods, List<String> runtimeModules, Optional<TargetArch> arch) {
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        Spec spec;
        try {
            spec = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("jcni package: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            Path dist = build(spec, env, err);
            out.println("jcni package: " + spec.dist() + " packaged in " + dist);
            return 0;
        } catch (IOException | UncheckedIOException | IllegalStateException e) {
            err.println("jcni package: " + e.getMessage());
            return 1;
        }
    }

    static Spec parse(List<String> args) {
        String dist = null;
        Path out = null;
        List<Path> cp = new ArrayList<>();
        Map<String, String> plugins = new LinkedHashMap<>();
        Map<String, String> commands = new LinkedHashMap<>();
        Map<String, Path> training = new LinkedHashMap<>();
        List<Path> includes = new ArrayList<>();
        List<Path> javaHomes = new ArrayList<>();
        boolean train = true;
        boolean shim = true;
        BundledRuntime.Mode runtime = BundledRuntime.Mode.AUTO;
        Optional<Path> jmods = Optional.empty();
        List<String> runtimeModules = new ArrayList<>();
        Optional<TargetArch> arch = Optional.empty();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--name" -> dist = name(value(args, ++i, a), a);
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--class-path", "-cp" -> {
                    for (String e : value(args, ++i, a).split(":")) {
                        if (!e.isEmpty()) {
                            cp.add(Path.of(e));
                        }
                    }
                }
                case "--plugin" -> entry(value(args, ++i, a), a, plugins, commands);
                case "--command" -> entry(value(args, ++i, a), a, commands, plugins);
                case "--training" -> {
                    String v = value(args, ++i, a);
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException(a + " takes NAME=FILE, not " + v);
                    }
                    training.put(name(v.substring(0, eq), a), Path.of(v.substring(eq + 1)));
                }
                case "--include" -> includes.add(Path.of(value(args, ++i, a)));
                case "--java" -> javaHomes.add(Path.of(value(args, ++i, a)));
                case "--no-train" -> train = false;
                case "--no-shim" -> shim = false;
                case "--runtime" -> runtime = BundledRuntime.Mode.parse(value(args, ++i, a));
                case "--jmods" -> jmods = Optional.of(Path.of(value(args, ++i, a)));
                case "--runtime-modules" -> runtimeModules.addAll(BundledRuntime.moduleNames(value(args, ++i, a)));
                case "--arch" -> arch = Optional.of(TargetArch.of(value(args, ++i, a)));
                default -> throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        if (dist == null || out == null || cp.isEmpty() || plugins.isEmpty() && commands.isEmpty()) {
            throw new IllegalArgumentException("--name, --out, --class-path and at least one --plugin are required");
        }
        for (String n : training.keySet()) {
            if (!plugins.containsKey(n) && !commands.containsKey(n)) {
                throw new IllegalArgumentException("--training names " + n + ", which is no --plugin or --command");
            }
        }
        if (runtime == BundledRuntime.Mode.NONE && (jmods.isPresent() || !runtimeModules.isEmpty())) {
            throw new IllegalArgumentException("--jmods and --runtime-modules make a bundled runtime: not with --runtime none");
        }
        return new Spec(dist, out, cp, plugins, commands, training, includes, javaHomes, train, shim, runtime, jmods,
                List.copyOf(runtimeModules), arch);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    private static String name(String v, String option) {
        if (!NAME.matcher(v).matches() || v.length() > 64) {
            throw new IllegalArgumentException(option + ": " + v + " is not a valid name (letters, digits, . _ + -)");
        }
        return v;
    }

    private static void entry(String v, String option, Map<String, String> into, Map<String, String> other) {
        int eq = v.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(option + " takes NAME=MAIN_CLASS, not " + v);
        }
        String n = name(v.substring(0, eq), option);
        String main = v.substring(eq + 1);
        if (!CLASS.matcher(main).matches()) {
            throw new IllegalArgumentException(option + ": " + main + " is not a class name");
        }
        if (into.containsKey(n) || other.containsKey(n)) {
            throw new IllegalArgumentException(option + ": " + n + " is given twice");
        }
        into.put(n, main);
    }

    // ------------------------------------------------------------------ build

    static Path build(Spec spec, Map<String, String> env, PrintStream log) throws IOException {
        Path out = spec.out().toAbsolutePath().normalize();
        prepare(out);
        Path lib = Files.createDirectories(out.resolve("lib"));
        Path bin = Files.createDirectories(out.resolve("bin"));
        List<String> jars = copyClassPath(withTools(spec.classPath()), lib);
        extractNativeLibraries(lib, jars, spec.arch());
        Optional<List<String>> modules = BundledRuntime.make(spec, lib, jars, env, log);
        String id = distributionId(spec, lib, jars);
        writeProperties(spec, lib, jars, id, modules);
        String cp = classPathExpression(jars);
        for (Map.Entry<String, String> p : spec.plugins().entrySet()) {
            writeLauncher(bin.resolve(p.getKey()), spec.dist(), id, p.getKey(), p.getValue(), "plugin", cp, SHORT_LIVED_OPTS);
        }
        for (Map.Entry<String, String> c : spec.commands().entrySet()) {
            writeLauncher(bin.resolve(c.getKey()), spec.dist(), id, c.getKey(), c.getValue(), "command", cp, SHORT_LIVED_OPTS);
        }
        writeLauncher(lib.resolve("jcni-daemon"), spec.dist(), id, "jcni-daemon", DAEMON_MAIN, "daemon", cp, DAEMON_OPTS);
        Path training = Files.createDirectories(lib.resolve("training"));
        for (Map.Entry<String, Path> t : spec.training().entrySet()) {
            Files.copy(t.getValue(), training.resolve(t.getKey() + ".json"), StandardCopyOption.REPLACE_EXISTING);
        }
        if (spec.shim()) {
            compileShim(lib, env, log, spec.arch());
            if (Files.isExecutable(lib.resolve("jcni-shim"))) {
                writeEntryPoints(out, spec, id, env, spec.arch());
            }
        }
        writeTemplate("install.sh", out.resolve("install.sh"), Map.of("DIST", spec.dist(), "DIST_SH", shQuote(spec.dist())), true);
        writeTemplate("jcni-daemon.service", out.resolve("jcni-" + spec.dist() + ".service"), Map.of("DIST", spec.dist()), false);
        for (Path inc : spec.includes()) {
            copyTree(inc, out.resolve(inc.getFileName()));
        }
        if (spec.train()) {
            train(out, spec, env, log);
            if (Files.isExecutable(lib.resolve("jcni-shim"))) {
                recordVersionAnswers(out, spec.plugins().keySet(), env, log);
            }
        }
        return out;
    }

    /** The first bytes of every VERSION answer the shim can give itself. */
    static final String VERSION_HEAD = "{\"cniVersion\":\"";

    /**
     * Records each plugin's VERSION answer, as the plugin's JVM gives it to a configuration without
     * {@code cniVersion}, in {@code lib/version/<plugin>.json}: the shim answers the common VERSION
     * call from it without a JVM, the configuration's {@code cniVersion} echoed in place of the
     * plugin's own (jcni-shim.c). Made with this JVM (the answer does not depend on the JVM); a plugin
     * whose answer has another shape gets none, and its VERSION calls start a JVM as before.
     */
    private static void recordVersionAnswers(Path out, Collection<String> plugins, Map<String, String> env, PrintStream log)
            throws IOException {
        Path dir = Files.createDirectories(out.resolve("lib").resolve("version"));
        Path work = Files.createTempDirectory("jcni-version");
        try {
            Path in = Files.writeString(work.resolve("in.json"), "{}");
            for (String name : plugins) {
                Path answer = work.resolve(name + ".json");
                ProcessBuilder pb = new ProcessBuilder(shLauncher(out, name).toString(), "--jcni-cold")
                        .redirectInput(in.toFile()).redirectOutput(answer.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD);
                pb.environment().clear();
                pb.environment().putAll(env);
                for (String v : List.of("JCNI_JAVA_OPTS", "JCNI_LOG_LEVEL", "JCNI_LOG_FILE", "JCNI_WARM", "JAVA_TOOL_OPTIONS",
                        "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS")) {
                    pb.environment().remove(v);
                }
                pb.environment().put("JCNI_JAVA_HOME", System.getProperty("java.home"));
                pb.environment().put("CNI_COMMAND", "VERSION");
                Process p = pb.start();
                try {
                    if (!p.waitFor(120, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        throw new IOException("VERSION of " + name + " did not answer within 120 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    p.destroyForcibly();
                    throw new IOException("interrupted", e);
                }
                String text = Files.readString(answer, StandardCharsets.ISO_8859_1);
                if (p.exitValue() == 0 && isRecordableVersionAnswer(text)) {
                    Files.move(answer, dir.resolve(name + ".json"), StandardCopyOption.REPLACE_EXISTING);
                } else {
                    log.println("jcni package: " + name + "'s VERSION answer is not of the usual shape: its VERSION calls"
                            + " start a JVM (exit " + p.exitValue() + ")");
                }
            }
        } finally {
            deleteTree(work);
        }
    }

    /** Printable ASCII ending in a newline, starting with {@link #VERSION_HEAD} and a version up to a quote. */
    static boolean isRecordableVersionAnswer(String text) {
        if (!text.startsWith(VERSION_HEAD) || !text.endsWith("\n") || text.length() > 4000
                || text.indexOf('"', VERSION_HEAD.length()) < 0) {
            return false;
        }
        for (int i = 0; i < text.length() - 1; i++) {
            if (text.charAt(i) < 0x20 || text.charAt(i) > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** An output directory is made anew; an existing one must be empty or a distribution. */
    private static void prepare(Path out) throws IOException {
        if (Files.exists(out)) {
            boolean empty;
            try (Stream<Path> s = Files.list(out)) {
                empty = s.findAny().isEmpty();
            }
            if (!empty && !Files.isRegularFile(out.resolve("lib/jcni-dist.properties"))) {
                throw new IllegalStateException(out + " exists and is not a jcni distribution: refusing to replace it");
            }
            deleteTree(out);
        }
        Files.createDirectories(out);
    }

    /**
     * The class path and, at its end, jcni's tools: the jar of this class (the trainer that the launchers
     * and install.sh run, {@code jcni package}) and the jars of the CLI commands it sees ({@code jcni
     * conformance} from the test kit). A call never loads them: the plugin's own entries come first. An
     * entry already there (the same file, or a file of the same name) is not added again.
     */
    static List<Path> withTools(List<Path> classPath) {
        Map<String, Path> byName = new LinkedHashMap<>();
        for (Path p : classPath) {
            byName.putIfAbsent(p.toAbsolutePath().normalize().toString(), p);
        }
        Set<String> names = new LinkedHashSet<>();
        classPath.forEach(p -> names.add(String.valueOf(p.getFileName())));
        List<Class<?>> tools = new ArrayList<>(List.of(Packager.class));
        ServiceLoader.load(CliCommand.class, Packager.class.getClassLoader()).stream().forEach(p -> tools.add(p.type()));
        for (Class<?> c : tools) {
            CodeSource source = c.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                continue;
            }
            Path p;
            try {
                p = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
            } catch (URISyntaxException | IllegalArgumentException e) {
                continue;
            }
            if (Files.isRegularFile(p) && !names.add(p.getFileName().toString())) {
                continue;
            }
            byName.putIfAbsent(p.toString(), p);
        }
        return List.copyOf(byName.values());
    }

    /** Copies the class path into lib/ in order; a directory becomes a jar of its files. */
    private static List<String> copyClassPath(List<Path> classPath, Path lib) throws IOException {
        List<String> names = new ArrayList<>();
        Set<String> taken = new LinkedHashSet<>();
        for (Path entry : classPath) {
            Path e = entry.toAbsolutePath().normalize();
            String base;
            if (Files.isDirectory(e)) {
                base = directoryJarName(e);
            } else if (Files.isRegularFile(e)) {
                base = e.getFileName().toString();
            } else {
                throw new IllegalStateException("class path entry " + e + " does not exist");
            }
            base = base.replaceAll("[^A-Za-z0-9._+-]", "_");
            String n = base;
            for (int k = 2; !taken.add(n); k++) {
                n = k + "-" + base;
            }
            Path target = lib.resolve(n);
            if (Files.isDirectory(e)) {
                jarDirectory(e, target);
            } else {
                Files.copy(e, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
            names.add(n);
        }
        return names;
    }

    /** {@code <module>/target/classes} becomes {@code <module>-classes.jar}. */
    private static String directoryJarName(Path dir) {
        Path p = dir;
        if (p.getFileName() != null && p.getFileName().toString().equals("classes") && p.getParent() != null
                && p.getParent().getFileName() != null && p.getParent().getFileName().toString().equals("target")
                && p.getParent().getParent() != null && p.getParent().getParent().getFileName() != null) {
            return p.getParent().getParent().getFileName() + "-classes.jar";
        }
        return (p.getFileName() == null ? "classes" : p.getFileName().toString()) + ".jar";
    }

    /** A jar of a directory with sorted entries and fixed times, so the same classes give the same bytes. */
    static void jarDirectory(Path dir, Path jar) throws IOException {
        TreeMap<String, Path> files = new TreeMap<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    files.put(dir.relativize(file).toString().replace('\\', '/'), file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(jar))) {
            Set<String> dirs = new LinkedHashSet<>();
            for (Map.Entry<String, Path> f : files.entrySet()) {
                String name = f.getKey();
                for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                    String d = name.substring(0, slash + 1);
                    if (dirs.add(d)) {
                        JarEntry de = new JarEntry(d);
                        de.setLastModifiedTime(EPOCH);
                        jos.putNextEntry(de);
                        jos.closeEntry();
                    }
                }
                JarEntry je = new JarEntry(name);
                je.setLastModifiedTime(EPOCH);
                jos.putNextEntry(je);
                Files.copy(f.getValue(), jos);
                jos.closeEntry();
            }
        }
        Files.setLastModifiedTime(jar, EPOCH);
    }

    /** Where cni-sdk-netlink keeps its JNI library inside its jar, per architecture. */
    private static final String NATIVE_RESOURCE = "dev/jcni/netlink/sys/native/";

    /**
     * cni-sdk-netlink's JNI library, pre-extracted into lib/native/linux-&lt;arch&gt;/: nothing is
     * unpacked at run time (a noexec /tmp works), and the launcher points the library loader at it.
     * Every architecture's, or with {@code --arch} that architecture's only (a class path that
     * carries JNI libraries but none for it is an error).
     */
    private static void extractNativeLibraries(Path lib, List<String> jars, Optional<TargetArch> arch) throws IOException {
        Path nativeDir = lib.resolve("native");
        Set<String> skipped = new java.util.TreeSet<>();
        for (String j : jars) {
            try (JarFile jf = new JarFile(lib.resolve(j).toFile())) {
                for (JarEntry e : (Iterable<JarEntry>) jf.stream()::iterator) {
                    if (e.isDirectory() || !e.getName().startsWith(NATIVE_RESOURCE) || !e.getName().endsWith(".so")) {
                        continue;
                    }
                    Path target = nativeDir.resolve(e.getName().substring(NATIVE_RESOURCE.length())).normalize();
                    if (!target.startsWith(nativeDir)) {
                        continue;
                    }
                    String platform = nativeDir.relativize(target).getName(0).toString();
                    if (arch.isPresent() && !platform.equals("linux-" + arch.get().osArch)) {
                        skipped.add(platform);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    try (InputStream in = jf.getInputStream(e)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        if (arch.isPresent() && !skipped.isEmpty() && !Files.isDirectory(nativeDir.resolve("linux-" + arch.get().osArch))) {
            throw new IllegalStateException("--arch " + arch.get().goName() + ": the class path carries JNI libraries for "
                    + String.join(", ", skipped) + " but none for linux-" + arch.get().osArch);
        }
    }

    /**
     * The distribution's identity: the SHA-256 of its name, entry points and jars (names and bytes,
     * in class path order). Launchers only use jars of their own id, warm mode only serves its own
     * id, and in-process delegation only runs launchers of the calling JVM's id.
     */
    static String distributionId(Spec spec, Path lib, List<String> jars) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        update(md, spec.dist());
        for (Map<String, String> m : List.of(spec.plugins(), spec.commands())) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                update(md, e.getKey() + "=" + e.getValue());
            }
            update(md, "");
        }
        byte[] buf = new byte[65536];
        for (String j : jars) {
            update(md, j);
            try (InputStream in = Files.newInputStream(lib.resolve(j))) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
        }
        return HexFormat.of().formatHex(md.digest(), 0, 12);
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    private static void writeProperties(Spec spec, Path lib, List<String> jars, String id, Optional<List<String>> modules)
            throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append("id=").append(id).append('\n');
        sb.append("# made by jcni package; read by the launchers, install.sh and the warm-mode daemon\n");
        sb.append("name=").append(spec.dist()).append('\n');
        for (Map.Entry<String, String> p : spec.plugins().entrySet()) {
            sb.append("plugin.").append(p.getKey()).append('=').append(p.getValue()).append('\n');
        }
        for (Map.Entry<String, String> c : spec.commands().entrySet()) {
            sb.append("command.").append(c.getKey()).append('=').append(c.getValue()).append('\n');
        }
        sb.append("class-path=").append(String.join(" ", jars)).append('\n');
        sb.append("min-java=").append(MIN_JAVA).append('\n');
        modules.ifPresent(m -> sb.append("runtime-modules=").append(String.join(",", m)).append('\n'));
        Files.writeString(lib.resolve("jcni-dist.properties"), sb);
    }

    /** The launcher's class path: one sh word, {@code "$lib"/'a.jar':"$lib"/'b.jar'}. */
    static String classPathExpression(List<String> jars) {
        StringBuilder sb = new StringBuilder();
        for (String j : jars) {
            sb.append(sb.length() == 0 ? "" : ":").append("\"$lib\"/").append(shQuote(j));
        }
        return sb.toString();
    }

    /**
     * A value as one sh word in single quotes ({@code '} written {@code '\''}), so that the shell
     * expands nothing in it ({@code a.B$C} stays {@code a.B$C}).
     *
     * @throws IllegalStateException for a value a launcher cannot carry: a NUL, a line break or
     *     another control character (the launcher's header line names values as they are)
     */
    static String shQuote(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalStateException("cannot put a value with control characters into a launcher: "
                        + value.replaceAll("\\p{Cntrl}", "?"));
            }
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    private static void writeLauncher(Path file, String dist, String id, String name, String main, String kind, String cp,
                                      String javaOpts) throws IOException {
        Files.writeString(file, launcher(dist, id, name, main, kind, cp, javaOpts));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * The text of a launcher: the template with its values, each one single-quoted for sh where it
     * is assigned ({@code main='a.B$C'}) and as it is in the header line.
     */
    static String launcher(String dist, String id, String name, String main, String kind, String cp, String javaOpts)
            throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("NAME", name);
        values.put("DIST", dist);
        values.put("ID", id);
        values.put("MAIN", main);
        values.put("KIND", kind);
        values.put("CLASSPATH", cp);
        if (!JAVA_OPTS_WORDS.matcher(javaOpts).matches()) {
            throw new IllegalStateException("JVM options of a launcher must be plain words: " + javaOpts);
        }
        values.put("JAVA_OPTS", javaOpts);
        values.put("MIN_JAVA", Integer.toString(MIN_JAVA));
        for (String k : List.of("NAME", "DIST", "ID", "MAIN", "KIND")) {
            values.put(k + "_SH", shQuote(values.get(k)));
        }
        return fill(resource(RESOURCES + "launcher.sh"), values, "launcher.sh");
    }

    /** Fills {@code @KEY@} placeholders; a placeholder left unfilled is an error, never silent. */
    static String fill(String template, Map<String, String> values, String what) {
        StringBuilder sb = new StringBuilder(template.length() + 256);
        int i = 0;
        while (true) {
            int at = template.indexOf('@', i);
            if (at < 0) {
                sb.append(template, i, template.length());
                break;
            }
            int end = template.indexOf('@', at + 1);
            String key = end < 0 ? "" : template.substring(at + 1, end);
            if (end > at + 1 && key.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c == '_')) {
                String v = values.get(key);
                if (v == null) {
                    throw new IllegalStateException(what + ": no value for placeholder @" + key + "@");
                }
                sb.append(template, i, at).append(v);
                i = end + 1;
            } else {
                sb.append(template, i, at + 1);
                i = at + 1;
            }
        }
        return sb.toString();
    }

    private static void writeTemplate(String resource, Path target, Map<String, String> values, boolean executable)
            throws IOException {
        String text = fill(resource(RESOURCES + resource), values, resource);
        Files.writeString(target, text);
        if (executable) {
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Packager.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("jcni's resource " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------ shim

    /** gcc's flags, after {@link #SHIM_CFLAGS}, for a plugin's compiled entry point (jcni-shim.c, JCNI_ENTRY). */
    static final List<String> ENTRY_CFLAGS = List.of("-DJCNI_ENTRY");

    /** Where the sh launchers of plugins go when bin/ holds their compiled entry points. */
    static final String LAUNCHERS_DIR = "launchers";

    /** A launcher's sh script: lib/launchers/NAME when bin/NAME is a compiled entry point, else bin/NAME. */
    static Path shLauncher(Path out, String name) {
        Path moved = out.resolve("lib").resolve(LAUNCHERS_DIR).resolve(name);
        return Files.isRegularFile(moved) ? moved : out.resolve("bin").resolve(name);
    }

    /**
     * The last line of a plugin's compiled entry point: the sh launcher's marker line and the plugin's
     * name, which the entry point reads from its own file (jcni-shim.c), and install.sh, {@code jcni
     * doctor} and in-process delegation read from its end.
     */
    static String entryTrailer(String dist, String id, String name, String main) {
        shQuote(dist + id + name + main); // no control characters
        return "\n# jcni-launcher dist=" + dist + " id=" + id + " main=" + main + " kind=plugin name=" + name + "\n";
    }

    /**
     * Makes each plugin's bin/NAME a compiled entry point (the shim built with {@code -DJCNI_ENTRY},
     * its identity appended) and moves its sh launcher to lib/launchers/NAME: a warm call and a VERSION
     * the shim answers start no shell; every other call goes through the sh launcher as before.
     */
    private static void writeEntryPoints(Path out, Spec spec, String id, Map<String, String> env, Optional<TargetArch> arch)
            throws IOException {
        if (spec.plugins().isEmpty()) {
            return;
        }
        Path work = Files.createTempDirectory("jcni-entry");
        try {
            Path exe = work.resolve("jcni-entry");
            compile(exe, ENTRY_CFLAGS, env, arch, "the plugins' entry point");
            byte[] entry = Files.readAllBytes(exe);
            Path launchers = Files.createDirectories(out.resolve("lib").resolve(LAUNCHERS_DIR));
            for (Map.Entry<String, String> p : spec.plugins().entrySet()) {
                Path bin = out.resolve("bin").resolve(p.getKey());
                Files.move(bin, launchers.resolve(p.getKey()), StandardCopyOption.REPLACE_EXISTING);
                byte[] trailer = entryTrailer(spec.dist(), id, p.getKey(), p.getValue()).getBytes(StandardCharsets.UTF_8);
                byte[] file = Arrays.copyOf(entry, entry.length + trailer.length);
                System.arraycopy(trailer, 0, file, entry.length, trailer.length);
                Files.write(bin, file);
                Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Compiles the warm-mode shim with gcc into lib/jcni-shim. Without gcc (or without the shim's
     * source) the distribution has no warm mode and its launchers always start a JVM. With
     * {@code --arch}, the compiler is that architecture's ({@code aarch64-linux-gnu-gcc}, ...; plain
     * gcc also serves the build machine's own), a missing one is an error, and the output must be
     * an ELF file of that machine.
     */
    private static void compileShim(Path lib, Map<String, String> env, PrintStream log, Optional<TargetArch> arch)
            throws IOException {
        if (Packager.class.getResource(SHIM_SOURCE) == null) {
            return;
        }
        if (compiler(env, arch).isEmpty() && arch.isEmpty()) {
            log.println("jcni package: no gcc on PATH: the distribution has no warm-mode shim (launchers always start a JVM)");
            return;
        }
        compile(lib.resolve("jcni-shim"), List.of(), env, arch, "the warm-mode shim");
    }

    private static Optional<Path> compiler(Map<String, String> env, Optional<TargetArch> arch) {
        Optional<Path> gcc = arch.isEmpty() ? findTool("gcc", env) : findTool(arch.get().triplet + "-gcc", env);
        if (gcc.isEmpty() && arch.isPresent() && arch.equals(TargetArch.host())) {
            gcc = findTool("gcc", env);
        }
        return gcc;
    }

    /** Compiles jcni-shim.c with {@link #SHIM_CFLAGS} and the extra flags into exe, an ELF file of the target. */
    private static void compile(Path exe, List<String> extraFlags, Map<String, String> env, Optional<TargetArch> arch,
                                String what) throws IOException {
        Optional<Path> gcc = compiler(env, arch);
        if (gcc.isEmpty()) {
            throw new IllegalStateException("--arch " + arch.map(TargetArch::goName).orElse("") + ": no "
                    + arch.map(a -> a.triplet).orElse("") + "-gcc on PATH for the warm-mode shim (Debian: "
                    + arch.map(a -> a.compilerPackage).orElse("gcc") + "), or --no-shim");
        }
        String source;
        try (InputStream in = Packager.class.getResourceAsStream(SHIM_SOURCE)) {
            source = new String(Objects.requireNonNull(in, SHIM_SOURCE).readAllBytes(), StandardCharsets.UTF_8);
        }
        Path work = Files.createTempDirectory("jcni-shim");
        try {
            Path c = work.resolve("jcni-shim.c");
            Files.writeString(c, source);
            List<String> cmd = new ArrayList<>(List.of(gcc.get().toString()));
            cmd.addAll(SHIM_CFLAGS);
            cmd.addAll(extraFlags);
            cmd.addAll(List.of("-o", exe.toString(), c.toString()));
            Outcome o = exec(cmd, env, null, 120);
            if (o.status() != 0) {
                throw new IllegalStateException(gcc.get().getFileName() + " failed to compile " + what + ":\n" + o.output());
            }
            Optional<TargetArch> want = arch.or(TargetArch::host);
            Optional<String> bad = want.isEmpty() ? Optional.empty() : want.get().elfProblem(exe);
            if (bad.isPresent()) {
                Files.delete(exe);
                throw new IllegalStateException(gcc.get() + " made " + what + " not for " + want.get().osArch + ": " + bad.get());
            }
        } finally {
            deleteTree(work);
        }
    }

    static Optional<Path> findTool(String name, Map<String, String> env) {
        List<String> dirs = new ArrayList<>(List.of(env.getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/bin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty()) {
                Path p = Path.of(d, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ training

    /**
     * Trains the start-up archives: the bundled runtime's (one for the whole distribution, when it has
     * one), and every launcher's for each JVM given by {@code --java}; with neither, for every Java
     * home the launchers would consider on this machine. With {@code --arch}, JVMs of that
     * architecture only: a {@code --java} of another is an error. A distribution for another
     * architecture than this machine's is trained only for the JVMs {@code --java} names, which then
     * run under qemu-user (binfmt_misc); without any it is not trained (install.sh trains on the
     * node, docs/architectures.md).
     */
    private static void train(Path out, Spec spec, Map<String, String> env, PrintStream log) throws IOException {
        List<Path> homes = new ArrayList<>();
        String here = architecture(System.getProperty("os.arch", ""));
        Optional<TargetArch> target = spec.arch();
        if (target.isPresent() && !target.get().osArch.equals(here) && spec.javaHomes().isEmpty()) {
            log.println("jcni package: not training: the distribution is for " + target.get().osArch + ", this machine is "
                    + here + " (install.sh trains on the node; --java with a JVM for " + target.get().osArch
                    + " trains it here under qemu-user)");
            return;
        }
        Path bundled = out.resolve("lib").resolve(BundledRuntime.DIR);
        boolean hasBundled = Files.isExecutable(bundled.resolve("bin/java"));
        List<Path> candidates = new ArrayList<>();
        if (hasBundled && architecture(bundled).equals(here)) {
            candidates.add(bundled);
        }
        candidates.addAll(spec.javaHomes().isEmpty() && !hasBundled ? javaHomes(env) : spec.javaHomes());
        for (Path h : candidates) {
            String arch = architecture(h);
            if (target.isPresent() && !target.get().osArch.equals(arch) && !spec.javaHomes().isEmpty()) {
                throw new IllegalStateException("--java " + h + " is a JVM for " + (arch.isEmpty() ? "an unknown architecture"
                        : arch) + ", not for " + target.get().osArch + " (--arch " + target.get().goName() + ")");
            }
            if (target.isPresent() ? target.get().osArch.equals(arch) : arch.isEmpty() || arch.equals(here)) {
                homes.add(h);
            } else {
                // another architecture's JVM (multiarch, qemu-user): training it here would fail or crawl
                log.println("jcni package: not training " + h + ": a JVM for " + arch + (target.isPresent()
                        ? ", the distribution is for " + target.get().osArch : ", this machine is " + here)
                        + " (that JVM runs without a start-up archive)");
            }
        }
        List<String> names = new ArrayList<>(spec.plugins().keySet());
        names.addAll(spec.commands().keySet());
        record Job(Path home, String name) {
        }
        List<Job> jobs = new ArrayList<>();
        for (Path h : homes) {
            // the bundled runtime has one archive for the whole distribution: its first launcher trains it
            for (String n : h.equals(bundled) ? names.subList(0, 1) : names) {
                jobs.add(new Job(h, n));
            }
        }
        int threads = Math.max(1, Math.min(jobs.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Outcome>> results = new ArrayList<>();
            for (Job j : jobs) {
                Map<String, String> e = new LinkedHashMap<>(env);
                if (j.home().equals(bundled)) {
                    e.remove("JCNI_JAVA_HOME"); // the launchers' default
                } else {
                    e.put("JCNI_JAVA_HOME", j.home().toString());
                }
                e.remove("JCNI_JAVA_OPTS");
                e.remove("JCNI_WARM");
                List<String> cmd = List.of(shLauncher(out, j.name()).toString(), "--jcni-train");
                results.add(pool.submit(() -> exec(cmd, e, out, 600)));
            }
            for (int k = 0; k < jobs.size(); k++) {
                Outcome o;
                try {
                    o = results.get(k).get();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while training", ex);
                } catch (java.util.concurrent.ExecutionException ex) {
                    throw new IOException("training " + jobs.get(k) + " failed: " + ex.getCause(), ex.getCause());
                }
                if (o.status() != 0) {
                    throw new IllegalStateException("training " + jobs.get(k).name() + " with " + jobs.get(k).home()
                            + " failed (exit " + o.status() + "):\n" + o.output());
                }
                log.println("jcni package: trained " + (jobs.get(k).home().equals(bundled) ? "the distribution" : jobs.get(k).name())
                        + " for " + jobs.get(k).home());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The Java homes (17 or newer) the launchers would consider on this machine, plus this JVM's unless
     * it is a distribution's bundled runtime (which holds only the modules of that distribution).
     */
    static List<Path> javaHomes(Map<String, String> env) throws IOException {
        Set<Path> seen = new LinkedHashSet<>();
        List<Path> candidates = new ArrayList<>();
        candidates.add(Path.of(System.getProperty("java.home")));
        String jh = env.getOrDefault("JAVA_HOME", "");
        if (!jh.isEmpty()) {
            candidates.add(Path.of(jh));
        }
        for (String root : List.of("/usr/lib/jvm", "/usr/java", "/opt/java")) {
            Path r = Path.of(root);
            if (Files.isDirectory(r)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(r)) {
                    ds.forEach(candidates::add);
                }
            }
        }
        List<Path> homes = new ArrayList<>();
        for (Path c : candidates) {
            if (!Files.isExecutable(c.resolve("bin/java")) || !Files.isRegularFile(c.resolve("release"))) {
                continue;
            }
            if (c.getParent() != null && Files.isRegularFile(c.getParent().resolve("jcni-dist.properties"))) {
                continue; // another distribution's own runtime (jcni package run by its bin/jcni): its modules are its own
            }
            Path real = c.toRealPath();
            if (seen.add(real) && featureVersion(c) >= MIN_JAVA) {
                homes.add(c);
            }
        }
        return homes;
    }

    /**
     * A Java home's architecture from its release file's {@code OS_ARCH} ({@code x86_64} named
     * {@code amd64}, as {@code os.arch} does), else from the ELF header of its {@code bin/java} (a
     * runtime linked from Debian's jmods has no {@code OS_ARCH}); empty when neither says.
     */
    static String architecture(Path javaHome) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("OS_ARCH=")) {
                    return architecture(line.substring("OS_ARCH=".length()).replace("\"", "").trim());
                }
            }
        } catch (IOException e) {
            return "";
        }
        return TargetArch.ofElf(javaHome.resolve("bin/java")).map(a -> a.osArch).orElse("");
    }

    private static String architecture(String osArch) {
        return osArch.equals("x86_64") ? "amd64" : osArch;
    }

    /** The feature version in a Java home's release file; 0 when unreadable. */
    static int featureVersion(Path javaHome) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    int dot = v.indexOf('.');
                    return Integer.parseInt(dot < 0 ? v : v.substring(0, dot));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    // ------------------------------------------------------------------ helpers

    record Outcome(int status, String output) {
    }

    static Outcome exec(List<String> command, Map<String, String> env, Path dir, long timeoutSeconds) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        Process p = pb.start();
        p.getOutputStream().close();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(buf);
            } catch (IOException e) {
                // the process went away
            }
        }, "jcni-package-output");
        pump.start();
        try {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out after " + timeoutSeconds + " s");
            }
            pump.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
        return new Outcome(p.exitValue(), buf.toString(StandardCharsets.UTF_8));
    }

    /** Copies a file, or a directory with everything in it. */
    static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(target.resolve(source.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path t = source.equals(file) ? target : target.resolve(source.relativize(file).toString());
                Files.copy(file, t, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
