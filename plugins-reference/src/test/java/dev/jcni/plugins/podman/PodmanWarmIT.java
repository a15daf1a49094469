package dev.jcni.plugins.podman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * podman 4.3.1 (CNI backend) served warm, as docs/operators.md "Warm mode for podman" says: the
 * daemon started with {@code --rlimit nproc=...} (podman's own process limit, read from a conmon's
 * {@code /proc/<pid>/limits}) and {@code --cgroup <cgroup parent>/conmon/jcni} (below the cgroup
 * where podman's cleanup runs). podman's ADD (from {@code podman run}, whose cgroup contains the
 * daemon's) and its DEL (from {@code podman container cleanup}, which conmon runs in its cgroup
 * when the container exits) must be served warm, by the daemon's own count
 * ({@code jcni_calls_total}); a caller with a lower process limit, and one in a cgroup beside
 * conmon's, must still be refused.
 *
 * <p>Everything is private: a distribution packaged under a name of its own (its socket
 * {@code /run/jcni/<name>.sock}), its own podman storage and network config dir, and a cgroup
 * parent of its own below this JVM's cgroup ({@code podman run --cgroup-parent}), so that conmon's
 * cgroup is below the cgroup podman runs in, as on a node whose root shell is in the root cgroup;
 * the cgroups, the daemon (by its pid), the containers and the bridge are removed in finally.
 */
@Tag("podman")
@KernelTest
class PodmanWarmIT {
    private static final Pattern SAMPLE = Pattern.compile("^(jcni_\\w+\\{[^}]*\\}) (\\S+)$", Pattern.MULTILINE);

    @Test
    void podmansAddAndDelAreServedWarmByADaemonPlacedAsDocumented() throws Exception {
        for (String tool : List.of("/usr/bin/podman", "/usr/sbin/runc", "/bin/busybox", "/usr/bin/prlimit")) {
            if (!Files.isExecutable(Path.of(tool))) {
                String reason = tool + " is missing: install podman, runc, busybox-static, util-linux";
                if (Kernel.inCi()) {
                    throw new AssertionError(reason + "; CI=true forbids skipping");
                }
                org.junit.jupiter.api.Assumptions.abort(reason);
            }
        }
        String unique = Kernel.uniqueName("jpw");
        String cgroupParent = ownCgroup() + "/" + unique;
        Path home = Files.createTempDirectory("jpw"); // podman: a runroot of 50 characters at most
        Podman podman = null;
        WarmDist dist = null;
        String bridge = "jtb" + unique.substring(3, 9);
        String network = "jcni-warm-" + unique.substring(3);
        try {
            Map<String, String> plugins = new LinkedHashMap<>();
            plugins.put("bridge", "dev.jcni.plugins.bridge.Bridge");
            plugins.put("host-local", "dev.jcni.plugins.hostlocal.HostLocal");
            plugins.put("portmap", "dev.jcni.plugins.portmap.Portmap");
            dist = WarmDist.create(home.resolve("dist"), plugins, Dist.referenceClassPath());
            Path bin = dist.dir().resolve("bin");
            podman = Podman.create(home, bin);
            Podman view = podman.view(network, bin);
            ThreadLocalRandom r = ThreadLocalRandom.current();
            String subnet = "10." + r.nextInt(200, 250) + "." + r.nextInt(0, 250) + ".0/24";
            Files.writeString(view.netDir.resolve(network + ".conflist"), "{\"cniVersion\": \"1.0.0\", \"name\": \"" + network
                    + "\", \"plugins\": [{\"type\": \"bridge\", \"bridge\": \"" + bridge + "\", \"isGateway\": true,"
                    + " \"ipMasq\": true, \"ipam\": {\"type\": \"host-local\", \"dataDir\": \"" + home.resolve("ipam")
                    + "\", \"ranges\": [[{\"subnet\": \"" + subnet + "\"}]]}},"
                    + " {\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}]}\n");

            // podman's own limits, as an operator reads them: from a conmon (no network, no CNI call)
            view.ok(Podman.runArgs("none", List.of("-d", "--name", "limits-" + unique, "--cgroup-parent", cgroupParent),
                    "sleep", "600"));
            String conmon = view.ok("inspect", "--format", "{{.State.ConmonPid}}", "limits-" + unique);
            long[] nproc = processLimit(Path.of("/proc", conmon, "limits"));
            view.ok("rm", "-f", "-t", "0", "limits-" + unique);
            long[] mine = processLimit(Path.of("/proc/self/limits"));
            assertTrue(nproc[1] < mine[1], "podman lowers its process limit below this JVM's (else this test proves nothing): "
                    + nproc[1] + " vs " + mine[1]);

            String daemonCgroup = cgroupParent + "/conmon/jcni";
            dist.startDaemon("--cgroup", daemonCgroup, "--rlimit", "nproc=" + nproc[0] + ":" + nproc[1]);
            assertTrue(dist.daemonLog().contains("placed as asked: limits nproc=" + nproc[0] + ":" + nproc[1] + "; cgroup "
                    + daemonCgroup), dist.daemonLog());
            long daemonPid = dist.daemon().pid();
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(daemonPid), "cgroup"))) {
                assertTrue(line.endsWith(":" + daemonCgroup), "the daemon is in " + line);
            }

            // -d: podman run returns once the container started; the DEL can only come from the
            // cleanup conmon runs when `true` has exited
            String container = "warm-" + unique;
            view.ok(Podman.runArgs(network, List.of("-d", "--name", container, "--cgroup-parent", cgroupParent), "true"));
            Map<String, Double> m = awaitServed(dist, "served bridge DEL");
            for (String plugin : List.of("bridge", "portmap")) {
                for (String command : List.of("ADD", "DEL")) {
                    String key = "jcni_calls_total{plugin=\"" + plugin + "\",command=\"" + command + "\",code=\"0\"}";
                    assertEquals(1.0, m.getOrDefault(key, 0.0), key + " in\n" + m + "\n" + dist.daemonLog());
                }
            }
            assertEquals(0.0, m.getOrDefault("jcni_refusals_total{reason=\"caller_differs\"}", 0.0),
                    "no call of podman's refused:\n" + dist.daemonLog());
            view.ok("rm", "-f", "-t", "0", container);

            // the rule still holds: a caller with less than the daemon is refused, and runs cold
            Map<String, String> env = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_COMMAND", "VERSION",
                    "JCNI_WARM_PATIENCE_MS", "10000");
            byte[] conf = "{\"cniVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            WarmDist.Run lower = WarmDist.exec(List.of("/usr/bin/prlimit", "--nproc=" + (nproc[0] - 1) + ":" + (nproc[1] - 1),
                    dist.launcher("bridge").toString()), env, conf, home);
            assertEquals(0, lower.exitCode(), lower.toString());
            assertTrue(dist.daemonLogShows("refused a call of bridge from pid " + lower.pid() + ": its limit \"Max processes\""),
                    dist.daemonLog());
            Path outside = cgroupDir(cgroupParent + "/outside");
            Files.createDirectories(outside);
            WarmDist.Run beside = WarmDist.exec(List.of("/bin/sh", "-c", "echo $$ > " + outside.resolve("cgroup.procs")
                    + " && exec \"$0\"", dist.launcher("bridge").toString()), env, conf, home);
            assertEquals(0, beside.exitCode(), beside.toString());
            assertTrue(dist.daemonLogShows("refused a call of bridge from pid " + beside.pid() + ": its cgroup "),
                    dist.daemonLog());
            assertTrue(dist.daemonLog().contains("is outside the daemon's " + cgroupParent + "/conmon"), dist.daemonLog());
            Map<String, Double> after = metrics(dist);
            assertEquals(2.0, after.getOrDefault("jcni_refusals_total{reason=\"caller_differs\"}", 0.0), after.toString());
            assertEquals(0.0, after.getOrDefault("jcni_calls_total{plugin=\"bridge\",command=\"VERSION\",code=\"0\"}", 0.0)
                    - m.getOrDefault("jcni_calls_total{plugin=\"bridge\",command=\"VERSION\",code=\"0\"}", 0.0),
                    "neither refused call was served");
        } finally {
            try {
                if (dist != null) {
                    dist.close(); // SIGTERM to its pid, then SIGKILL; removes its sockets
                }
                if (podman != null) {
                    podman.destroy();
                }
            } finally {
                Kernel.exec("ip", "link", "del", bridge);
                removeCgroups(cgroupParent);
                Kernel.exec("rm", "-rf", "--one-file-system", home.toString());
            }
        }
    }

    /**
     * The deepest of this process's cgroup paths, which must contain the others (a node's root shell:
     * "/" everywhere; this machine's test runner: its own memory cgroup, "/" elsewhere).
     */
    static String ownCgroup() throws IOException {
        String deepest = "/";
        List<String> paths = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String p = line.substring(line.lastIndexOf(':') + 1);
            paths.add(p);
            if (p.length() > deepest.length()) {
                deepest = p;
            }
        }
        for (String p : paths) {
            assertTrue(p.equals("/") || deepest.equals(p) || deepest.startsWith(p + "/"),
                    "this JVM's cgroups do not nest: " + paths);
        }
        return deepest.equals("/") ? "" : deepest;
    }

    /** The memory hierarchy's directory of a cgroup (cgroup v1), or the unified one's (v2). */
    static Path cgroupDir(String cgroup) {
        Path v1 = Path.of("/sys/fs/cgroup/memory");
        Path base = Files.exists(v1.resolve("cgroup.procs")) ? v1 : Path.of("/sys/fs/cgroup");
        return Path.of(base + cgroup);
    }

    /** Removes a cgroup and those below it in every hierarchy mounted under /sys/fs/cgroup (deepest first). */
    static void removeCgroups(String cgroup) throws IOException {
        List<Path> bases = new ArrayList<>(List.of(Path.of("/sys/fs/cgroup")));
        try (var s = Files.list(Path.of("/sys/fs/cgroup"))) {
            s.filter(Files::isDirectory).forEach(bases::add);
        }
        for (Path base : bases) {
            Path top = Path.of(base + cgroup);
            if (!Files.isDirectory(top) || !top.startsWith(base) || cgroup.isEmpty()) {
                continue;
            }
            List<Path> dirs;
            try (var s = Files.walk(top)) {
                dirs = s.filter(Files::isDirectory).sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
            }
            for (Path d : dirs) {
                Kernel.exec("rmdir", d.toString());
            }
        }
    }

    /** Soft and hard "Max processes" of a limits file. */
    static long[] processLimit(Path limits) throws IOException {
        for (String line : Files.readAllLines(limits)) {
            if (line.startsWith("Max processes")) {
                String[] f = line.substring(26).trim().split("\\s+");
                return new long[] {value(f[0]), value(f[1])};
            }
        }
        throw new AssertionError("no Max processes in " + limits);
    }

    private static long value(String v) {
        return v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v);
    }

    /** The daemon's samples, by {@code jcni metrics --socket} (its root-only metrics socket). */
    static Map<String, Double> metrics(WarmDist dist) {
        Kernel.ExecResult r = Kernel.exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                WarmDist.testClassPath(), "dev.jcni.sdk.cli.Main", "metrics", "--socket", dist.socket().toString());
        assertEquals(0, r.exitCode(), r.stderr());
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = SAMPLE.matcher(r.stdout());
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    /**
     * Waits until the daemon's log says it served a call (at most 120 s: conmon's cleanup runs after
     * the container exits), then reads its metrics.
     */
    static Map<String, Double> awaitServed(WarmDist dist, String served) throws InterruptedException {
        for (int i = 0; i < 1200 && !dist.daemonLog().contains(served); i++) {
            Thread.sleep(100);
        }
        assertTrue(dist.daemonLog().contains(served), "the daemon never " + served + ":\n" + dist.daemonLog());
        return metrics(dist);
    }
}
