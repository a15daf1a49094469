package dev.jcni.maven;

import dev.jcni.testkit.Conformance;
import dev.jcni.testkit.ConformanceReport;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code jcni:conformance}: checks every packaged plugin executable ({@code target/cni/bin/NAME})
 * against the CNI spec's rules with jcni's conformance kit (docs/testing.md), with its configuration
 * from {@code src/cni/training/NAME.json} (the first sample) unless one is given. Needs root (the
 * kit makes network namespaces): as another user it is skipped, and says so.
 */
@Mojo(name = "conformance", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public class ConformanceMojo extends AbstractJcniMojo {
    /** Configuration files by plugin name, instead of the plugin's first training sample. */
    @Parameter
    Map<String, File> configs;

    /** Rule keys expected to be broken (as {@code jcni conformance --expect-broken}); by default none. */
    @Parameter
    List<String> expectBroken;

    /** Skip the check. */
    @Parameter(property = "jcni.conformance.skip", defaultValue = "false")
    boolean skip;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("jcni conformance: skipped (jcni.conformance.skip)");
            return;
        }
        if ("pom".equals(project.getPackaging())) {
            getLog().debug("jcni conformance: a pom project has no plugin to check");
            return;
        }
        Path dist = outputDirectory.toPath();
        Path properties = dist.resolve("lib/jcni-dist.properties");
        if (!Files.isRegularFile(properties)) {
            throw new MojoFailureException("jcni conformance: no distribution in " + dist + " (run jcni:package first)");
        }
        if (!isRoot()) {
            getLog().warn("jcni conformance: SKIPPED: the check makes network namespaces, which needs root; "
                    + "run `sudo mvn verify` to check " + dist.resolve("bin"));
            return;
        }
        Map<String, String> pluginMains = plugins(properties);
        String path = dist.resolve("bin") + (cniPath == null || cniPath.isBlank() ? "" : ":" + cniPath);
        List<String> failures = new ArrayList<>();
        Set<String> expected = new LinkedHashSet<>(expectBroken == null ? List.of() : expectBroken);
        Path tmp;
        try {
            tmp = Files.createTempDirectory("jcni-conformance");
        } catch (IOException e) {
            throw new MojoExecutionException("jcni conformance: " + e.getMessage(), e);
        }
        try {
            check(dist, pluginMains, path, expected, failures, tmp);
        } finally {
            deleteTree(tmp);
        }
        if (!failures.isEmpty()) {
            throw new MojoFailureException("jcni conformance: " + String.join("; ", failures));
        }
    }

    private void check(Path dist, Map<String, String> pluginMains, String path, Set<String> expected, List<String> failures,
                       Path tmp) throws MojoExecutionException {
        for (String name : pluginMains.keySet()) {
            // ${TMP} in a sample is a scratch directory, as in training (a delegate's dataDir, say)
            Optional<String> config = config(name).map(c -> c.replace("${TMP}", tmp.resolve(name).toString()));
            if (config.isEmpty()) {
                getLog().warn("jcni conformance: " + name + " SKIPPED: no configuration (put a sample in "
                        + samples(name) + " or configure <configs>)");
                continue;
            }
            ConformanceReport report;
            try {
                report = Conformance.of(dist.resolve("bin").resolve(name)).config(config.get()).cniPath(path).run();
            } catch (RuntimeException e) {
                throw new MojoExecutionException("jcni conformance of " + name + " could not run: " + e, e);
            }
            log(report.toText(), false);
            Set<String> broken = new LinkedHashSet<>(report.brokenKeys());
            if (!broken.equals(expected)) {
                failures.add(name + ": broken " + broken + (expected.isEmpty() ? "" : ", expected " + expected));
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a scratch directory under the temporary directory
        }
    }

    private Optional<String> config(String name) throws MojoExecutionException {
        try {
            if (configs != null && configs.containsKey(name)) {
                return Optional.of(Files.readString(configs.get(name).toPath()));
            }
            Path samples = samples(name);
            if (!Files.isRegularFile(samples)) {
                return Optional.empty();
            }
            return TrainingSamples.first(Files.readString(samples));
        } catch (IOException e) {
            throw new MojoExecutionException("jcni conformance: " + e.getMessage(), e);
        }
    }

    /** The plugins of a packaged distribution (its {@code plugin.NAME=MAIN} lines). */
    static Map<String, String> plugins(Path properties) throws MojoExecutionException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(properties)) {
            p.load(in);
        } catch (IOException e) {
            throw new MojoExecutionException("cannot read " + properties + ": " + e.getMessage(), e);
        }
        Map<String, String> out = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            if (k.startsWith("plugin.")) {
                out.put(k.substring("plugin.".length()), p.getProperty(k));
            }
        }
        return out;
    }
}
