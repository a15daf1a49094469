package dev.jcni.sdk.cli;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The Java runtime a distribution carries in {@code lib/runtime} ({@code jcni package --runtime jlink}):
 * made by jlink from a JDK's modules (its {@code jmods} directory, which may be another
 * architecture's) with only the modules the class path needs, stripped and compressed, so that a node
 * without Java runs the plugins. See docs/packaging.md, "The bundled Java runtime".
 */
final class BundledRuntime {
    private BundledRuntime() {
    }

    /** The runtime's directory under the distribution's {@code lib}. */
    static final String DIR = "runtime";

    /** jlink's options besides the modules: no debug attributes, headers or man pages; compressed. */
    static final List<String> JLINK_OPTIONS = List.of("--strip-debug", "--no-header-files", "--no-man-pages",
            "--compress=2");

    /**
     * Modules that a class path entry refers to only for optional features, and which it runs without:
     * jackson-databind's support for {@code java.beans} annotations, {@code java.sql} dates and XML
     * types and DOM trees (each behind a check that the class exists). Dropped from that entry's
     * modules, not from another entry's that needs them too.
     */
    static final Map<String, Set<String>> OPTIONAL_MODULES = Map.of(
            "jackson-databind", Set.of("java.desktop", "java.sql", "java.xml"));

    private static final Pattern MODULE = Pattern.compile("[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*");
    private static final Pattern JDEPS_LINE = Pattern.compile("^\\s*(\\S+)\\s+->\\s+(\\S+)\\s*$");

    /** {@code --runtime}: jlink (fail when it cannot), none, or auto (jlink when jlink and jmods are found). */
    enum Mode {
        AUTO, JLINK, NONE;

        static Mode parse(String v) {
            return switch (v) {
                case "jlink" -> JLINK;
                case "none" -> NONE;
                case "auto" -> AUTO;
                default -> throw new IllegalArgumentException("--runtime takes jlink, none or auto, not " + v);
            };
        }
    }

    /** A comma-separated module list ({@code --runtime-modules}). */
    static List<String> moduleNames(String list) {
        List<String> names = new ArrayList<>();
        for (String m : list.split(",")) {
            String n = m.strip();
            if (!MODULE.matcher(n).matches()) {
                throw new IllegalArgumentException("--runtime-modules: " + m + " is not a module name");
            }
            names.add(n);
        }
        return names;
    }

    /** Where jlink comes from and what it links: a JDK's tools and the jmods of the target. */
    record Jdk(Path jlink, Path jdeps, Path jmods, int feature) {
    }

    /**
     * Makes {@code lib/runtime} when the spec asks for it (or, by default, when a JDK with jlink and
     * jmods is found) and says why not otherwise.
     *
     * @return the modules linked, or empty when the distribution has no runtime of its own
     */
    static Optional<List<String>> make(Packager.Spec spec, Path lib, List<String> jars, Map<String, String> env,
                                       PrintStream log) throws IOException {
        if (spec.runtime() == Mode.NONE) {
            return Optional.empty();
        }
        Optional<Jdk> jdk;
        try {
            jdk = findJdk(spec.jmods(), env);
        } catch (IllegalStateException e) {
            if (spec.runtime() == Mode.JLINK || spec.jmods().isPresent()) {
                throw e;
            }
            log.println("jcni package: " + e.getMessage());
            jdk = Optional.empty();
        }
        if (jdk.isEmpty()) {
            String why = "no JDK with jlink and jmods (the JDK's modules, e.g. Debian's openjdk-17-jmods) on this machine";
            if (spec.runtime() == Mode.JLINK) {
                throw new IllegalStateException("--runtime jlink: " + why + "; give them with --jmods DIR");
            }
            log.println("jcni package: " + why + ": the distribution has no Java runtime of its own and runs on the "
                    + "node's Java 17+ (--jmods DIR to bundle one, --runtime none to say so)");
            return Optional.empty();
        }
        String jmodsArch = targetArchitecture(jdk.get());
        if (spec.arch().isPresent()) {
            String wanted = spec.arch().get().osArch;
            if (!jmodsArch.equals(wanted)) {
                String why = "the jmods " + jdk.get().jmods() + " are for " + jmodsArch + ", the distribution is for " + wanted;
                if (spec.runtime() == Mode.JLINK || spec.jmods().isPresent()) {
                    throw new IllegalStateException(why + " (--jmods DIR: that architecture's jmods)");
                }
                log.println("jcni package: no Java runtime of its own: " + why + " (--jmods DIR with " + wanted
                        + "'s jmods to bundle one); it runs on the node's Java 17+");
                return Optional.empty();
            }
        }
        List<String> modules = modules(jdk.get(), lib, jars, spec.runtimeModules());
        Path runtime = lib.resolve(DIR);
        link(jdk.get(), jmodsArch, modules, runtime, env);
        log.println("jcni package: bundled a Java " + jdk.get().feature() + " runtime (" + String.join(",", modules)
                + ") made by " + jdk.get().jlink() + " from " + jdk.get().jmods());
        return Optional.of(modules);
    }

    /**
     * The jlink and jmods to use. With {@code --jmods}: that directory, linked by a jlink of the same
     * feature version found on this machine (the jmods' own JDK's first). Without: the first Java home on
     * this machine (as {@link Packager#javaHomes} orders them) that has both, of this machine's architecture.
     */
    static Optional<Jdk> findJdk(Optional<Path> jmods, Map<String, String> env) throws IOException {
        List<Path> homes = Packager.javaHomes(env);
        if (jmods.isPresent()) {
            Path dir = jmods.get().toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve("java.base.jmod"))) {
                throw new IllegalStateException("--jmods " + dir + " holds no java.base.jmod");
            }
            int feature = jmodsFeature(dir);
            List<Path> candidates = new ArrayList<>();
            if (dir.getParent() != null) {
                candidates.add(dir.getParent());
            }
            candidates.addAll(homes);
            for (Path h : candidates) {
                if (hasTools(h) && Packager.featureVersion(h) == feature && sameArchitectureAsThisMachine(h)) {
                    return Optional.of(new Jdk(h.resolve("bin/jlink"), h.resolve("bin/jdeps"), dir, feature));
                }
            }
            throw new IllegalStateException("--jmods " + dir + " holds Java " + feature + "'s modules: linking them needs "
                    + "a Java " + feature + " JDK (bin/jlink) for this machine, and none was found");
        }
        for (Path h : homes) {
            Path dir = h.resolve("jmods");
            if (hasTools(h) && Files.isRegularFile(dir.resolve("java.base.jmod")) && sameArchitectureAsThisMachine(h)) {
                return Optional.of(new Jdk(h.resolve("bin/jlink"), h.resolve("bin/jdeps"), dir, Packager.featureVersion(h)));
            }
        }
        return Optional.empty();
    }

    private static boolean hasTools(Path home) {
        return Files.isExecutable(home.resolve("bin/jlink")) && Files.isExecutable(home.resolve("bin/jdeps"))
                && Files.isExecutable(home.resolve("bin/jmod"));
    }

    private static boolean sameArchitectureAsThisMachine(Path home) {
        String arch = Packager.architecture(home);
        return arch.isEmpty() || arch.equals(Packager.architecture(Path.of(System.getProperty("java.home"))));
    }

    /**
     * The module descriptor in a JMOD file, read directly: a JMOD is "JM", two version bytes, then a
     * zip whose {@code classes/module-info.class} is the descriptor (the module system reads JMODs
     * only at link time, so {@code ModuleFinder} cannot).
     */
    static ModuleDescriptor jmodDescriptor(Path jmod) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(jmod))) {
            byte[] magic = in.readNBytes(4);
            if (magic.length != 4 || magic[0] != 'J' || magic[1] != 'M') {
                throw new IllegalStateException(jmod + " is not a JMOD file");
            }
            ZipInputStream zip = new ZipInputStream(in);
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals("classes/module-info.class")) {
                    return ModuleDescriptor.read(zip);
                }
            }
            throw new IllegalStateException(jmod + " holds no classes/module-info.class");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + jmod + ": " + e.getMessage(), e);
        }
    }

    /** The feature version of the java.base module in a jmods directory (its descriptor's version). */
    static int jmodsFeature(Path jmods) {
        Optional<ModuleDescriptor.Version> v = jmodDescriptor(jmods.resolve("java.base.jmod")).version();
        if (v.isEmpty()) {
            throw new IllegalStateException(jmods + "/java.base.jmod names no version");
        }
        String s = v.get().toString();
        Matcher m = Pattern.compile("^(\\d+)").matcher(s);
        if (!m.find()) {
            throw new IllegalStateException(jmods + "/java.base.jmod has an odd version " + s);
        }
        return Integer.parseInt(m.group(1));
    }

    /**
     * The modules to link: java.base, what jdeps finds each class path entry refers to (less the
     * {@link #OPTIONAL_MODULES} of that entry), and {@code extra}; each one must be among the jmods.
     */
    static List<String> modules(Jdk jdk, Path lib, List<String> jars, List<String> extra) throws IOException {
        Path work = Files.createTempDirectory("jcni-jdeps");
        try {
            List<String> cmd = new ArrayList<>(List.of(jdk.jdeps().toString(), "--ignore-missing-deps", "-s"));
            for (String j : jars) {
                cmd.add(unpackClasses(lib.resolve(j), work.resolve(j)).toString());
            }
            Packager.Outcome o = Packager.exec(cmd, Map.of("PATH", "/usr/bin:/bin"), null, 600);
            if (o.status() != 0) {
                throw new IllegalStateException("jdeps failed (exit " + o.status() + "):\n" + o.output());
            }
            Set<String> available = available(jdk.jmods());
            return moduleList(o.output(), available, extra);
        } finally {
            Packager.deleteTree(work);
        }
    }

    /** The module names a jmods directory holds. */
    static Set<String> available(Path jmods) throws IOException {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(jmods, "*.jmod")) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                names.add(f.substring(0, f.length() - ".jmod".length()));
            }
        }
        return names;
    }

    /**
     * The module list from jdeps' summary ({@code entry -> module} lines): the JDK's modules only (an
     * arrow to another entry or to "not found" is not one), less each entry's optional modules, plus
     * java.base and {@code extra}, sorted.
     *
     * @throws IllegalStateException when {@code extra} names a module the jmods do not hold
     */
    static List<String> moduleList(String jdepsSummary, Set<String> available, List<String> extra) {
        Set<String> modules = new TreeSet<>(List.of("java.base"));
        for (String line : jdepsSummary.split("\n")) {
            Matcher m = JDEPS_LINE.matcher(line);
            if (!m.matches() || !available.contains(m.group(2))) {
                continue;
            }
            String entry = m.group(1);
            boolean optional = OPTIONAL_MODULES.entrySet().stream()
                    .anyMatch(o -> entry.startsWith(o.getKey()) && o.getValue().contains(m.group(2)));
            if (!optional) {
                modules.add(m.group(2));
            }
        }
        for (String e : extra) {
            if (!available.contains(e)) {
                throw new IllegalStateException("--runtime-modules names " + e + ", which the jmods do not hold");
            }
            modules.add(e);
        }
        return List.copyOf(modules);
    }

    /**
     * A jar's classes in a directory, without its module descriptors and versioned entries: jdeps then
     * reads them as the class path does (an unnamed module), and a modular jar's requirements that are
     * not on the class path (a test kit's JUnit) do not stop it.
     */
    private static Path unpackClasses(Path jar, Path dir) throws IOException {
        Files.createDirectories(dir);
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (JarEntry e : (Iterable<JarEntry>) jf.stream()::iterator) {
                String n = e.getName();
                if (e.isDirectory() || !n.endsWith(".class") || n.endsWith("module-info.class") || n.startsWith("META-INF/")) {
                    continue;
                }
                Path target = dir.resolve(n).normalize();
                if (!target.startsWith(dir)) {
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = jf.getInputStream(e)) {
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return dir;
    }

    /** jlink's command line for these modules into {@code output}. */
    static List<String> jlinkCommand(Jdk jdk, List<String> modules, Path output, boolean cds) {
        List<String> cmd = new ArrayList<>(List.of(jdk.jlink().toString(), "--module-path", jdk.jmods().toString(),
                "--add-modules", String.join(",", modules)));
        cmd.addAll(JLINK_OPTIONS);
        if (cds) {
            cmd.add("--generate-cds-archive");
        }
        cmd.addAll(List.of("--output", output.toString()));
        return cmd;
    }

    /**
     * Runs jlink. The runtime's own CDS archive (its JDK classes, the base the distribution's start-up
     * archive builds on) is made when the runtime is of this machine's architecture (jlink runs the
     * new runtime's java for it); the archive for a JVM without compressed oops (heaps of 32 GiB and
     * more, never a plugin's) is dropped. Symbolic links (install.sh installs none) become copies.
     */
    private static void link(Jdk jdk, String arch, List<String> modules, Path runtime, Map<String, String> env)
            throws IOException {
        Path work = Files.createTempDirectory(runtime.getParent(), ".runtime");
        Files.delete(work);
        boolean cds = arch.equals(Packager.architecture(Path.of(System.getProperty("java.home"))));
        Packager.Outcome o = Packager.exec(jlinkCommand(jdk, modules, work, cds),
                Map.of("PATH", env.getOrDefault("PATH", "/usr/bin:/bin")), null, 900);
        if (o.status() != 0) {
            Packager.deleteTree(work);
            throw new IllegalStateException("jlink failed (exit " + o.status() + "):\n" + o.output());
        }
        Files.deleteIfExists(work.resolve("lib/server/classes_nocoops.jsa"));
        // jlink 17 does not write the target's architecture: the packager (training) and the arch-aware
        // tools read it from here, as from a JDK's release file
        Files.writeString(work.resolve("release"), "OS_NAME=\"Linux\"\nOS_ARCH=\"" + (arch.equals("amd64") ? "x86_64" : arch)
                + "\"\n", java.nio.file.StandardOpenOption.APPEND);
        List<Path> links;
        try (Stream<Path> s = Files.walk(work)) {
            links = s.filter(Files::isSymbolicLink).toList();
        }
        for (Path l : links) {
            Path target = l.toRealPath();
            Files.delete(l);
            Files.copy(target, l, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
        }
        Files.move(work, runtime);
    }

    /** The architecture the jmods are for ({@code jmod describe}'s "platform linux-ARCH" of java.base), amd64 for x86_64. */
    static String targetArchitecture(Jdk jdk) throws IOException {
        Path jmod = jdk.jlink().resolveSibling("jmod");
        Packager.Outcome o = Packager.exec(List.of(jmod.toString(), "describe", jdk.jmods().resolve("java.base.jmod").toString()),
                Map.of("PATH", "/usr/bin:/bin"), null, 300);
        Matcher m = Pattern.compile("(?m)^platform \\S+-(\\S+)$").matcher(o.output());
        if (o.status() != 0 || !m.find()) {
            throw new IllegalStateException("cannot tell the architecture of " + jdk.jmods() + "/java.base.jmod:\n" + o.output());
        }
        return m.group(1).equals("x86_64") ? "amd64" : m.group(1);
    }
}
