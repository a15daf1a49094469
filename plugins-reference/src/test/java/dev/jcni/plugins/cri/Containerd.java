package dev.jcni.plugins.cri;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A private containerd (Debian's 1.6.20, CRI plugin built in) for the CRI tests: root, state,
 * sockets, the runc state, the CNI configuration and logs all live in one scratch directory, and it
 * runs as a child of the test JVM, without systemd. The host's {@code /etc/containerd},
 * {@code /var/lib/containerd} and {@code /run/containerd/containerd.sock} are not touched.
 *
 * <p>Configuration:
 * <ul>
 *   <li>{@code [plugins."io.containerd.grpc.v1.cri".cni] bin_dir} is the plugin directory given to
 *       {@link #start}; each runtime handler ({@link Network}) has a CNI configuration directory of its
 *       own ({@code cni_conf_dir} of the handler, one conflist), so one containerd serves several
 *       networks: a RunPodSandbox request picks its network by its {@code runtime_handler}.</li>
 *   <li>{@code restrict_oom_score_adj = true}: containerd asks for a negative {@code oom_score_adj}
 *       for sandboxes, and this machine refuses negative writes; restricted, containerd keeps the
 *       scores at or above its own.</li>
 *   <li>{@code sandbox_image} is {@link Images#PAUSE}; both images are imported with
 *       {@code ctr -n k8s.io images import} before the tests call.</li>
 *   <li>the streaming server (exec/attach URLs; ExecSync does not use it) listens on 127.0.0.1, port 0.</li>
 * </ul>
 *
 * <p>Everything this containerd starts is stopped by {@link #close}, even after a failure: the sandboxes
 * still listed are stopped and removed over the CRI, containerd is stopped by pid, then the shims it
 * started (found by this instance's own socket path on their command line) and their children, and
 * their sockets; pods whose network containerd could not tear down (libcni cache entries of its
 * networks remain) are DELeted with {@code jcni gc}; the network namespaces seen by {@link #sawNetns}
 * are unmounted, and so is every mount under the scratch
 * directory, which is then deleted (its containerd log kept in {@code target/cri-logs}); the pods'
 * parent cgroup ({@link #cgroupParent}, one per instance) is removed from every hierarchy, and so is
 * {@code /run/containerd/s}, where containerd 1.6's shims put their sockets, when the test made it.
 *
 * <p>The environment given to {@link #start} is containerd's, and so the CNI plugins' it execs: the cold
 * tests pass {@code JCNI_WARM=off}. A warm variant starts it without, after the jcni daemon runs.
 */
final class Containerd implements AutoCloseable {
    /** A runtime handler and the one CNI network (a conflist) its pods join. */
    record Network(String handler, String name, String conflist) {
    }

    /** Where containerd 1.6's shims put their sockets, whatever containerd's own state directory. */
    private static final Path SHIM_SOCKETS = Path.of("/run/containerd/s");
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");
    /** libcni's cache of results, where containerd 1.6's CNI library keeps them (it sets no cache dir). */
    static final Path CNI_CACHE = Path.of("/var/lib/cni/results");

    final String label;
    final Path home;
    final Path socket;
    final CriClient cri;
    /** The parent cgroup of this instance's pods (cgroupfs style, one per instance), removed by {@link #close}. */
    final String cgroupParent;
    private final Path binDir;
    private final List<Network> networks;
    private final Process process;
    private final boolean shimDirExisted;
    private final Set<Path> netns = new LinkedHashSet<>();

    private Containerd(String label, Path home, Path socket, Path binDir, List<Network> networks, Process process, CriClient cri,
                       boolean shimDirExisted) {
        this.label = label;
        this.binDir = binDir;
        this.networks = List.copyOf(networks);
        this.home = home;
        this.socket = socket;
        this.process = process;
        this.cri = cri;
        this.shimDirExisted = shimDirExisted;
        this.cgroupParent = "/" + Kernel.uniqueName("jcni-cri-" + label + "-");
    }

    /**
     * A pod of this node, as kubelet describes one: its own uid, the node's parent cgroup.
     *
     * @param name the pod's name (unique)
     * @param namespace its Kubernetes namespace
     * @param ports the ports it publishes
     * @return the configuration, its log directory made in the scratch directory
     */
    CriClient.PodConfig pod(String name, String namespace, List<CriClient.PortMapping> ports) throws IOException {
        Path logs = Files.createDirectories(home.resolve("pod-logs").resolve(name));
        return new CriClient.PodConfig(name, java.util.UUID.randomUUID().toString(), namespace, logs, ports, cgroupParent, false);
    }

    /**
     * Writes the configuration, starts containerd, waits until its CRI answers and imports the images.
     * On failure everything started is stopped again.
     *
     * @param label a name for logs, e.g. "jcni" or "go"
     * @param home an empty scratch directory
     * @param binDir the CNI plugin directory
     * @param networks the runtime handlers; the first is also the default network
     * @param env variables added to containerd's environment (and so the plugins')
     * @param images the archives to import
     * @return the running containerd
     */
    static Containerd start(String label, Path home, Path binDir, List<Network> networks, Map<String, String> env, Images images)
            throws IOException {
        Path socket = home.resolve("containerd.sock");
        String cri = "[plugins.\"io.containerd.grpc.v1.cri\"";
        StringBuilder toml = new StringBuilder()
                .append("version = 2\n")
                .append("root = \"").append(home.resolve("root")).append("\"\n")
                .append("state = \"").append(home.resolve("state")).append("\"\n")
                .append("[grpc]\n  address = \"").append(socket).append("\"\n")
                .append("[ttrpc]\n  address = \"").append(socket).append(".ttrpc\"\n")
                .append("[debug]\n  address = \"\"\n")
                .append("[metrics]\n  address = \"\"\n")
                .append("[plugins.\"io.containerd.internal.v1.opt\"]\n  path = \"").append(home.resolve("opt")).append("\"\n")
                .append(cri).append("]\n")
                .append("  sandbox_image = \"").append(Images.PAUSE).append("\"\n")
                .append("  restrict_oom_score_adj = true\n")
                .append("  stream_server_address = \"127.0.0.1\"\n")
                .append("  stream_server_port = \"0\"\n")
                .append(cri).append(".containerd]\n")
                .append("  default_runtime_name = \"").append(networks.get(0).handler).append("\"\n");
        for (Network n : networks) {
            Path conf = Files.createDirectories(home.resolve("net.d").resolve(n.handler));
            Files.writeString(conf.resolve("10-" + n.name + ".conflist"), n.conflist);
            String runtime = cri + ".containerd.runtimes." + n.handler;
            toml.append(runtime).append("]\n")
                    .append("  runtime_type = \"io.containerd.runc.v2\"\n")
                    .append("  cni_conf_dir = \"").append(conf).append("\"\n")
                    .append("  cni_max_conf_num = 1\n")
                    .append(runtime).append(".options]\n")
                    .append("  Root = \"").append(home.resolve("runc")).append("\"\n");
        }
        toml.append(cri).append(".cni]\n")
                .append("  bin_dir = \"").append(binDir).append("\"\n")
                .append("  conf_dir = \"").append(home.resolve("net.d").resolve(networks.get(0).handler)).append("\"\n")
                .append("  max_conf_num = 1\n");
        Path config = home.resolve("config.toml");
        Files.writeString(config, toml);
        Path log = home.resolve("containerd.log");
        ProcessBuilder pb = new ProcessBuilder("containerd", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        boolean shimDirExisted = Files.exists(SHIM_SOCKETS.getParent());
        Process p = pb.start();
        Containerd c = new Containerd(label, home, socket, binDir, networks, p, CriClient.connect(socket), shimDirExisted);
        try {
            c.awaitReady();
            c.ctr("images", "import", images.pause.toString());
            c.ctr("images", "import", images.busybox.toString());
            return c;
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** Waits (bounded) for the socket and a CRI Version answer. */
    private void awaitReady() throws IOException {
        RuntimeException last = null;
        for (int i = 0; i < 300; i++) {
            if (!process.isAlive()) {
                throw new AssertionError("containerd (" + label + ") exited " + process.exitValue() + ":\n" + logTail());
            }
            if (Files.exists(socket)) {
                try {
                    String v = cri.version();
                    if (v.startsWith("containerd ")) {
                        return;
                    }
                    throw new AssertionError("not containerd: " + v);
                } catch (RuntimeException e) {
                    last = e;
                }
            }
            sleep(200);
        }
        throw new AssertionError("containerd (" + label + ") did not answer in 60 s: " + last + "\n" + logTail());
    }

    /** Runs {@code ctr} against this containerd, in the CRI's namespace {@code k8s.io}. */
    String ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "--namespace", "k8s.io"));
        cmd.addAll(List.of(args));
        Kernel.ExecResult r = Kernel.exec(cmd.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " exited " + r.exitCode() + ": " + r.stderr() + r.stdout());
        }
        return r.stdout();
    }

    /** @return the last lines of containerd's log */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(home.resolve("containerd.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Records a pod's network namespace (from its verbose status), to unmount it in {@link #close}
     * should a failure leave the pod behind.
     *
     * @param path the namespace's bind mount, e.g. /var/run/netns/cni-…
     */
    void sawNetns(Path path) {
        netns.add(path);
    }

    /** Stops and removes every sandbox, stops containerd and what it started, unmounts and deletes the scratch directory. */
    @Override
    public void close() throws IOException {
        List<String> problems = new ArrayList<>();
        try {
            if (process.isAlive()) {
                for (String id : cri.listPodSandboxIds()) {
                    try {
                        cri.stopPodSandbox(id);
                        cri.removePodSandbox(id);
                    } catch (RuntimeException e) {
                        problems.add("sandbox " + id + ": " + e);
                    }
                }
            }
        } catch (RuntimeException e) {
            problems.add("listing sandboxes: " + e);
        }
        try {
            cri.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long pid = process.pid();
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle shim : shims()) {
            List<String> args = shim.info().arguments().map(List::of).orElse(List.of());
            for (ProcessHandle child : shim.descendants().toList()) {
                child.destroyForcibly();
            }
            shim.destroyForcibly();
            awaitExit(shim);
            problems.add("shim " + shim.pid() + " was still running (killed)");
            // a killed shim leaves its socket: /run/containerd/s/<sha256 of "<address>/<namespace>/<id>">
            int ns = args.indexOf("-namespace");
            int id = args.indexOf("-id");
            if (ns >= 0 && id >= 0 && ns + 1 < args.size() && id + 1 < args.size()) {
                Files.deleteIfExists(SHIM_SOCKETS.resolve(sha256(socket + "/" + args.get(ns + 1) + "/" + args.get(id + 1))));
            }
        }
        // pods whose network containerd could not tear down (it failed or died): DEL them from libcni's cache
        for (Network n : networks) {
            if (!cacheEntries(n.name).isEmpty()) {
                Map<String, String> env = Map.of("NETCONFPATH", home.resolve("net.d").resolve(n.handler).toString(),
                        "CNI_PATH", binDir.toString());
                Dist.Run gc = Dist.run(List.of(Dist.exe("jcni").toString(), "gc", n.name), env, "");
                problems.add("pods of " + n.name + " left in libcni's cache: jcni gc exited " + gc.exitCode() + " " + gc.stderr().trim());
            }
        }
        for (Path ns : netns) {
            if (Files.exists(ns)) {
                Kernel.exec("umount", ns.toString());
                Files.deleteIfExists(ns);
            }
        }
        List<String> mounts = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].startsWith(home + "/")) {
                mounts.add(f[1]);
            }
        }
        Collections.reverse(mounts);
        for (String m : mounts) {
            Kernel.exec("umount", "-l", m);
        }
        for (Path hierarchy : cgroupHierarchies()) {
            Path parent = hierarchy.resolve(cgroupParent.substring(1));
            if (Files.isDirectory(parent)) {
                List<Path> dirs;
                try (var s = Files.walk(parent)) {
                    dirs = s.filter(Files::isDirectory).sorted(java.util.Comparator.reverseOrder()).toList();
                }
                for (Path d : dirs) {
                    try {
                        Files.delete(d);
                    } catch (IOException e) {
                        problems.add("cgroup " + d + ": " + e);
                    }
                }
            }
        }
        if (!shimDirExisted) {
            // the shims made /run/containerd/s for their sockets; nothing else uses it on this machine
            for (Path d : List.of(SHIM_SOCKETS, SHIM_SOCKETS.getParent())) {
                try {
                    Files.deleteIfExists(d);
                } catch (IOException e) {
                    problems.add(d + " is not empty: " + e);
                }
            }
        }
        Path logs = Files.createDirectories(Path.of("target", "cri-logs").toAbsolutePath());
        Path log = home.resolve("containerd.log");
        if (Files.exists(log)) {
            Files.copy(log, logs.resolve("containerd-" + label + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Kernel.exec("rm", "-rf", "--one-file-system", home.toString());
        if (!problems.isEmpty()) {
            System.out.println("containerd " + label + " (pid " + pid + ") cleanup: " + problems);
        }
    }

    /** @return the containerd-shim processes serving this instance (their command line names its socket) */
    private List<ProcessHandle> shims() {
        return ProcessHandle.allProcesses().filter(h -> h.info().command().orElse("").contains("containerd-shim")
                && h.info().arguments().map(List::of).orElse(List.of()).contains(socket.toString())).toList();
    }

    private static void awaitExit(ProcessHandle h) {
        try {
            h.onExit().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // reported by the checks that follow (cgroups, mounts)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @param network a network's name
     * @return libcni's cache entries of the network ({@code /var/lib/cni/results/<network>-<id>-<ifname>})
     */
    static List<Path> cacheEntries(String network) throws IOException {
        if (!Files.isDirectory(CNI_CACHE)) {
            return List.of();
        }
        try (var s = Files.list(CNI_CACHE)) {
            return s.filter(p -> p.getFileName().toString().startsWith(network + "-")).sorted().toList();
        }
    }

    private static String sha256(String s) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the cgroup v1 hierarchies and the v2 one, each a directory under /sys/fs/cgroup */
    private static List<Path> cgroupHierarchies() throws IOException {
        List<Path> l = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 2 && (f[2].equals("cgroup") || f[2].equals("cgroup2")) && f[1].startsWith(CGROUPS + "/")) {
                l.add(Path.of(f[1]));
            }
            if (f.length > 2 && f[2].equals("cgroup2") && f[1].equals(CGROUPS.toString())) {
                l.add(CGROUPS);
            }
        }
        return l;
    }

    /**
     * @param sandboxId a sandbox
     * @return the cgroup directories named after it under this instance's parent, in every hierarchy
     */
    List<Path> cgroupsOf(String sandboxId) throws IOException {
        List<Path> l = new ArrayList<>();
        for (Path hierarchy : cgroupHierarchies()) {
            Path p = hierarchy.resolve(cgroupParent.substring(1)).resolve(sandboxId);
            if (Files.exists(p)) {
                l.add(p);
            }
        }
        return l;
    }

    /** @return the mount points of the machine whose path contains a string */
    List<String> mountsContaining(String s) throws IOException {
        List<String> l = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String[] f = line.split(" ");
            if (f.length > 1 && f[1].contains(s)) {
                l.add(f[1]);
            }
        }
        return l;
    }

    /** @return the environment for cold calls: warm mode off, whatever daemon may run on the machine */
    static Map<String, String> cold() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JCNI_WARM", "off");
        return env;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
