package dev.jcni.maven;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/** What the goals share: where the distribution is and where its training samples are. */
abstract class AbstractJcniMojo extends AbstractMojo {
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    MavenProject project;

    /** The distribution's directory (launchers in {@code bin/}, jars in {@code lib/}). */
    @Parameter(property = "jcni.outputDirectory", defaultValue = "${project.build.directory}/cni", required = true)
    File outputDirectory;

    /**
     * Training samples, one file per plugin: {@code NAME.json} holds {@code {"samples": [...]}} for the
     * plugin or command NAME (docs/packaging.md). The conformance goal checks each plugin with its first
     * sample.
     */
    @Parameter(property = "jcni.trainingDirectory", defaultValue = "${project.basedir}/src/cni/training", required = true)
    File trainingDirectory;

    /**
     * Where the delegates of the samples are (IPAM, the plugins a chained plugin follows), after the
     * distribution's own bin/: colon-separated directories. Training and the conformance check run a
     * sample that is a configuration list with its first plugins as the chain before the plugin.
     */
    @Parameter(property = "jcni.cniPath", defaultValue = "/opt/cni/bin:/usr/lib/cni")
    String cniPath;

    /** @return the samples file of a plugin or command, when there is one */
    Path samples(String name) {
        return trainingDirectory.toPath().resolve(name + ".json");
    }

    /** A PrintStream whose lines go to the build log. */
    static final class LogLines extends PrintStream {
        private final ByteArrayOutputStream buffer;

        LogLines() {
            this(new ByteArrayOutputStream());
        }

        private LogLines(ByteArrayOutputStream buffer) {
            super(buffer, true, StandardCharsets.UTF_8);
            this.buffer = buffer;
        }

        String text() {
            flush();
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    void log(String text, boolean warn) {
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (warn) {
                getLog().warn(line);
            } else {
                getLog().info(line);
            }
        }
    }

    /** @return whether this process runs as root (uid 0): network namespaces need it */
    static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
