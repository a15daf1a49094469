package dev.jcni.maven;

import dev.jcni.sdk.cli.NodeImageCommand;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code jcni:node-image}: the distribution in {@code target/cni} as a container image archive,
 * {@code target/jcni-node-image.tar}, for the DaemonSet that installs it on every node of a
 * Kubernetes cluster; {@code podman load} and {@code ctr images import} read it. It runs
 * {@code jcni node-image} (docs/kubernetes.md): a static busybox, the shared libraries the runtime
 * needs, a Java runtime made with jlink from {@code javaHome} unless the distribution brings its own
 * ({@code lib/runtime}), the distribution. With {@code otherDistributions} (their busyboxes and C
 * libraries in {@code otherBusyboxes} and {@code sysroots}) and {@code format} {@code oci-archive}, a
 * multi-architecture image (docs/architectures.md). No registry, no network. Not bound by default:
 * bind it in a profile (about 60 MiB and 20 s).
 */
@Mojo(name = "node-image", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class NodeImageMojo extends AbstractJcniMojo {
    /** The image archive. */
    @Parameter(property = "jcni.image.file", defaultValue = "${project.build.directory}/jcni-node-image.tar", required = true)
    File imageFile;

    /** The image's name and version, as the DaemonSet names it. */
    @Parameter(property = "jcni.image.tag", defaultValue = "jcni/${project.artifactId}:${project.version}", required = true)
    String tag;

    /**
     * The JDK (with jmods) the image's Java runtime is made from, for a distribution without one of its
     * own: by default the one running the build.
     */
    @Parameter(property = "jcni.image.javaHome", defaultValue = "${java.home}")
    File javaHome;

    /** A static busybox (Debian's busybox-static) of the build machine's architecture. */
    @Parameter(property = "jcni.image.busybox", defaultValue = "/bin/busybox")
    File busybox;

    /**
     * Distributions of other architectures (each made with {@code jcni package --arch}): with them the
     * image is a multi-architecture one, {@code format} {@code oci-archive}.
     */
    @Parameter
    List<File> otherDistributions = List.of();

    /** Static busyboxes of the other distributions' architectures (docs/architectures.md). */
    @Parameter
    List<File> otherBusyboxes = List.of();

    /** Root file systems holding the other architectures' C libraries (docs/architectures.md). */
    @Parameter
    List<File> sysroots = List.of();

    /** {@code docker-archive} (one architecture) or {@code oci-archive}. */
    @Parameter(property = "jcni.image.format", defaultValue = "docker-archive")
    String format;

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        List<String> args = new ArrayList<>(List.of("--dist", outputDirectory.getPath(), "--out", imageFile.getPath(),
                "--tag", tag, "--busybox", busybox.getPath(), "--format", format));
        for (File d : otherDistributions) {
            args.addAll(List.of("--dist", d.getPath()));
        }
        for (File b : otherBusyboxes) {
            args.addAll(List.of("--busybox", b.getPath()));
        }
        for (File s : sysroots) {
            args.addAll(List.of("--sysroot", s.getPath()));
        }
        if (javaHome != null && !javaHome.getPath().isEmpty()) {
            args.addAll(List.of("--java-home", javaHome.getPath()));
        }
        LogLines out = new LogLines();
        LogLines err = new LogLines();
        int status = new NodeImageCommand().run(args.toArray(String[]::new), Map.of(), out, err);
        if (status != 0) {
            throw new MojoFailureException("jcni node-image failed (exit " + status + "):\n" + err.text());
        }
        getLog().info(out.text().strip());
    }
}
