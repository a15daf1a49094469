package dev.jcni.maven;

import dev.jcni.sdk.cli.PackageCommand;
import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.maven.artifact.DependencyResolutionRequiredException;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;

/**
 * {@code jcni:package}: packages the project's plugins as a jcni distribution in
 * {@code target/cni} (launchers, the project's jar and its runtime dependencies, the warm-mode shim,
 * start-up archives trained on {@code src/cni/training/NAME.json}, install.sh). It runs
 * {@code jcni package} (docs/packaging.md) on the project's runtime class path; a training call that
 * fails fails the build with the plugin's own error.
 */
@Mojo(name = "package", defaultPhase = LifecyclePhase.PACKAGE, requiresDependencyResolution = ResolutionScope.RUNTIME,
        threadSafe = true)
public class PackageMojo extends AbstractJcniMojo {
    /** The plugins: executable name to main class, e.g. {@code <acme-cni>org.acme.cni.AcmeCni</acme-cni>}. */
    @Parameter
    Map<String, String> plugins;

    /** With no {@code plugins}: the main class of one plugin named after the project's artifactId. */
    @Parameter(property = "jcni.mainClass")
    String mainClass;

    /** Other commands of the distribution (not plugins): name to main class, e.g. jcni's CLI. */
    @Parameter
    Map<String, String> commands;

    /** The distribution's name: its install directory, warm-mode socket and unit. */
    @Parameter(property = "jcni.distName", defaultValue = "${project.artifactId}", required = true)
    String distName;

    /** Files or directories copied into the distribution as they are. */
    @Parameter
    List<File> includes;

    /** The JVMs to train start-up archives for; by default every Java 17+ on this machine. */
    @Parameter
    List<File> javaHomes;

    /** Train the start-up archives (needs root to run the samples in network namespaces). */
    @Parameter(property = "jcni.train", defaultValue = "true")
    boolean train;

    /** Build the warm-mode shim (needs gcc). */
    @Parameter(property = "jcni.shim", defaultValue = "true")
    boolean shim;

    /**
     * The Java runtime the distribution carries: {@code jlink} (made from a JDK's jmods; fail when
     * none is found), {@code none} (the node's Java), or {@code auto} (jlink when a JDK with jlink and
     * jmods is found, else none, with a message).
     */
    @Parameter(property = "jcni.runtime", defaultValue = "auto")
    String runtime;

    /** The jmods directory the runtime is linked from (the target architecture's); by default a JDK's on this machine. */
    @Parameter(property = "jcni.jmods")
    File jmods;

    /** Modules the runtime gets besides those jdeps finds the class path needs (used only through reflection). */
    @Parameter
    List<String> runtimeModules;

    /**
     * The architecture the distribution is for: {@code amd64}, {@code arm64}, {@code ppc64le},
     * {@code s390x} or {@code riscv64} ({@code jcni package --arch}, docs/architectures.md); by
     * default the distribution serves every one, with the shim of the build machine.
     */
    @Parameter(property = "jcni.arch")
    String arch;

    /** Skip packaging. */
    @Parameter(property = "jcni.skip", defaultValue = "false")
    boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("jcni package: skipped (jcni.skip)");
            return;
        }
        if ("pom".equals(project.getPackaging())) {
            getLog().debug("jcni package: a pom project has no plugin to package");
            return;
        }
        List<String> args = arguments();
        getLog().debug("jcni package " + String.join(" ", args));
        LogLines out = new LogLines();
        LogLines err = new LogLines();
        Map<String, String> env = new HashMap<>(System.getenv());
        // the samples' chains: the trainer looks for delegates there after the distribution's bin/
        env.put("JCNI_TRAINING_CNI_PATH", cniPath == null ? "" : cniPath);
        int status = new PackageCommand().run(args.toArray(String[]::new), env, out, err);
        log(out.text(), false);
        if (status != 0) {
            throw new MojoFailureException("jcni package failed (exit " + status + "):\n" + err.text());
        }
        log(err.text(), false);
    }

    /** The command line of {@code jcni package} this configuration stands for. */
    List<String> arguments() throws MojoExecutionException, MojoFailureException {
        Map<String, String> pluginMains = new TreeMap<>(plugins == null ? Map.of() : plugins);
        if (pluginMains.isEmpty()) {
            if (mainClass == null || mainClass.isBlank()) {
                throw new MojoFailureException("jcni package: no plugin to package: configure <mainClass> (a plugin named "
                        + project.getArtifactId() + ") or <plugins><NAME>MAIN_CLASS</NAME></plugins>");
            }
            pluginMains.put(project.getArtifactId(), mainClass);
        }
        Map<String, String> commandMains = new TreeMap<>(commands == null ? Map.of() : commands);
        List<String> args = new ArrayList<>(List.of("--name", distName, "--out", outputDirectory.getPath(),
                "--class-path", classPath()));
        pluginMains.forEach((n, m) -> args.addAll(List.of("--plugin", n + "=" + m)));
        commandMains.forEach((n, m) -> args.addAll(List.of("--command", n + "=" + m)));
        for (String n : trainingNames()) {
            if (!pluginMains.containsKey(n) && !commandMains.containsKey(n)) {
                throw new MojoFailureException("jcni package: " + samples(n) + " names no plugin or command of "
                        + String.join(", ", pluginMains.keySet()) + (commandMains.isEmpty() ? "" : ", " + String.join(", ", commandMains.keySet())));
            }
            args.addAll(List.of("--training", n + "=" + samples(n)));
        }
        for (File f : includes == null ? List.<File>of() : includes) {
            args.addAll(List.of("--include", f.getPath()));
        }
        for (File f : javaHomes == null ? List.<File>of() : javaHomes) {
            args.addAll(List.of("--java", f.getPath()));
        }
        if (!train) {
            args.add("--no-train");
        }
        if (!shim) {
            args.add("--no-shim");
        }
        args.addAll(List.of("--runtime", runtime == null ? "auto" : runtime));
        if (jmods != null) {
            args.addAll(List.of("--jmods", jmods.getPath()));
        }
        if (runtimeModules != null && !runtimeModules.isEmpty()) {
            args.addAll(List.of("--runtime-modules", String.join(",", runtimeModules)));
        }
        if (arch != null && !arch.isBlank()) {
            args.addAll(List.of("--arch", arch.trim()));
        }
        return args;
    }

    private List<String> trainingNames() throws MojoExecutionException {
        List<String> names = new ArrayList<>();
        Path dir = trainingDirectory.toPath();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                names.add(f.substring(0, f.length() - ".json".length()));
            }
        } catch (IOException e) {
            throw new MojoExecutionException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        names.sort(null);
        return names;
    }

    /** The project's jar (its classes when there is none yet) and its runtime dependencies, in order. */
    private String classPath() throws MojoExecutionException {
        List<String> elements;
        try {
            elements = new ArrayList<>(project.getRuntimeClasspathElements());
        } catch (DependencyResolutionRequiredException e) {
            throw new MojoExecutionException("the runtime class path is not resolved: " + e.getMessage(), e);
        }
        File jar = project.getArtifact() == null ? null : project.getArtifact().getFile();
        String classes = project.getBuild().getOutputDirectory();
        if (jar != null && jar.isFile()) {
            elements.replaceAll(e -> e.equals(classes) ? jar.getPath() : e);
        }
        return String.join(File.pathSeparator, elements);
    }
}
