package dev.jcni.plugins.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 *
 * <p>The demo's own verdicts are not taken on trust: the demo waits at its two pause points
 * ({@code JCNI_DEMO_PAUSE}, a script that stops itself until the test continues it) while the test
 * reads the namespaces itself: once every pod is attached, each pod's address and default route, the
 * bridge's ports and gateway address, ptp's host routes, the hostPort rule, and traffic it sends
 * itself across the nodes (the underlay ports' packet counters move, the server saw the client's own
 * address); once every pod is removed, no veth, pod route, reservation, cache entry or rule naming a
 * pod's container id on any node. After the run, no rule in the host's namespace names one either.
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
        List<String> looked = new ArrayList<>();
        Run run = run(Map.of(), line -> false, Map.of(
                "attached", so -> {
                    podsAsTheTestSeesThem(so);
                    looked.add("attached");
                },
                "removed", so -> {
                    nodesCleanAsTheTestSeesThem(so);
                    looked.add("removed");
                }));
        System.out.println(run.text());
        assertEquals(0, run.exitCode(), run::text);
        assertEquals(List.of("attached", "removed"), looked, "the test looked at both pause points");

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
        String hostRules = Kernel.exec("iptables-save").stdout() + Kernel.exec("ip6tables-save").stdout()
                + Kernel.exec("nft", "list", "ruleset").stdout();
        for (String cid : containerIds()) {
            assertFalse(hostRules.contains(cid), "a rule in the host's namespace names " + cid);
        }
    }

    static final List<String> PODS = List.of("n1a", "n1b", "n2a", "n2b");

    /** @return the pods' container ids, as jcni derives them from the netns paths (as cnitool does) */
    List<String> containerIds() {
        List<String> ids = new ArrayList<>();
        for (String pod : PODS) {
            try {
                byte[] h = MessageDigest.getInstance("SHA-512").digest(("/run/netns/" + prefix + pod).getBytes(StandardCharsets.UTF_8));
                ids.add("cnitool-" + HexFormat.of().formatHex(h).substring(0, 20));
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }
        return ids;
    }

    /** The run's second octet (10.o.x.x) and work directory, from what it printed so far. */
    record Where(String o, Path work) {
        static Where of(Run soFar) {
            Matcher net = Pattern.compile("node network 10\\.(\\d+)\\.0\\.0/24").matcher(soFar.text());
            Matcher work = Pattern.compile("(?m)^work directory: (\\S+)$").matcher(soFar.text());
            assertTrue(net.find() && work.find(), soFar::text);
            return new Where(net.group(1), Path.of(work.group(1)));
        }
    }

    private static String in(String ns, String... command) {
        List<String> c = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        c.addAll(List.of(command));
        return Kernel.exec(c.toArray(String[]::new)).ok();
    }

    /** What a TCP server in a namespace answers a client of another (retried while it starts). */
    private static String ask(String ns, String address, int port) {
        String said = "";
        for (int i = 0; i < 10 && said.isEmpty(); i++) {
            said = Kernel.exec("ip", "netns", "exec", ns, "sh", "-c", "nc -n -w 2 \"$0\" \"$1\" </dev/null", address,
                    Integer.toString(port)).stdout().trim();
        }
        return said;
    }

    private long counter(String link, String which) {
        return Long.parseLong(in(prefix + "underlay", "cat", "/sys/class/net/" + link + "/statistics/" + which).trim());
    }

    /** At "attached": what the test reads in the namespaces and sends itself. */
    void podsAsTheTestSeesThem(Run soFar) {
        Where w = Where.of(soFar);
        Map<String, String> ip = new LinkedHashMap<>();
        for (String pod : PODS) {
            int node = pod.charAt(1) - '0';
            String net = "10." + w.o() + "." + (128 + node) + ".";
            String addr = Kernel.exec("ip", "-n", prefix + pod, "-4", "-o", "addr", "show", "dev", "eth0").ok();
            Matcher m = Pattern.compile("inet (" + Pattern.quote(net) + "(\\d+))/24 ").matcher(addr);
            assertTrue(m.find() && !m.group(2).equals("1"), pod + "'s eth0 has an address of node" + node + "'s pod CIDR: " + addr);
            ip.put(pod, m.group(1));
            String route = Kernel.exec("ip", "-n", prefix + pod, "-4", "route", "show", "default").ok();
            assertTrue(route.contains("via " + net + "1 "), pod + "'s default route goes through its node: " + route);
        }
        // the bridge node: both pods' host veths are ports of cni0, which has the gateway address
        String node1 = prefix + "node1";
        assertEquals(2, Kernel.exec("ip", "-n", node1, "-o", "link", "show", "master", "cni0").ok().lines().count());
        assertTrue(Kernel.exec("ip", "-n", node1, "-4", "-o", "addr", "show", "dev", "cni0").ok().contains("10." + w.o() + ".129.1/24"));
        // the ptp node: a host route to each pod through its own veth
        String routes2 = Kernel.exec("ip", "-n", prefix + "node2", "-4", "route", "show").ok();
        for (String pod : List.of("n2a", "n2b")) {
            assertTrue(routes2.lines().anyMatch(l -> l.startsWith(ip.get(pod) + " dev veth")), "node2 routes " + pod + ": " + routes2);
        }
        // traffic the test sends itself, pod n1a to pod n2a: it crosses the underlay, the source address kept
        long out1 = counter("node1", "rx_packets");
        long in2 = counter("node2", "tx_packets");
        assertEquals("n2a saw " + ip.get("n1a"), ask(prefix + "n1a", ip.get("n2a"), 8080));
        assertTrue(counter("node1", "rx_packets") > out1, "packets left node1 on the underlay");
        assertTrue(counter("node2", "tx_packets") > in2, "packets reached node2 on the underlay");
        // the hostPort: node1's DNAT rule, and a connection from node2 to node1's address
        String nat = in(node1, "iptables-save", "-t", "nat");
        assertTrue(nat.contains("--dport 30080") && nat.contains(ip.get("n1a") + ":8080"), nat);
        String node1Ip = "10." + w.o() + ".0.11";
        assertEquals("n1a saw 10." + w.o() + ".0.12", ask(prefix + "node2", node1Ip, 30080));
    }

    /** At "removed": the nodes as the test reads them. */
    void nodesCleanAsTheTestSeesThem(Run soFar) {
        Where w = Where.of(soFar);
        for (String pod : PODS) {
            assertFalse(Files.exists(Path.of("/run/netns", prefix + pod)), pod + "'s namespace is gone");
        }
        for (int n = 1; n <= 2; n++) {
            String ns = prefix + "node" + n;
            String veths = Kernel.exec("ip", "-n", ns, "-o", "link", "show", "type", "veth").ok();
            assertTrue(veths.lines().allMatch(l -> l.matches("\\d+: eth0@.*")), "node" + n + " veths: " + veths);
            String routes = Kernel.exec("ip", "-n", ns, "-4", "route", "show", "table", "all").ok();
            assertFalse(routes.contains(" dev veth"), "node" + n + " routes: " + routes);
            Path store = w.work().resolve("node" + n).resolve("ipam").resolve("k8s-pod-network");
            assertEquals(List.of(), files(store).stream().filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip")).toList(),
                    "node" + n + " reservations");
            assertEquals(List.of(), files(w.work().resolve("node" + n).resolve("cache")), "node" + n + " cache");
            String rules = in(ns, "iptables-save") + in(ns, "ip6tables-save") + in(ns, "nft", "list", "ruleset");
            for (String cid : containerIds()) {
                assertFalse(rules.contains(cid), "node" + n + " has a rule naming " + cid + ":\n" + rules);
            }
        }
    }

    /** @return every regular file under a directory, relative names; empty when it does not exist */
    private static List<String> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
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
        return run(env, interruptAt, Map.of());
    }

    /**
     * The same, and at each of the demo's pause points ({@code JCNI_DEMO_PAUSE}) runs the given look
     * (with the output so far) while the demo waits; the demo goes on afterwards whatever the look found,
     * and the look's failure is the test's.
     */
    Run run(Map<String, String> env, Predicate<String> interruptAt, Map<String, Consumer<Run>> atPause) {
        Dist.bin();   // the distribution is built (the demo would otherwise run mvn package)
        Path pause = tmp.resolve("pause");
        try {
            Files.writeString(pause, "#!/bin/sh\n# stops until ClusterDemoIT continues it\nkill -STOP $$\n");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertTrue(pause.toFile().setExecutable(true));
        // env --default-signal: SIGINT may be ignored in the JVM's own process (then bash could not trap it)
        ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=INT,TERM", "setsid", SCRIPT.toString(),
                "--nodes", "2", "--id", id).redirectErrorStream(true);
        pb.environment().put("TMPDIR", tmp.toString());
        pb.environment().remove("JCNI_DEMO_WARM");
        pb.environment().put("JCNI_DEMO_PAUSE", pause.toString());
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
            List<Throwable> lookFailures = java.util.Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> looks = CompletableFuture.runAsync(() -> {
                while (p.isAlive()) {
                    for (ProcessHandle d : p.descendants().toList()) {
                        String cmd = cmdline(d.pid());
                        if (cmd.startsWith("/bin/sh " + pause + " ") && state(d.pid()) == 'T') {
                            String stage = cmd.substring(cmd.lastIndexOf(' ') + 1);
                            try {
                                Consumer<Run> look = atPause.get(stage);
                                if (look != null) {
                                    synchronized (lines) {
                                        look.accept(new Run(0, List.copyOf(lines)));
                                    }
                                }
                            } catch (Throwable t) {
                                lookFailures.add(t);
                            } finally {
                                Kernel.exec("kill", "-CONT", Long.toString(d.pid()));
                            }
                        }
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                signalGroup(p.pid(), "TERM");   // the demo's trap cleans up; then the test's own net below
                p.waitFor(60, TimeUnit.SECONDS);
                p.destroyForcibly();
                throw new AssertionError("demo/cluster.sh did not finish in 600 s:\n" + String.join("\n", lines));
            }
            reader.get(30, TimeUnit.SECONDS);
            looks.get(30, TimeUnit.SECONDS);
            if (!lookFailures.isEmpty()) {
                AssertionError e = new AssertionError("at a pause point of the demo: " + lookFailures.get(0).getMessage()
                        + "\n" + String.join("\n", lines), lookFailures.get(0));
                throw e;
            }
            synchronized (lines) {
                return new Run(p.exitValue(), List.copyOf(lines));
            }
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError("cannot run " + SCRIPT + ": " + e, e);
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    /** @return a process's state letter ({@code T}: stopped), {@code X} when it is gone */
    private static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return 'X';
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
