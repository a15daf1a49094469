package dev.jcni.plugins.cri;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.firewall.Names;
import dev.jcni.sdk.cli.NodeImage;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.types.IpPrefix;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kubelet's path to jcni's plugins: containerd 1.6.20 (Debian's {@code containerd}, CRI plugin built
 * in) driven over the CRI with the calls kubelet makes for a pod (RunPodSandbox with a hostPort,
 * PodSandboxStatus, CreateContainer, StartContainer, ExecSync, StopPodSandbox, RemovePodSandbox),
 * through {@link CriClient}. containerd runs privately ({@link Containerd}: scratch root, state and
 * socket; no systemd), its CNI {@code bin_dir} holds jcni's packaged plugins ({@code target/cni/bin})
 * and its networks are the test's own (bridge + host-local + portmap, ptp + host-local + portmap).
 *
 * <p>The {@code loopback} plugin: containerd's CRI runs it for every pod (the pod's {@code lo}),
 * before the pod's network. The test's plugin directory (containerd's {@code bin_dir}, the plugins'
 * {@code CNI_PATH}) holds links to jcni's packaged plugins only, loopback included: no Go plugin is
 * on the path of jcni's pods ({@link #onlyJcniPluginsInTheBinDir}). Only the Go timing run's
 * containerd uses {@code /usr/lib/cni}.
 *
 * <p>Cold: containerd runs with {@code JCNI_WARM=off}, so every plugin call starts a JVM even if a
 * jcni daemon serves the machine. The Go plugins 1.1.1 in the same run give the timings
 * ({@link #timingsJcniColdAndWarmVersusGo}: printed, written to {@code target/cri-timings.txt}, not asserted).
 *
 * <p>Warm, from the DaemonSet ({@link #warmNode}): a distribution of the five plugins (loopback included) under a name of
 * its own ({@link WarmDist}: its socket is nobody else's), its node image written by {@link NodeImage}
 * and imported with {@code ctr}, a third containerd (warm mode on) whose CNI bin dir is a scratch
 * directory, and the DaemonSet's own pod of {@code src/dist/kubernetes/jcni-daemonset.yaml} run
 * through the same CRI client ({@link DaemonSetPod}: the init container installs the plugins and the
 * image's Java runtime into that directory, the main container runs the daemon). Warm is proven by
 * the daemon's log (its {@code served} lines, none {@code refused}), not by timing.
 *
 * <p>Traffic goes only to the pods on the test's own bridge or veths, to 127.0.0.1 and to a test
 * address on a link the test creates (checked local with {@code ip route get}); never to eth0's.
 */
@KernelTest
class CriIT {
    private static final String NAMESPACE = "jcni-cri";
    /** libcni's cache of results, where containerd 1.6's CNI library keeps them (it sets no cache dir). */
    private static final Path CNI_CACHE = Path.of("/var/lib/cni/results");
    private static final int SERVER_PORT = 8080;
    /** The bin dir of jcni's containerd: jcni's plugins, nothing else. */
    private static final List<String> JCNI_PLUGINS = List.of("loopback", "bridge", "ptp", "host-local", "portmap");

    private static Path home;
    private static Images images;
    private static Containerd jcni;
    private static Net bridge;
    private static Net ptp;
    private static String testLink;
    private static String testAddress;
    /** The warm node, started by the first test that needs it ({@link #warmNode}). */
    private static Containerd warm;
    private static Net warmBridge;
    private static Net warmPtp;
    private static Path warmBin;
    private static DaemonSetPod daemonSet;
    private static DaemonSetPod.Running daemonPod;
    private static WarmDist warmDist;

    @BeforeAll
    static void setUp() throws IOException {
        for (String tool : List.of("/usr/bin/containerd", "/usr/bin/ctr", "/usr/bin/containerd-shim-runc-v2", "/usr/sbin/runc",
                "/bin/busybox", "/usr/lib/cni/loopback")) {
            if (!Files.isExecutable(Path.of(tool))) {
                String reason = tool + " is missing: install containerd, runc, busybox-static and containernetworking-plugins"
                        + " (test.sh does)";
                if (Kernel.inCi()) {
                    throw new AssertionError(reason + "; CI=true forbids skipping");
                }
                org.junit.jupiter.api.Assumptions.abort(reason);
            }
        }
        home = Files.createTempDirectory("jcni-cri");
        images = Images.build(Files.createDirectories(home.resolve("images")));
        testLink = Kernel.uniqueName("jct");
        testAddress = "10.254." + ThreadLocalRandom.current().nextInt(1, 250) + "." + ThreadLocalRandom.current().nextInt(2, 250);
        Kernel.exec("ip", "link", "add", testLink, "type", "bridge").ok();
        Kernel.exec("ip", "addr", "add", testAddress + "/32", "dev", testLink).ok();
        Kernel.exec("ip", "link", "set", testLink, "up").ok();

        Path bin = Files.createDirectories(home.resolve("cni-bin"));
        for (String plugin : JCNI_PLUGINS) {
            Files.createSymbolicLink(bin.resolve(plugin), Dist.exe(plugin));
        }
        bridge = Net.create("bridge", home);
        ptp = Net.create("ptp", home);
        jcni = Containerd.start("jcni", Files.createDirectories(home.resolve("containerd-jcni")), bin,
                List.of(bridge.network(), ptp.network()), Containerd.cold(), images);
    }

    @AfterAll
    static void tearDown() throws IOException {
        try {
            if (jcni != null) {
                jcni.close();
            }
            closeWarm();
        } finally {
            if (testLink != null) {
                Kernel.exec("ip", "link", "del", testLink);
            }
            for (Net n : Arrays.asList(bridge, ptp, warmBridge, warmPtp)) {
                if (n != null) {
                    n.removeBridge();
                }
            }
            if (home != null) {
                Kernel.exec("rm", "-rf", "--one-file-system", home.toString());
            }
        }
    }

    /**
     * One test network: a name, a /24 in 10.x that no route of the machine covers, the host-local
     * store in the scratch directory, and for bridge a bridge name of its own.
     */
    record Net(String kind, String name, String handler, IpPrefix subnet, String gateway, String bridge, Path dataDir) {
        static Net create(String kind, Path home) throws IOException {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            String suffix = String.format("%06x", r.nextInt(1 << 24));
            String routes = Kernel.exec("ip", "-4", "route", "show", "table", "all").ok()
                    + Kernel.exec("ip", "-4", "-o", "addr").ok();
            String base;
            do {
                base = "10." + r.nextInt(100, 200) + "." + r.nextInt(0, 250) + ".";
            } while (routes.contains(base));
            return new Net(kind, "jcni-cri-" + kind + "-" + suffix, kind + "-" + suffix, IpPrefix.parse(base + "0/24"), base + "1",
                    kind.equals("bridge") ? "jcb" + suffix : "", home.resolve("ipam"));
        }

        Containerd.Network network() {
            String ipam = "{\"type\": \"host-local\", \"dataDir\": \"" + dataDir + "\", \"routes\": [{\"dst\": \"0.0.0.0/0\"}],"
                    + " \"ranges\": [[{\"subnet\": \"" + subnet + "\", \"gateway\": \"" + gateway + "\"}]]}";
            String main = kind.equals("bridge")
                    ? "{\"type\": \"bridge\", \"bridge\": \"" + bridge + "\", \"isGateway\": true, \"ipMasq\": true,"
                            + " \"hairpinMode\": true, \"ipam\": " + ipam + "}"
                    : "{\"type\": \"ptp\", \"ipMasq\": true, \"ipam\": " + ipam + "}";
            return new Containerd.Network(handler, name, "{\n  \"cniVersion\": \"1.0.0\",\n  \"name\": \"" + name + "\",\n"
                    + "  \"plugins\": [\n    " + main + ",\n    {\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}\n  ]\n}\n");
        }

        void removeBridge() {
            if (!bridge.isEmpty()) {
                Kernel.exec("ip", "link", "del", bridge);
            }
        }
    }

    // ---------------------------------------------------------------- the scenarios

    @Test
    void bridgeTwoPods() throws Exception {
        twoPods(jcni, bridge);
    }

    @Test
    void ptpTwoPods() throws Exception {
        twoPods(jcni, ptp);
    }

    /** jcni's containerd finds jcni's plugins and nothing else: every entry of its bin dir is a packaged jcni executable. */
    @Test
    void onlyJcniPluginsInTheBinDir() throws IOException {
        Path dist = Dist.bin().toRealPath();
        List<String> names = new ArrayList<>();
        try (var entries = Files.list(home.resolve("cni-bin"))) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                assertTrue(p.toRealPath().startsWith(dist), p + " -> " + p.toRealPath() + " is not jcni's");
                names.add(p.getFileName().toString());
            }
        }
        assertEquals(JCNI_PLUGINS.stream().sorted().toList(), names.stream().sorted().toList());
    }

    /** A pod as the test runs it: its configuration, sandbox, container and what it left on the node. */
    record Pod(CriClient.PodConfig config, String sandbox, String container, String ip, String token, Trace trace) {
    }

    /** What a running pod has on the node, to check that its removal leaves none of it. */
    record Trace(String sandbox, List<String> hostLinks, Path cacheEntry, Path reservation, Path netns) {
    }

    /**
     * Two pods on one network, each running a server that answers its token on port 8080; the first
     * publishes it on a hostPort. Checks the pod IP PodSandboxStatus reports (in the subnet, on the
     * pod's eth0, distinct), node to pod, pod to pod both ways (ExecSync nc), the hostPort from the
     * node (the test address and 127.0.0.1); then StopPodSandbox + RemovePodSandbox of both leave no
     * veth, host route, reservation, firewall chain or rule, libcni cache entry, network namespace, mount
     * or cgroup (each of them checked present while the pods ran).
     */
    static void twoPods(Containerd node, Net net) throws Exception {
        int hostPort = ThreadLocalRandom.current().nextInt(20000, 40000);
        List<String> sandboxes = new ArrayList<>();
        try {
            Pod a = runPod(node, net, "a", List.of(new CriClient.PortMapping(SERVER_PORT, hostPort)), sandboxes);
            Pod b = runPod(node, net, "b", List.of(), sandboxes);
            assertNotEquals(a.ip, b.ip, "two pods, one address");

            // node to pod
            assertEquals(a.token, fetch(a.ip, SERVER_PORT), "node -> pod a " + a.ip);
            assertEquals(b.token, fetch(b.ip, SERVER_PORT), "node -> pod b " + b.ip);

            // pod to pod, both ways, from inside the containers
            assertEquals(a.token, podFetch(node, b, a.ip), "pod b -> pod a " + a.ip);
            assertEquals(b.token, podFetch(node, a, b.ip), "pod a -> pod b " + b.ip);

            // the hostPort from the node: a local test address on the test's link, and 127.0.0.1
            String route = Kernel.exec("ip", "route", "get", testAddress).ok().trim();
            assertTrue(route.startsWith("local " + testAddress), "the test address must be local (no traffic leaves the machine): " + route);
            assertEquals(a.token, fetch(testAddress, hostPort), "node " + testAddress + ":" + hostPort + " -> pod a");
            assertEquals(a.token, fetch("127.0.0.1", hostPort), "node 127.0.0.1:" + hostPort + " -> pod a");

            for (Pod p : List.of(a, b)) {
                node.cri.stopPodSandbox(p.sandbox);
                node.cri.removePodSandbox(p.sandbox);
                sandboxes.remove(p.sandbox);
            }
            List<String> left = node.cri.listPodSandboxIds().stream().filter(id -> id.equals(a.sandbox) || id.equals(b.sandbox)).toList();
            assertEquals(List.of(), left, "RemovePodSandbox leaves no sandbox (of these pods: the DaemonSet's may run)");
            assertClean(node, net, List.of(a, b));
        } finally {
            for (String s : sandboxes) {
                try {
                    node.cri.stopPodSandbox(s);
                    node.cri.removePodSandbox(s);
                } catch (RuntimeException e) {
                    System.out.println("cleanup of sandbox " + s + ": " + e);
                }
            }
        }
    }

    /** RunPodSandbox, PodSandboxStatus, CreateContainer + StartContainer of the token server. */
    private static Pod runPod(Containerd node, Net net, String role, List<CriClient.PortMapping> ports, List<String> sandboxes)
            throws IOException {
        String name = role + "-" + Kernel.uniqueName("");
        CriClient.PodConfig config = node.pod(name, NAMESPACE, ports);
        String sandbox = node.cri.runPodSandbox(config, net.handler);
        sandboxes.add(sandbox);
        CriClient.SandboxStatus status = node.cri.podSandboxStatus(sandbox);
        assertTrue(status.ready(), "sandbox " + sandbox + " is not ready");
        String ip = status.ip();
        assertTrue(!ip.isEmpty() && net.subnet.contains(InetAddress.getByName(ip)),
                "PodSandboxStatus gives the pod IP in " + net.subnet + ": '" + ip + "'");
        Path netns = netnsOf(status);
        node.sawNetns(netns);

        String token = "tok-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        String container = node.cri.createContainer(sandbox, new CriClient.ContainerConfig("server", Images.BUSYBOX,
                List.of("/bin/nc", "-ll", "-p", String.valueOf(SERVER_PORT), "-e", "/bin/echo", token)), config);
        node.cri.startContainer(container);

        // the pod's own view: the address PodSandboxStatus reported is on its eth0, the default route via the gateway
        CriClient.ExecResult addr = node.cri.execSync(container, 30, "/bin/ip", "-4", "-o", "addr", "show", "dev", "eth0");
        assertEquals(0, addr.exitCode(), addr.toString());
        assertTrue(addr.stdout().contains(" " + ip + "/24 "), "eth0 of pod " + name + " carries " + ip + ": " + addr.stdout());
        // containerd's loopback network (jcni's loopback plugin) brought the pod's lo up
        CriClient.ExecResult lo = node.cri.execSync(container, 30, "/bin/ip", "-o", "addr", "show", "dev", "lo");
        assertTrue(lo.stdout().contains(" 127.0.0.1/8 ") && node.cri.execSync(container, 30, "/bin/ip", "-o", "link", "show", "lo")
                .stdout().matches("(?s).*<[A-Z_,]*\\bUP\\b.*"), "lo of pod " + name + " is up with 127.0.0.1/8: " + lo);
        CriClient.ExecResult routes = node.cri.execSync(container, 30, "/bin/ip", "route");
        assertTrue(routes.stdout().lines().anyMatch(l -> l.startsWith("default via " + net.gateway + " dev eth0")),
                "default route via " + net.gateway + " in pod " + name + ":\n" + routes.stdout());
        return new Pod(config, sandbox, container, ip, token, trace(node, net, sandbox, ip, netns, !ports.isEmpty()));
    }

    /** The network namespace path in containerd's verbose sandbox information. */
    private static Path netnsOf(CriClient.SandboxStatus status) {
        Matcher m = Pattern.compile("\"(/var/run/netns/[^\"]+|/run/netns/[^\"]+)\"").matcher(status.info().getOrDefault("info", ""));
        assertTrue(m.find(), "no network namespace in the verbose status: " + status.info());
        Path p = Path.of(m.group(1));
        assertTrue(Files.exists(p), p + " does not exist");
        return p;
    }

    /**
     * What a running pod has on the node, each checked present: libcni's cache entry, the host veth(s)
     * it names (ports of the bridge, for bridge), the host-local reservation, the ipMasq chain and, when
     * the pod publishes a port, portmap's DNAT chain, and the pod's cgroup.
     */
    private static Trace trace(Containerd node, Net net, String sandbox, String ip, Path netns, boolean publishes) throws IOException {
        Path cache = CNI_CACHE.resolve(net.name + "-" + sandbox + "-eth0");
        assertTrue(Files.isRegularFile(cache), "no libcni cache entry " + cache);
        String json = Files.readString(cache);
        List<String> links = new ArrayList<>();
        Matcher m = Pattern.compile("\"name\":\"(veth[0-9a-f]{8})\"").matcher(json);
        while (m.find()) {
            links.add(m.group(1));
        }
        assertTrue(!links.isEmpty(), "no host veth in the cached result: " + json);
        for (String l : links) {
            assertEquals(0, Kernel.exec("ip", "link", "show", l).exitCode(), "host veth " + l + " of " + sandbox);
        }
        if (!net.bridge.isEmpty()) {
            String ports = Kernel.exec("ip", "-o", "link", "show", "master", net.bridge).ok();
            for (String l : links) {
                assertTrue(ports.contains(" " + l + "@"), l + " is not a port of " + net.bridge + ": " + ports);
            }
        }
        Path reservation = net.dataDir.resolve(net.name).resolve(ip);
        assertTrue(Files.isRegularFile(reservation), "no host-local reservation " + reservation);
        // ipMasq's chain of the pod, and portmap's DNAT chain of a pod that publishes a port
        List<String> chains = new ArrayList<>(List.of(Names.chainName(net.name, sandbox)));
        if (publishes) {
            chains.add(Names.chainName(net.name, sandbox, "DN-"));
        }
        String nat = Kernel.exec("iptables-save", "-t", "nat").ok();
        for (String chain : chains) {
            assertTrue(nat.contains(":" + chain + " "), "no chain " + chain + " of " + sandbox + " in iptables-save -t nat");
        }
        assertTrue(!node.cgroupsOf(sandbox).isEmpty(), "no cgroup of " + sandbox + " under " + node.cgroupParent);
        return new Trace(sandbox, links, cache, reservation, netns);
    }

    /** No veth, host route, reservation, chain, rule, cache entry, network namespace, mount or cgroup of these pods. */
    private static void assertClean(Containerd node, Net net, List<Pod> pods) throws IOException {
        List<String> left = new ArrayList<>();
        String iptables = Kernel.exec("iptables-save").ok() + Kernel.exec("ip6tables-save").ok();
        String nft = Kernel.exec("nft", "list", "ruleset").stdout();
        for (Pod p : pods) {
            Trace t = p.trace;
            for (String l : t.hostLinks) {
                if (Kernel.exec("ip", "link", "show", l).exitCode() == 0) {
                    left.add("veth " + l);
                }
            }
            String route = Kernel.exec("ip", "-4", "route", "show", p.ip).ok().trim();
            if (!route.isEmpty() && net.kind.equals("ptp")) {
                left.add("host route " + route);
            }
            List<String> marks = List.of(t.sandbox, Names.chainName(net.name, t.sandbox), Names.chainName(net.name, t.sandbox, "DN-"));
            for (String line : iptables.split("\n")) {
                if (marks.stream().anyMatch(line::contains)) {
                    left.add("iptables: " + line);
                }
            }
            if (nft.contains(t.sandbox)) {
                left.add("nft rule naming " + t.sandbox);
            }
            if (Files.exists(t.reservation)) {
                left.add("reservation " + t.reservation);
            }
            if (Files.exists(t.cacheEntry)) {
                left.add("libcni cache entry " + t.cacheEntry);
            }
            if (Files.exists(t.netns)) {
                left.add("network namespace " + t.netns);
            }
            for (String m : node.mountsContaining(t.sandbox)) {
                left.add("mount " + m);
            }
            for (Path c : node.cgroupsOf(t.sandbox)) {
                left.add("cgroup " + c);
            }
        }
        if (!net.bridge.isEmpty()) {
            String ports = Kernel.exec("ip", "-o", "link", "show", "master", net.bridge).stdout().trim();
            if (!ports.isEmpty()) {
                left.add("bridge ports: " + ports);
            }
        }
        assertEquals(List.of(), left, net.name + ": StopPodSandbox + RemovePodSandbox must leave nothing behind");
    }

    /** What a token server answers, read from the node (bounded retries while the server starts). */
    private static String fetch(String host, int port) throws InterruptedException {
        IOException last = null;
        for (int i = 0; i < 20; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 3000);
                s.setSoTimeout(5000);
                String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!got.isEmpty()) {
                    return got;
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(250);
        }
        return "(no answer from " + host + ":" + port + (last == null ? "" : ": " + last) + ")";
    }

    /** What a token server answers to {@code nc} run by ExecSync in another pod's container. */
    private static String podFetch(Containerd node, Pod from, String ip) throws InterruptedException {
        CriClient.ExecResult last = null;
        for (int i = 0; i < 10; i++) {
            last = node.cri.execSync(from.container, 30, "/bin/nc", "-w", "5", ip, String.valueOf(SERVER_PORT));
            if (last.exitCode() == 0 && !last.stdout().isBlank()) {
                return last.stdout().trim();
            }
            Thread.sleep(250);
        }
        return "(no answer: " + last + ")";
    }

    // ---------------------------------------------------------------- warm, from the DaemonSet

    /**
     * The warm node: a distribution under a name of its own, its node image, a containerd with warm
     * mode on, and the DaemonSet's pod of the manifest serving it (its daemon is up when this returns).
     */
    private static synchronized Containerd warmNode() throws Exception {
        if (warm != null) {
            assertTrue(daemonPod != null, "the DaemonSet's pod did not start (see the first warm test's failure)");
            return warm;
        }
        daemonSet = DaemonSetPod.read(Path.of("src", "dist", "kubernetes", "jcni-daemonset.yaml"));
        Map<String, String> plugins = new java.util.LinkedHashMap<>();
        plugins.put("loopback", "dev.jcni.plugins.loopback.Loopback");
        plugins.put("bridge", "dev.jcni.plugins.bridge.Bridge");
        plugins.put("ptp", "dev.jcni.plugins.ptp.Ptp");
        plugins.put("host-local", "dev.jcni.plugins.hostlocal.HostLocal");
        plugins.put("portmap", "dev.jcni.plugins.portmap.Portmap");
        // packaged as the reference distribution is: with its own Java runtime (lib/runtime), not trained (the
        // DaemonSet's install.sh trains on the node)
        warmDist = WarmDist.create(home.resolve("warm-dist"), "warm" + Kernel.uniqueName("").substring(0, 6), plugins,
                Dist.referenceClassPath(), List.of("--no-train", "--runtime", "jlink"));
        Path image = NodeImage.write(new NodeImage.Spec(List.of(warmDist.dir()), home.resolve("jcni-node-image.tar"), daemonSet.image(),
                NodeImage.Format.DOCKER_ARCHIVE, Optional.of(jdkWithJmods()), List.of(), List.of()), System.out);
        // empty: the DaemonSet's init container installs the distribution there (loopback included)
        warmBin = Files.createDirectories(home.resolve("warm-bin"));
        warmBridge = Net.create("bridge", home);
        warmPtp = Net.create("ptp", home);
        warm = Containerd.start("warm", Files.createDirectories(home.resolve("containerd-warm")), warmBin,
                List.of(warmBridge.network(), warmPtp.network()), Map.of(), images);
        warm.ctr("images", "import", image.toString());
        daemonPod = startDaemonPod("jcni-1");
        return warm;
    }

    /**
     * Runs the DaemonSet's pod on the warm node and waits (bounded) until its daemon serves. The test
     * relocates the node's CNI directories into its scratch directory, names its own process as the one
     * in the node's mount namespace (containerd runs in the test's), and asks for the daemon's debug log.
     */
    private static DaemonSetPod.Running startDaemonPod(String name) throws Exception {
        Map<String, String> paths = Map.of("/opt/cni/bin", warmBin.toString(), "/etc/cni/net.d", home.resolve("warm-net.d").toString());
        Map<String, String> env = Map.of("JCNI_NODE_PID", Long.toString(ProcessHandle.current().pid()), "JCNI_LOG_LEVEL", "debug");
        DaemonSetPod.Running pod = daemonSet.start(warm, name + "-" + Kernel.uniqueName(""), paths, env,
                Files.createDirectories(home.resolve("pod-" + name)));
        for (int i = 0; i < 600 && !(Files.exists(warmDist.socket()) && pod.logText().contains("serving dist")); i++) {
            CriClient.ContainerState s = warm.cri.containerStatus(pod.container());
            assertTrue(s.state() != CriClient.ContainerState.EXITED, "the daemon's container exited " + s.exitCode() + ":\n" + pod.logText());
            Thread.sleep(200);
        }
        assertTrue(Files.exists(warmDist.socket()) && pod.logText().contains("serving dist"),
                "the DaemonSet's daemon does not serve " + warmDist.socket() + " after 120 s:\n" + pod.logText());
        Path installed = warmBin.resolve("jcni-lib").resolve(warmDist.name()).resolve("current");
        assertTrue(Files.isExecutable(installed.resolve("runtime/bin/java")), "the init container installed the distribution's own Java runtime");
        assertFalse(Files.exists(installed.resolve("java-home")), "no other JVM pinned: the launchers run the distribution's runtime");
        assertTrue(pod.logText().lines().anyMatch(l -> l.contains("jcni-daemon: Java ") && l.contains("/runtime; ")),
                "the daemon runs on the distribution's runtime:\n" + pod.logText());
        // a call from the node through the installed launcher is served by the pod's daemon
        long before = served(pod);
        // Dist.run sets JCNI_WARM=off unless told otherwise
        Map<String, String> call = new java.util.HashMap<>(Map.of("CNI_COMMAND", "VERSION", "JCNI_WARM", "on", "JCNI_WARM_DEBUG", "1"));
        Dist.Run r = Dist.run(List.of(warmBin.resolve("bridge").toString()), call, "{\"cniVersion\": \"1.0.0\"}");
        assertEquals(0, r.exitCode(), r.toString());
        for (int i = 0; i < 100 && served(pod) <= before; i++) {
            Thread.sleep(100);
        }
        assertEquals(before + 1, served(pod), "a call through the installed launcher was served by the DaemonSet's daemon: " + r
                + "\n" + pod.logText());
        return pod;
    }

    /** A JDK with jmods, to make the image's runtime from: this JVM's, else one in /usr/lib/jvm. */
    private static Path jdkWithJmods() throws IOException {
        Path own = Path.of(System.getProperty("java.home"));
        if (Files.isDirectory(own.resolve("jmods"))) {
            return own;
        }
        try (var s = Files.list(Path.of("/usr/lib/jvm"))) {
            return s.filter(p -> Files.isDirectory(p.resolve("jmods")) && Files.isRegularFile(p.resolve("release"))).sorted().findFirst()
                    .orElseThrow(() -> new AssertionError("no JDK with jmods (apt-get install openjdk-17-jmods) to make the node image's runtime"));
        }
    }

    private static void closeWarm() throws IOException {
        try {
            if (warm != null && daemonPod != null) {
                try {
                    daemonSet.stop(warm, daemonPod);
                } catch (RuntimeException e) {
                    System.out.println("stopping the DaemonSet's pod: " + e);
                }
            }
        } finally {
            if (warm != null) {
                warm.close();
            }
            if (warmDist != null) {
                Files.deleteIfExists(warmDist.socket());
            }
        }
    }

    private static long served(DaemonSetPod.Running pod) {
        return pod.logText().lines().filter(l -> l.contains(" served ")).count();
    }

    private static List<String> refusals(DaemonSetPod.Running pod) {
        return pod.logText().lines().filter(l -> l.contains("refused")).toList();
    }

    /** The bridge scenario on the warm node: each of its calls served by the DaemonSet's daemon, none refused. */
    @Test
    void warmFromDaemonSetBridgeTwoPods() throws Exception {
        warmTwoPods(() -> warmBridge);
    }

    /** The ptp scenario on the warm node, served likewise. */
    @Test
    void warmFromDaemonSetPtpTwoPods() throws Exception {
        warmTwoPods(() -> warmPtp);
    }

    private static void warmTwoPods(java.util.function.Supplier<Net> net) throws Exception {
        Containerd node = warmNode();
        long before = served(daemonPod);
        twoPods(node, net.get());
        // per pod: ADD and DEL of loopback, of the main plugin (host-local in-process) and of portmap
        awaitServed(before + 12);
        assertTrue(served(daemonPod) >= before + 12, "the daemon served " + (served(daemonPod) - before) + " calls:\n" + daemonPod.logText());
        assertEquals(List.of(), refusals(daemonPod), "the DaemonSet's daemon refused calls (they ran cold)");
    }

    /**
     * A rolling update of the DaemonSet while pods are created: the old pod is stopped as kubelet stops
     * it (its container with the grace period, then the sandbox) and removed, a new one started (init
     * container, then the daemon); meanwhile another thread creates and removes pods one after the
     * other. Every RunPodSandbox succeeds with an address (calls in the gap run cold), and the new
     * daemon serves the pods created after it.
     */
    @Test
    void warmDaemonSetRolledWhilePodsAreCreated() throws Exception {
        Containerd node = warmNode();
        AtomicBoolean rolled = new AtomicBoolean();
        AtomicInteger created = new AtomicInteger();
        AtomicInteger afterRoll = new AtomicInteger();
        List<String> failures = new CopyOnWriteArrayList<>();
        Thread creator = new Thread(() -> {
            for (int i = 0; i < 100 && afterRoll.get() < 3; i++) {
                boolean late = rolled.get();
                try {
                    timedPod(node, warmBridge);
                    created.incrementAndGet();
                    if (late) {
                        afterRoll.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add("pod " + i + ": " + e);
                }
            }
        }, "cri-pods");
        creator.start();
        try {
            for (int i = 0; i < 600 && created.get() < 1 && creator.isAlive(); i++) {
                Thread.sleep(100);
            }
            DaemonSetPod.Running old = daemonPod;
            daemonSet.stop(node, old);
            assertTrue(old.logText().contains("stopping: socket removed"), "the old daemon stopped gracefully:\n" + old.logText());
            daemonPod = startDaemonPod("jcni-2");
            rolled.set(true);
        } finally {
            creator.join(600_000);
        }
        assertEquals(List.of(), failures, "every pod created during the roll gets its network");
        assertTrue(afterRoll.get() >= 3, "pods after the roll: " + afterRoll.get());
        System.out.println("DaemonSet roll: " + created.get() + " pods created and removed, " + afterRoll.get() + " after the new daemon served");
        assertTrue(served(daemonPod) >= 4, "the new daemon serves the pods created after it:\n" + daemonPod.logText());
        assertEquals(List.of(), refusals(daemonPod), "the new daemon refused calls");
    }

    // ---------------------------------------------------------------- timings, jcni cold vs Go

    /**
     * RunPodSandbox and StopPodSandbox + RemovePodSandbox of a pod with a hostPort on bridge +
     * host-local + portmap, on jcni's plugins cold, on jcni's plugins warm from the DaemonSet
     * ({@link #warmNode}) and, in another containerd of the same run, on the Go plugins 1.1.1
     * ({@code /usr/lib/cni}), in turn, after one warm-up pod each. The medians are printed and written
     * to {@code target/cri-timings.txt}; asserted is only that every pod got its address and was
     * removed, and that the warm pods were served by the daemon.
     */
    @Test
    void timingsJcniColdAndWarmVersusGo() throws Exception {
        Containerd warmNode = warmNode();
        Net goNet = Net.create("bridge", home);
        try (Containerd go = Containerd.start("go", Files.createDirectories(home.resolve("containerd-go")), Kernel.GO_PLUGINS,
                List.of(goNet.network()), Map.of(), images)) {
            int rounds = 5;
            long[][] coldTimes = new long[2][rounds];
            long[][] warmTimes = new long[2][rounds];
            long[][] goTimes = new long[2][rounds];
            timedPod(jcni, bridge);
            timedPod(warmNode, warmBridge);
            timedPod(go, goNet);
            long served = served(daemonPod);
            for (int i = 0; i < rounds; i++) {
                long[] c = timedPod(jcni, bridge);
                long[] w = timedPod(warmNode, warmBridge);
                long[] g = timedPod(go, goNet);
                for (int k = 0; k < 2; k++) {
                    coldTimes[k][i] = c[k];
                    warmTimes[k][i] = w[k];
                    goTimes[k][i] = g[k];
                }
            }
            assertTrue(served(daemonPod) >= served + 4L * rounds, "the warm pods were served by the DaemonSet's daemon");
            assertEquals(List.of(), refusals(daemonPod), "the DaemonSet's daemon refused calls");
            // one plugin call from the node, through the launcher the DaemonSet installed: warm (the pod's
            // daemon) and cold (JCNI_WARM=off), in turn
            long[] warmCall = new long[rounds];
            long[] coldCall = new long[rounds];
            long before = served(daemonPod);
            for (int i = 0; i < rounds; i++) {
                warmCall[i] = versionCall(Map.of("JCNI_WARM", "on"));
                coldCall[i] = versionCall(Map.of("JCNI_WARM", "off"));
            }
            awaitServed(before + rounds);
            assertEquals(before + rounds, served(daemonPod), "the warm VERSION calls, and only they, were served by the daemon");
            String load = Files.readString(Path.of("/proc/loadavg")).trim();
            String report = String.format("containerd 1.6.20 CRI, bridge + host-local + portmap (1.0.0) with a hostPort,"
                            + " loopback each its own; p50 of %d after one warm-up, ms (load average %s):%n"
                            + "  RunPodSandbox:             jcni cold %d  jcni warm (DaemonSet) %d  Go 1.1.1 %d%n"
                            + "    (cold %s, warm %s, Go %s)%n"
                            + "  StopPodSandbox+RemovePod:  jcni cold %d  jcni warm (DaemonSet) %d  Go 1.1.1 %d%n"
                            + "    (cold %s, warm %s, Go %s)%n"
                            + "  one bridge VERSION call through the installed launcher: warm (DaemonSet) %d  cold %d   (warm %s, cold %s)%n",
                    rounds, load, p50(coldTimes[0]), p50(warmTimes[0]), p50(goTimes[0]),
                    Arrays.toString(coldTimes[0]), Arrays.toString(warmTimes[0]), Arrays.toString(goTimes[0]),
                    p50(coldTimes[1]), p50(warmTimes[1]), p50(goTimes[1]),
                    Arrays.toString(coldTimes[1]), Arrays.toString(warmTimes[1]), Arrays.toString(goTimes[1]),
                    p50(warmCall), p50(coldCall), Arrays.toString(warmCall), Arrays.toString(coldCall));
            System.out.print(report);
            Files.writeString(Path.of("target", "cri-timings.txt"), report);
        } finally {
            goNet.removeBridge();
        }
    }

    /** @return the ms of one bridge VERSION call through the launcher the DaemonSet installed (asserting its answer) */
    private static long versionCall(Map<String, String> env) {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("CNI_COMMAND", "VERSION");
        long t0 = System.nanoTime();
        Dist.Run r = Dist.run(List.of(warmBin.resolve("bridge").toString()), e, "{\"cniVersion\": \"1.0.0\"}");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.stdout().contains("\"supportedVersions\""), r.toString());
        return ms;
    }

    /** Waits (bounded) until the daemon has logged that many served calls: it logs a call after answering it. */
    private static void awaitServed(long count) throws InterruptedException {
        for (int i = 0; i < 100 && served(daemonPod) < count; i++) {
            Thread.sleep(100);
        }
    }

    /** @return {RunPodSandbox ms, StopPodSandbox + RemovePodSandbox ms} of one pod with a hostPort */
    private static long[] timedPod(Containerd node, Net net) throws IOException {
        int hostPort = ThreadLocalRandom.current().nextInt(20000, 40000);
        CriClient.PodConfig config = node.pod("t-" + Kernel.uniqueName(""), NAMESPACE, List.of(new CriClient.PortMapping(SERVER_PORT, hostPort)));
        long t0 = System.nanoTime();
        String sandbox = node.cri.runPodSandbox(config, net.handler);
        long run = (System.nanoTime() - t0) / 1_000_000;
        String ip;
        long stopRemove;
        try {
            ip = node.cri.podSandboxStatus(sandbox).ip();
        } finally {
            long t1 = System.nanoTime();
            node.cri.stopPodSandbox(sandbox);
            node.cri.removePodSandbox(sandbox);
            stopRemove = (System.nanoTime() - t1) / 1_000_000;
        }
        assertTrue(!ip.isEmpty() && net.subnet.contains(InetAddress.getByName(ip)), node.label + ": pod IP '" + ip + "' not in " + net.subnet);
        return new long[] {run, stopRemove};
    }

    private static long p50(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
