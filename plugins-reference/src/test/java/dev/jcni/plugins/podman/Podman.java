package dev.jcni.plugins.podman;

import dev.jcni.sdk.testsupport.Kernel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A private podman for the end-to-end tests: its own storage ({@code --root}, {@code --runroot},
 * {@code --tmpdir}) and, per {@link #view}, its own containers.conf (env {@code CONTAINERS_CONF}) that
 * selects the CNI backend, one plugin directory and a private network config directory. Nothing of the host's
 * podman state, /etc/containers or /etc/cni/net.d is read or written.
 *
 * <p>Every container is run with {@code --ulimit nofile=1024:1024 --ulimit nproc=4096:4096}: podman
 * as root asks the OCI runtime for nofile 1048576 (and a large nproc), and this machine's hard limits
 * are lower (nofile 20000) without {@code CAP_SYS_RESOURCE} to raise them, so runc fails with
 * "error setting rlimits for ready process: ... operation not permitted". Global flags
 * {@code --runtime /usr/sbin/runc} (crun, podman's default, is not installed; .ci/run installs runc)
 * and {@code --cgroup-manager cgroupfs} (PID 1 is not systemd here, so the systemd cgroup manager
 * cannot work) make the choice explicit instead of leaving it to podman's fallbacks.
 */
final class Podman {
    /** The CNI cache podman's libcni uses (podman 4.3 sets no cache dir of its own). */
    static final Path CNI_CACHE = Path.of("/var/lib/cni/results");
    static final String IMAGE = "localhost/jcni-busybox:test";
    static final List<String> LIMITS = List.of("--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096");

    final Path home;
    /** This view's containers.conf and network config dir. */
    final Path conf;
    final Path netDir;

    private Podman(Path home, Path conf, Path netDir) {
        this.home = home;
        this.conf = conf;
        this.netDir = netDir;
    }

    /**
     * Lays out a private podman under {@code home} and imports the busybox image.
     *
     * @param home an empty directory
     * @param jcniBin the jcni plugin directory
     * @return a view with jcni's plugin directory and a config dir of its own
     */
    static Podman create(Path home, Path jcniBin) throws IOException {
        Podman p = new Podman(home, null, null).view("base", jcniBin);
        p.importBusybox();
        return p;
    }

    /**
     * The same podman (storage, image, containers) with a containers.conf and a network config dir of
     * its own. podman validates every network of its config dir on each command (a VERSION exec per
     * plugin), so each network of the suite gets its own dir: no command pays for another's.
     *
     * @param name the view's directory name under home
     * @param pluginDir the only CNI plugin directory
     * @return the view
     */
    Podman view(String name, Path pluginDir) throws IOException {
        Path dir = Files.createDirectories(home.resolve("conf").resolve(name));
        Path net = Files.createDirectories(dir.resolve("net.d"));
        Path c = dir.resolve("containers.conf");
        Files.writeString(c, "[network]\n"
                + "network_backend = \"cni\"\n"
                + "cni_plugin_dirs = [\"" + pluginDir + "\"]\n"
                + "network_config_dir = \"" + net + "\"\n");
        return new Podman(home, c, net);
    }

    /** A tiny image from the static busybox: no registry is needed. */
    private void importBusybox() throws IOException {
        Path root = Files.createDirectories(home.resolve("image/bin"));
        Files.copy(Path.of("/bin/busybox"), root.resolve("busybox"));
        for (String applet : List.of("sh", "httpd", "wget", "ip", "sleep", "true", "cat", "mkdir", "echo", "timeout")) {
            Files.createSymbolicLink(root.resolve(applet), Path.of("busybox"));
        }
        Path tar = home.resolve("busybox.tar");
        Kernel.exec("tar", "-C", root.getParent().toString(), "-cf", tar.toString(), ".").ok();
        ok("import", tar.toString(), IMAGE);
    }

    /**
     * Removes every container and image of this private podman, unmounts what its storage left
     * mounted and deletes its directory. ({@code podman system reset} is not used: it also removes
     * network configurations, and a mistake there would reach the system's.)
     */
    void destroy() throws IOException {
        run("rm", "-a", "-f", "-t", "0");
        run("rmi", "-a", "-f");
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].startsWith(home.toString() + "/")) {
                mounts.add(f[1]);
            }
        }
        java.util.Collections.reverse(mounts);
        for (String m : mounts) {
            Kernel.exec("umount", "-l", m);
        }
        Kernel.exec("rm", "-rf", "--one-file-system", home.toString());
    }

    /** What podman printed. */
    record Run(List<String> args, int exitCode, String stdout, String stderr) {
        /** @return stdout, or an AssertionError that shows podman's own error output */
        String ok() {
            if (exitCode != 0) {
                throw new AssertionError(describe());
            }
            return stdout.trim();
        }

        String describe() {
            return "podman " + String.join(" ", args) + " exited " + exitCode + "\n--- podman stderr ---\n" + stderr
                    + "--- podman stdout ---\n" + stdout;
        }
    }

    /** Runs podman and asserts success. */
    String ok(String... args) {
        return run(args).ok();
    }

    /** Runs podman with this view's containers.conf. */
    Run run(String... args) {
        List<String> cmd = new ArrayList<>(List.of("podman",
                "--root", home.resolve("root").toString(),
                "--runroot", home.resolve("runroot").toString(),
                "--tmpdir", home.resolve("tmp").toString(),
                "--runtime", "/usr/sbin/runc",
                "--cgroup-manager", "cgroupfs",
                "--events-backend", "file"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CONTAINERS_CONF", conf.toString());
        try {
            Path out = Files.createTempFile(home, "podman", ".out");
            Path err = Files.createTempFile(home, "podman", ".err");
            try {
                Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                // a hang guard, not a performance bound: a loaded 2-core machine is slow
                if (!p.waitFor(900, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("podman " + String.join(" ", args) + " did not finish in 900 s: "
                            + Files.readString(err) + Files.readString(out));
                }
                return new Run(List.of(args), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run podman: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code podman run} with this machine's limits, on a network, with the busybox image. */
    static String[] runArgs(String network, List<String> options, String... command) {
        List<String> a = new ArrayList<>(List.of("run", "--network", network));
        a.addAll(LIMITS);
        a.addAll(options);
        a.add(IMAGE);
        a.addAll(List.of(command));
        return a.toArray(String[]::new);
    }

    /** @return the container's address on a network */
    String address(String container, String network) {
        return ok("inspect", "--format", "{{(index .NetworkSettings.Networks \"" + network + "\").IPAddress}}", container);
    }

    /** @return the container's full id */
    String id(String container) {
        return ok("inspect", "--format", "{{.Id}}", container);
    }

    /** Removes containers at once ({@code -t 0}: busybox as PID 1 ignores SIGTERM). */
    Run remove(String... containers) {
        List<String> a = new ArrayList<>(List.of("rm", "-f", "-t", "0"));
        a.addAll(List.of(containers));
        return run(a.toArray(String[]::new));
    }

    /** @return the cache files libcni keeps for a network (podman names them network-id-ifname) */
    static List<Path> cacheEntries(String network) throws IOException {
        if (!Files.isDirectory(CNI_CACHE)) {
            return List.of();
        }
        try (var s = Files.list(CNI_CACHE)) {
            return s.filter(p -> p.getFileName().toString().startsWith(network + "-")).sorted().toList();
        }
    }

    /** @return a file tree's paths with their sizes and contents' hashes, to compare before and after */
    static Map<String, String> fingerprint(Path dir) throws IOException {
        Map<String, String> m = new java.util.TreeMap<>();
        if (!Files.exists(dir)) {
            return m;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String v;
                if (Files.isSymbolicLink(p)) {
                    v = "link " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p)) {
                    v = "dir";
                } else {
                    v = "file " + Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p)));
                }
                m.put(p.toString(), v + " " + Files.getLastModifiedTime(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
            }
        }
        return m;
    }
}
