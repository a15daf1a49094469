package dev.jcni.plugins.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo/cluster.sh} with 2 nodes (one bridge, one ptp): every row of its table holds, and
 * everything it made (namespaces and so their links, bridges, routes and rules; processes; its work
 * directory) is gone afterwards, after a success, after a plugin failure and after a Ctrl-C in the
 * middle of an ADD.
 */
@KernelTest
class ClusterDemoIT {
    static final Path SCRIPT = Path.of("..", "demo", "cluster.sh").toAbsolutePath().normalize();

    final String id = String.format("%08x", ThreadLocalRandom.current().nextInt());
    final String prefix = "jcl-" + id + "-";
    @TempDir
    Path tmp;

    /** What a run printed, line by line, and how it ended. */
    record Run(int exitCode, List<String> lines) {
        String text() {
            return String.join("\n", lines);
        }

        /** @return the rows of the results table: check, from, to, answer, result */
        List<List<String>> table() {
            int header = lines.indexOf(lines.stream().filter(l -> l.startsWith("check ")).findFirst()
                    .orElseThrow(() -> new AssertionError("no results table:\n" + text())));
            List<List<String>> rows = new ArrayList<>();
            for (String l : lines.subList(header + 1, lines.size())) {
                if (l.isBlank()) {
                    break;
                }
                List<String> cells = Arrays.asList(l.trim().split("\\s{2,}"));
                assertEquals(5, cells.size(), () -> "a row of five cells: " + l);
                rows.add(cells);
            }
            return rows;
        }
    }

    @Test
    void twoNodesEveryRowHoldsAndNothingIsLeft() {
        Run run = run(Map.of(), line -> false);
        System.out.println(run.text());
        assertEquals(0, run.exitCode(), run::text);

        Matcher nodeNet = Pattern.compile("node network 10\\.(\\d+)\\.0\\.0/24").matcher(run.text());
        assertTrue(nodeNet.find(), run::text);
        String o = nodeNet.group(1);
        assertTrue(run.lines().stream().anyMatch(l -> l.matches("plugins: (cold|warm) \\(.*")), run::text);

        // every pod's ADD, with its time: two on the bridge node, two on the ptp node
        Map<String, String> pods = new LinkedHashMap<>();
        for (String l : run.lines()) {
            Matcher m = Pattern.compile("(n[12][ab]) +node[12] +(bridge|ptp) +10\\." + o + "\\.\\S+ +\\d+ ms.*").matcher(l);
            if (m.matches()) {
                pods.put(m.group(1), m.group(2));
            }
        }
        assertEquals(Map.of("n1a", "bridge", "n1b", "bridge", "n2a", "ptp", "n2b", "ptp"), pods, run::text);

        Map<String, Long> counts = run.table().stream().collect(Collectors.groupingBy(r -> r.get(0), LinkedHashMap::new, Collectors.counting()));
        assertEquals(Map.of(
                "pod to pod, same node (bridge)", 1L,
                "pod to pod, same node (ptp)", 1L,
                "pod to pod across nodes, no NAT", 2L,
                "node to its own pods", 2L,
                "hostPort from another node", 2L,
                "two containers of one pod", 1L,
                "removal leaves the node clean", 2L,
                "host namespace untouched", 1L), counts, run::text);
        for (List<String> r : run.table()) {
            String check = r.get(0);
            String from = r.get(1);
            String answer = r.get(3);
            assertEquals("ok", r.get(4), () -> "row " + r + "\n" + run.text());
            switch (check) {
                case "pod to pod, same node (bridge)", "pod to pod, same node (ptp)", "pod to pod across nodes, no NAT",
                        "hostPort from another node" ->
                    // the server saw the client's own address: no NAT on the way
                    assertTrue(answer.endsWith(" saw " + from.split(" ")[1]), () -> "row " + r);
                case "node to its own pods" -> {
                    String gw = "10." + o + "." + (128 + Integer.parseInt(from.substring(4))) + ".1";
                    for (String a : answer.split("; ")) {
                        assertTrue(a.matches("n\\d[ab] saw " + Pattern.quote(gw)), () -> "row " + r);
                    }
                }
                case "two containers of one pod" -> assertEquals("n1a saw 127.0.0.1", answer);
                case "removal leaves the node clean" -> assertEquals("veths 0, reservations 0, rules 0, cache entries 0", answer);
                case "host namespace untouched" -> assertEquals("routes to the demo's subnets 0, rules naming its pods 0", answer);
                default -> throw new AssertionError("unexpected row " + r);
            }
        }
        assertNothingLeft(o);
    }

    @Test
    void aFailingPluginLeavesNothingBehind() throws IOException {
        Path failing = Files.createDirectory(tmp.resolve("failing"));
        Path portmap = failing.resolve("portmap");
        Files.writeString(portmap, "#!/bin/sh\n"
                + "echo '{\"cniVersion\":\"1.1.0\",\"code\":999,\"msg\":\"portmap failed on purpose\"}'\nexit 1\n");
        assertTrue(portmap.toFile().setExecutable(true));
        // CNI_PATH finds this portmap first: the first pod's ADD fails after bridge made its veth and cni0
        Run run = run(Map.of("JCNI_DEMO_CNI_PATH", failing + ":" + Dist.bin()), line -> false);
        assertEquals(1, run.exitCode(), run::text);
        assertTrue(run.text().contains("portmap failed on purpose"), run::text);
        assertTrue(run.text().contains("cluster demo: failed (exit 1); removing everything it made"), run::text);
        assertNothingLeft(null);
    }

    @Test
    void ctrlCDuringAnAddLeavesNothingBehind() {
        // interrupted as soon as the first pod is attached and its container runs: the second ADD has begun
        Run run = run(Map.of(), line -> line.startsWith("n1a "));
        assertEquals(130, run.exitCode(), run::text);
        assertTrue(run.text().contains("cluster demo: interrupted, removing everything it made"), run::text);
        assertNothingLeft(null);
    }

    /**
     * Runs the demo with 2 nodes in a process group of its own; when {@code interruptAt} accepts a line
     * of its output, sends SIGINT to the whole group, as Ctrl-C in a terminal does.
     */
    Run run(Map<String, String> env, Predicate<String> interruptAt) {
        Dist.bin();   // the distribution is built (the demo would otherwise run mvn package)
        // env --default-signal: SIGINT may be ignored in the JVM's own process (then bash could not trap it)
        ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=INT,TERM", "setsid", SCRIPT.toString(),
                "--nodes", "2", "--id", id).redirectErrorStream(true);
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().remove("JCNI_DEMO_WARM");
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            List<String> lines = new ArrayList<>();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    boolean sent = false;
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        synchronized (lines) {
                            lines.add(l);
                        }
                        if (!sent && interruptAt.test(l)) {
                            sent = true;
                            signalGroup(p.pid(), "INT");
                        }
                    }
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                signalGroup(p.pid(), "TERM");   // the demo's trap cleans up; then the test's own net below
                p.waitFor(60, TimeUnit.SECONDS);
                p.destroyForcibly();
                throw new AssertionError("demo/cluster.sh did not finish in 600 s:\n" + String.join("\n", lines));
            }
            reader.get(30, TimeUnit.SECONDS);
            synchronized (lines) {
                return new Run(p.exitValue(), List.copyOf(lines));
            }
        } catch (Exception e) {
            throw new AssertionError("cannot run " + SCRIPT + ": " + e, e);
        }
    }

    /** setsid made the demo the leader of its own process group: its pid is the group's id. */
    static void signalGroup(long pid, String signal) {
        Kernel.exec("kill", "-" + signal, "--", "-" + pid);
    }

    /**
     * Asserts that nothing of the run is left: no namespace of its name, no process of it (its
     * containers run scripts from its work directory), no work directory, and, when the run chose its
     * addresses, no route to them in the host's namespace. The demo adds nothing to the host's
     * namespace, so nothing else is there to look for.
     */
    void assertNothingLeft(String secondOctet) {
        assertEquals(List.of(), namespaces(), "namespaces of the run");
        assertEquals(List.of(), processesMentioning(tmp.toString()), "processes of the run");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.filter(f -> f.getFileName().toString().startsWith("jcni-cluster.")).toList(), "work directory");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        if (secondOctet != null) {
            String routes = Kernel.exec("ip", "-4", "route", "show", "table", "all").ok();
            Pattern ours = Pattern.compile("(^| )10\\." + secondOctet + "\\.(0|129|130)\\.");
            assertTrue(routes.lines().noneMatch(l -> ours.matcher(l).find()), routes);
        }
    }

    /** The test's own net: whatever the demo left (the assertions above have failed by then) goes. */
    @AfterEach
    void removeWhatTheDemoLeft() {
        for (String ns : namespaces()) {
            String pids = Kernel.exec("ip", "netns", "pids", ns).stdout().trim();
            if (!pids.isEmpty()) {
                List<String> kill = new ArrayList<>(List.of("kill", "-KILL"));
                kill.addAll(Arrays.asList(pids.split("\\s+")));
                Kernel.exec(kill.toArray(String[]::new));
            }
            Kernel.exec("ip", "netns", "del", ns);
        }
    }

    List<String> namespaces() {
        return Kernel.exec("ip", "netns", "list").stdout().lines()
                .map(l -> l.split(" ")[0]).filter(n -> n.startsWith(prefix)).toList();
    }

    static List<String> processesMentioning(String text) {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(d -> d.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmdline.contains(text)) {
                        found.add(p.getFileName() + " " + cmdline.trim());
                    }
                } catch (IOException gone) {
                    // the process ended meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return found;
    }
}
