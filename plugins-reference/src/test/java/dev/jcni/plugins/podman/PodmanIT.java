package dev.jcni.plugins.podman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.firewall.Names;
import dev.jcni.plugins.ip.Traffic;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.netns.NetNs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import org.junit.jupiter.api.parallel.ResourceAccessMode;

/**
 * podman 4.3.1 with its CNI backend, end to end, on jcni's packaged plugins only
 * ({@code target/cni/bin}), and the other direction: the {@code jcni} CLI running the
 * configuration {@code podman network create} writes. See {@link Podman} for the private podman
 * (storage, containers.conf, network config dir) and why every container gets
 * {@code --ulimit nofile=1024:1024 --ulimit nproc=4096:4096} and podman
 * {@code --runtime /usr/sbin/runc --cgroup-manager cgroupfs} on this machine.
 *
 * <p>Tagged {@code podman}: its own failsafe execution runs it alone (after the other ITs), with
 * the four network scenarios two at a time. Traffic goes only to 127.0.0.1, to containers on the
 * test's own bridge/veths, and to a test address on a link the test creates; never to eth0's.
 */
@Tag("podman")
@KernelTest
@Execution(ExecutionMode.CONCURRENT)
class PodmanIT {
    private static final String MACHINE = "podman-machine";
    private static final List<Path> SYSTEM_DIRS = List.of(Path.of("/etc/cni/net.d"), Path.of("/etc/containers"));

    private static Path home;
    private static Podman podman;
    private static Map<String, String> systemBefore;
    private static String testLink;
    private static InetAddress testAddress;

    @BeforeAll
    static void setUp() throws IOException {
        for (String tool : List.of("/usr/bin/podman", "/usr/sbin/runc", "/bin/busybox")) {
            if (!Files.isExecutable(Path.of(tool))) {
                String reason = tool + " is missing: install podman, runc and busybox-static (.ci/run does)";
                if (Kernel.inCi()) {
                    throw new AssertionError(reason + "; CI=true forbids skipping");
                }
                org.junit.jupiter.api.Assumptions.abort(reason);
            }
        }
        String version = Kernel.exec("podman", "--version").ok().trim();
        assertTrue(version.startsWith("podman version 4."), "the suite is written for podman 4.x with CNI: " + version);
        systemBefore = systemState();
        home = Files.createTempDirectory("jcni-podman");
        podman = Podman.create(home, Dist.bin());
        // the test address: on a link of our own (a bridge without ports: this kernel has no dummy
        // links), so that host -> published port never involves eth0
        testLink = Kernel.uniqueName("jtd");
        int b = ThreadLocalRandom.current().nextInt(1, 250);
        testAddress = InetAddress.getByName("10.254." + b + ".7");
        Kernel.exec("ip", "link", "add", testLink, "type", "bridge").ok();
        Kernel.exec("ip", "addr", "add", testAddress.getHostAddress() + "/32", "dev", testLink).ok();
        Kernel.exec("ip", "link", "set", testLink, "up").ok();
    }

    @AfterAll
    static void tearDown() throws IOException {
        try {
            if (testLink != null) {
                Kernel.exec("ip", "link", "del", testLink);
            }
            if (podman != null) {
                podman.destroy();
            }
        } finally {
            if (systemBefore != null) {
                assertEquals(systemBefore, systemState(), "/etc/cni/net.d and /etc/containers must stay as they were");
            }
        }
    }

    private static Map<String, String> systemState() throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (Path d : SYSTEM_DIRS) {
            m.putAll(Podman.fingerprint(d));
        }
        return m;
    }

    // ---------------------------------------------------------------- the four networks

    @Test
    @ResourceLock(value = MACHINE, mode = ResourceAccessMode.READ)
    void bridgeAt040() throws Exception {
        scenario(Net.create("bridge", "0.4.0"));
    }

    @Test
    @ResourceLock(value = MACHINE, mode = ResourceAccessMode.READ)
    void bridgeAt100() throws Exception {
        scenario(Net.create("bridge", "1.0.0"));
    }

    @Test
    @ResourceLock(value = MACHINE, mode = ResourceAccessMode.READ)
    void ptpAt040() throws Exception {
        scenario(Net.create("ptp", "0.4.0"));
    }

    @Test
    @ResourceLock(value = MACHINE, mode = ResourceAccessMode.READ)
    void ptpAt100() throws Exception {
        scenario(Net.create("ptp", "1.0.0"));
    }

    /** One network of the test: a conflist in podman's private config dir, its own subnet and store. */
    record Net(String name, String kind, String version, String bridge, IpPrefix subnet, String gateway, Path dataDir,
               Podman podman) {
        static Net create(String kind, String version) throws IOException {
            return create(kind, version, Dist.bin());
        }

        static Net create(String kind, String version, Path pluginDir) throws IOException {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            String suffix = String.format("%06x", r.nextInt(1 << 24));
            String name = "jcni-" + kind + "-" + version.replace(".", "") + "-" + suffix;
            IpPrefix subnet = IpPrefix.parse("10." + r.nextInt(200, 250) + "." + r.nextInt(0, 250) + ".0/24");
            String base = subnet.address().getHostAddress();
            String gw = base.substring(0, base.length() - 1) + "1";
            return new Net(name, kind, version, kind.equals("bridge") ? "jtb" + suffix : "", subnet, gw,
                    home.resolve("ipam"), PodmanIT.podman.view(name, pluginDir));
        }

        String conflist() {
            String ipam = "{\"type\": \"host-local\", \"dataDir\": \"" + dataDir + "\", \"routes\": [{\"dst\": \"0.0.0.0/0\"}],"
                    + " \"ranges\": [[{\"subnet\": \"" + subnet + "\", \"gateway\": \"" + gateway + "\"}]]}";
            String main = kind.equals("bridge")
                    ? "{\"type\": \"bridge\", \"bridge\": \"" + bridge + "\", \"isGateway\": true, \"ipMasq\": true,"
                            + " \"hairpinMode\": true, \"ipam\": " + ipam + "}"
                    : "{\"type\": \"ptp\", \"ipMasq\": true, \"ipam\": " + ipam + "}";
            return "{\n  \"cniVersion\": \"" + version + "\",\n  \"name\": \"" + name + "\",\n  \"plugins\": [\n    " + main
                    + ",\n    {\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}\n  ]\n}\n";
        }

        Path file() {
            return podman.netDir.resolve(name + ".conflist");
        }
    }

    /** What one container left in the kernel and on disk while it ran, to check its removal. */
    record Trace(String id, String address, List<String> hostLinks) {
    }

    /**
     * One network: an httpd container with a published port, 10 containers started at once (one of
     * them is the client of the container-to-container fetch), podman network reload, a restart, and
     * the removal of all 11 at once, after which nothing of theirs may remain.
     */
    private void scenario(Net net) throws Exception {
        Files.writeString(net.file(), net.conflist());
        List<String> containers = new ArrayList<>();
        List<Trace> traces = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(11);
        try {
            String token = "jcni-token-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
            int hostPort = ThreadLocalRandom.current().nextInt(20000, 40000);
            String server = net.name + "-httpd";
            containers.add(server);
            net.podman.ok(Podman.runArgs(net.name, List.of("-d", "--name", server, "-p", hostPort + ":80"),
                    "sh", "-c", "mkdir -p /www && echo " + token + " > /www/index.html && exec httpd -f -p 80 -h /www"));
            String ip = net.podman.address(server, net.name);
            traces.add(trace(net, server, ip));

            // an address in the subnet and a default route via the gateway
            assertTrue(net.subnet.contains(InetAddress.getByName(ip)), ip + " is not in " + net.subnet);
            String routes = net.podman.ok("exec", server, "ip", "route");
            assertTrue(routes.lines().anyMatch(l -> l.startsWith("default via " + net.gateway + " dev eth0")),
                    "no default route via " + net.gateway + ":\n" + routes);

            // 10 containers started at once: 10 distinct addresses (and not the server's)
            List<String> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ten.add(net.name + "-p" + i);
            }
            containers.addAll(ten);
            inBurst(() -> {
                List<Future<Podman.Run>> runs = new ArrayList<>();
                for (String n : ten) {
                    runs.add(pool.submit(() -> net.podman.run(
                            Podman.runArgs(net.name, List.of("-d", "--name", n), "sleep", "600"))));
                }
                for (Future<Podman.Run> f : runs) {
                    f.get(900, TimeUnit.SECONDS).ok();
                }
            });
            Set<String> addresses = new HashSet<>();
            for (String n : ten) {
                String a = net.podman.address(n, net.name);
                assertTrue(net.subnet.contains(InetAddress.getByName(a)), n + ": " + a + " is not in " + net.subnet);
                addresses.add(a);
                traces.add(trace(net, n, a));
            }
            assertEquals(10, addresses.size(), "10 containers started at once must get 10 distinct addresses: " + addresses);
            assertTrue(!addresses.contains(ip), "the server's address " + ip + " given twice: " + addresses);

            // container to container (busybox wget -T segfaults: timeout instead)
            String fetched = net.podman.ok("exec", ten.get(0), "timeout", "20", "wget", "-q", "-O", "-", "http://" + ip + "/");
            assertEquals(token, fetched.trim(), "container to container");

            // the published port, from the host
            assertPublished(hostPort, token, "after start");

            // podman network reload (tears down and sets up the network again), then a restart
            net.podman.ok("network", "reload", server);
            assertPublished(hostPort, token, "after podman network reload");
            net.podman.ok("restart", "-t", "0", server);
            traces.add(trace(net, server, net.podman.address(server, net.name)));
            assertPublished(hostPort, token, "after podman restart");

            // all 11 removed at once: nothing of theirs remains
            inBurst(() -> {
                List<Future<Podman.Run>> removals = new ArrayList<>();
                for (String n : List.copyOf(containers)) {
                    removals.add(pool.submit(() -> net.podman.remove(n)));
                }
                for (Future<Podman.Run> f : removals) {
                    f.get(900, TimeUnit.SECONDS).ok();
                }
            });
            containers.clear();
            assertClean(net, traces);
        } finally {
            pool.shutdownNow();
            if (!containers.isEmpty()) {
                net.podman.remove(containers.toArray(String[]::new));
            }
            Files.deleteIfExists(net.file());
            if (!net.bridge.isEmpty()) {
                Kernel.exec("ip", "link", "del", net.bridge);
            }
        }
    }

    /**
     * One burst of parallel podman calls at a time across the scenarios: two bursts of 10-11 cold
     * JVM plugin chains at once overload a 2-core machine (runs took over 180 s under a load of 100).
     */
    private static final Semaphore BURST = new Semaphore(1);

    private interface Burst {
        void run() throws Exception;
    }

    private static void inBurst(Burst b) throws Exception {
        BURST.acquire();
        try {
            b.run();
        } finally {
            BURST.release();
        }
    }

    /** The host end(s) of a running container, read from libcni's cache entry podman left. */
    private Trace trace(Net net, String container, String ip) throws IOException {
        String id = net.podman.id(container);
        Path cache = Podman.CNI_CACHE.resolve(net.name + "-" + id + "-eth0");
        assertTrue(Files.isRegularFile(cache), "no cache entry " + cache);
        String json = Files.readString(cache);
        List<String> links = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("\"name\":\"(veth[0-9a-f]{8})\"").matcher(json);
        while (m.find()) {
            links.add(m.group(1));
        }
        assertTrue(!links.isEmpty(), "no host veth in the cached result: " + json);
        for (String l : links) {
            assertEquals(0, Kernel.exec("ip", "link", "show", l).exitCode(), "host veth " + l + " of " + container);
        }
        return new Trace(id, ip, links);
    }

    /** No veth, no reservation, no firewall chain or rule, no cache entry of these containers. */
    private void assertClean(Net net, List<Trace> traces) throws IOException {
        List<String> left = new ArrayList<>();
        for (Trace t : traces) {
            for (String l : t.hostLinks) {
                if (Kernel.exec("ip", "link", "show", l).exitCode() == 0) {
                    left.add("veth " + l);
                }
            }
            String routes = Kernel.exec("ip", "route", "show", t.address).ok().trim();
            if (!routes.isEmpty() && !routes.contains(" via ") && net.kind.equals("ptp")) {
                left.add("host route " + routes);
            }
            List<String> marks = List.of(t.id, Names.chainName(net.name, t.id), Names.chainName(net.name, t.id, "CNI-DN-"));
            for (String family : List.of("iptables-save", "ip6tables-save")) {
                for (String line : Kernel.exec(family).ok().split("\n")) {
                    if (marks.stream().anyMatch(line::contains)) {
                        left.add(family + ": " + line);
                    }
                }
            }
            String nft = Kernel.exec("nft", "list", "ruleset").stdout();
            if (nft.contains(t.id)) {
                left.add("nft rule naming " + t.id);
            }
        }
        Path store = net.dataDir.resolve(net.name);
        if (Files.isDirectory(store)) {
            try (var s = Files.list(store)) {
                s.map(p -> p.getFileName().toString())
                        .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip"))
                        .forEach(f -> left.add("reservation " + f));
            }
        }
        for (Path p : Podman.cacheEntries(net.name)) {
            left.add("cache entry " + p);
        }
        if (!net.bridge.isEmpty()) {
            String ports = Kernel.exec("ip", "-o", "link", "show", "master", net.bridge).stdout().trim();
            if (!ports.isEmpty()) {
                left.add("bridge ports: " + ports);
            }
        }
        assertEquals(List.of(), left, net.name + ": removal must leave nothing behind");
    }

    /** A plain HTTP/1.0 GET (busybox httpd answers it), returning the body. */
    private static String httpGet(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 3000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int body = all.indexOf("\r\n\r\n");
            if (!all.startsWith("HTTP/1.") || body < 0) {
                throw new IOException("not an HTTP answer: " + all);
            }
            return all.substring(body + 4);
        }
    }

    /** Fetches the token through 127.0.0.1 and through the test address, retrying while httpd starts. */
    private void assertPublished(int hostPort, String token, String when) throws Exception {
        String route = Kernel.exec("ip", "route", "get", testAddress.getHostAddress()).ok().trim();
        assertTrue(route.startsWith("local " + testAddress.getHostAddress()),
                "the test address must be local (no traffic may leave the machine): " + route);
        for (String host : List.of("127.0.0.1", testAddress.getHostAddress())) {
            String got = "";
            Exception last = null;
            for (int i = 0; i < 20 && !got.equals(token); i++) {
                try {
                    got = httpGet(host, hostPort).trim();
                } catch (IOException e) {
                    last = e;
                    Thread.sleep(500);
                }
            }
            assertEquals(token, got, "GET http://" + host + ":" + hostPort + "/ " + when + (last == null ? "" : " (" + last + ")"));
        }
    }

    // ---------------------------------------------------------------- the other direction

    /**
     * {@code podman network create} writes bridge + portmap + firewall + tuning at 0.4.0; the
     * {@code jcni} CLI runs it with jcni's bridge, host-local, portmap, firewall and tuning (CNI_PATH
     * is jcni's directory alone).
     */
    @Test
    @ResourceLock(value = MACHINE, mode = ResourceAccessMode.READ)
    void jcniCliRunsWhatPodmanNetworkCreateWrites() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String name = "jcni-rev-" + String.format("%06x", r.nextInt(1 << 24));
        String subnet = "10." + r.nextInt(200, 250) + "." + r.nextInt(0, 250) + ".0/24";
        // its own config dir, as every network of the suite
        Podman reverse = podman.view(name, Dist.bin());
        reverse.ok("network", "create", "--subnet", subnet, name);
        Path conf = reverse.netDir.resolve(name + ".conflist");
        String bridge = null;
        Path cacheDir = Files.createTempDirectory(home, "cache");
        int hostPort = r.nextInt(20000, 40000);
        String ctrIp = null;
        try (TestNetns ns = TestNetns.create()) {
            String json = Files.readString(conf);
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            assertEquals("0.4.0", tree.get("cniVersion").asText(), json);
            List<String> types = new ArrayList<>();
            tree.get("plugins").forEach(p -> types.add(p.get("type").asText()));
            assertEquals(List.of("bridge", "portmap", "firewall", "tuning"), types, json);
            bridge = tree.get("plugins").get(0).get("bridge").asText();

            Map<String, String> env = new LinkedHashMap<>();
            env.put("NETCONFPATH", reverse.netDir.toString());
            env.put("CNI_PATH", Dist.bin().toString()); // jcni's plugins alone
            env.put("CAP_ARGS", "{\"portMappings\":[{\"hostPort\":" + hostPort + ",\"containerPort\":80,\"protocol\":\"tcp\"}]}");
            List<String> opts = List.of("--cache-dir", cacheDir.toString());
            Dist.Run add = jcni(env, opts, "add", name, ns.path().toString());
            assertEquals(0, add.exitCode(), add.toString());
            var result = new com.fasterxml.jackson.databind.ObjectMapper().readTree(add.stdout());
            ctrIp = result.get("ips").get(0).get("address").asText().split("/")[0];
            assertTrue(IpPrefix.parse(subnet).contains(InetAddress.getByName(ctrIp)), add.stdout());

            assertTrue(Files.isExecutable(Dist.bin().resolve("firewall")), "jcni's firewall comes first on CNI_PATH");
            assertTrue(Files.isExecutable(Dist.bin().resolve("tuning")), "jcni's tuning comes first on CNI_PATH");
            assertTrue(Kernel.exec("iptables", "-w", "-S", "CNI-FORWARD").ok().contains("-A CNI-FORWARD -s " + ctrIp + "/32 -j ACCEPT"),
                    "the firewall let the container's traffic through");

            // the published port reaches a listener in the namespace
            assertTrue(roundTrip(ns, InetAddress.getByName(ctrIp), hostPort), "127.0.0.1:" + hostPort + " -> " + ctrIp + ":80");

            Dist.Run check = jcni(env, opts, "check", name, ns.path().toString());
            assertEquals(0, check.exitCode(), check.toString());
            Dist.Run del = jcni(env, opts, "del", name, ns.path().toString());
            assertEquals(0, del.exitCode(), del.toString());
            try (var s = Files.list(cacheDir.resolve("results"))) {
                assertEquals(List.of(), s.toList(), "jcni del removes its cache entry");
            }
            assertEquals(List.of(), Kernel.exec("ip", "-o", "link", "show", "master", bridge).stdout().lines().toList(),
                    "no port left on " + bridge);
            String ctrRule = " " + ctrIp + "/32 ";
            assertTrue(Kernel.exec("iptables", "-w", "-S", "CNI-FORWARD").ok().lines().noneMatch(l -> l.contains(ctrRule)),
                    "DEL removed the container's firewall rules");
            String nat = Kernel.exec("iptables-save", "-t", "nat").ok();
            assertTrue(nat.lines().noneMatch(l -> l.contains("name: \\\"" + name + "\\\"") || l.contains("\"" + name + "\"")),
                    "no NAT rule of " + name + " left:\n" + nat);
            Path store = Path.of("/var/lib/cni/networks", name);
            if (Files.isDirectory(store)) {
                try (var s = Files.list(store)) {
                    assertEquals(List.of(), s.map(p -> p.getFileName().toString())
                            .filter(f -> !f.equals("lock") && !f.startsWith("last_reserved_ip")).toList(), "no reservation left");
                }
            }
        } finally {
            reverse.run("network", "rm", "-f", name);
            if (bridge != null) {
                Kernel.exec("ip", "link", "del", bridge);
            }
            Kernel.exec("rm", "-rf", "/var/lib/cni/networks/" + name);
        }
    }

    private static Dist.Run jcni(Map<String, String> env, List<String> options, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Dist.exe("jcni").toString()));
        cmd.addAll(options);
        cmd.addAll(Arrays.asList(args));
        return Dist.run(cmd, env, "");
    }

    /** A TCP round trip from the host's 127.0.0.1:hostPort to a listener on ip:80 inside the namespace. */
    private static boolean roundTrip(TestNetns ns, InetAddress ip, int hostPort) throws Exception {
        try (NetNs n = NetNs.get(ns.path().toString()); ServerSocket ss = n.call(() -> new ServerSocket(80, 1, ip))) {
            CompletableFuture<Void> echo = Traffic.echoOnce(ss);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", hostPort), 5000);
                s.setSoTimeout(5000);
                s.getOutputStream().write(42);
                boolean ok = s.getInputStream().read() == 42;
                echo.get(10, TimeUnit.SECONDS);
                return ok;
            }
        }
    }

    // ---------------------------------------------------------------- podman's default network, jcni alone

    /**
     * The network {@code podman network create} writes (bridge + portmap + firewall + tuning, 0.4.0),
     * run by podman itself with jcni's plugin directory as its only one ({@code cni_plugin_dirs}): a
     * server with a published port and a client container; container to container, the published
     * port from the host, jcni's firewall rule for each container while it runs; after removal
     * nothing of theirs is left (veths, reservations, chains, firewall rules, cache entries).
     */
    @Test
    @ResourceLock(value = MACHINE, mode = ResourceAccessMode.READ)
    void podmanNetworkCreateRunsOnJcniPluginsAlone() throws Exception {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        String name = "jcni-def-" + String.format("%06x", r.nextInt(1 << 24));
        IpPrefix subnet = IpPrefix.parse("10." + r.nextInt(200, 250) + "." + r.nextInt(0, 250) + ".0/24");
        Podman own = podman.view(name, Dist.bin());
        own.ok("network", "create", "--subnet", subnet.toString(), name);
        String bridge = null;
        List<String> containers = new ArrayList<>();
        try {
            String json = Files.readString(own.netDir.resolve(name + ".conflist"));
            var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            List<String> types = new ArrayList<>();
            tree.get("plugins").forEach(p -> types.add(p.get("type").asText()));
            assertEquals(List.of("bridge", "portmap", "firewall", "tuning"), types, json);
            bridge = tree.get("plugins").get(0).get("bridge").asText();
            String base = subnet.address().getHostAddress();
            Net net = new Net(name, "bridge", "0.4.0", bridge, subnet, base.substring(0, base.length() - 1) + "1",
                    Path.of("/var/lib/cni/networks"), own);
            for (String type : types) {
                assertTrue(Files.isExecutable(Dist.bin().resolve(type)), "jcni has " + type);
            }

            String token = "jcni-token-" + Long.toHexString(r.nextLong());
            int hostPort = r.nextInt(20000, 40000);
            String server = name + "-httpd";
            String client = name + "-client";
            containers.add(server);
            own.ok(Podman.runArgs(name, List.of("-d", "--name", server, "-p", hostPort + ":80"),
                    "sh", "-c", "mkdir -p /www && echo " + token + " > /www/index.html && exec httpd -f -p 80 -h /www"));
            containers.add(client);
            own.ok(Podman.runArgs(name, List.of("-d", "--name", client), "sleep", "600"));
            List<Trace> traces = new ArrayList<>();
            String ip = own.address(server, name);
            traces.add(trace(net, server, ip));
            String clientIp = own.address(client, name);
            traces.add(trace(net, client, clientIp));
            assertTrue(subnet.contains(InetAddress.getByName(ip)), ip + " is not in " + subnet);
            String forward = Kernel.exec("iptables", "-w", "-S", "CNI-FORWARD").ok();
            for (String a : List.of(ip, clientIp)) {
                assertTrue(forward.contains("-A CNI-FORWARD -d " + a + "/32 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
                        || forward.contains("-A CNI-FORWARD -s " + a + "/32 -j ACCEPT"), "jcni's firewall let " + a + " through:\n" + forward);
            }
            String fetched = own.ok("exec", client, "timeout", "20", "wget", "-q", "-O", "-", "http://" + ip + "/");
            assertEquals(token, fetched.trim(), "container to container");
            assertPublished(hostPort, token, "on podman's default network");

            own.remove(containers.toArray(String[]::new)).ok();
            containers.clear();
            assertClean(net, traces);
            String after = Kernel.exec("iptables", "-w", "-S", "CNI-FORWARD").ok();
            for (String a : List.of(ip, clientIp)) {
                assertTrue(after.lines().noneMatch(l -> l.contains(" " + a + "/32 ")), "the firewall's rules of " + a + " are gone:\n" + after);
            }
        } finally {
            if (!containers.isEmpty()) {
                own.remove(containers.toArray(String[]::new));
            }
            own.run("network", "rm", "-f", name);
            if (bridge != null) {
                Kernel.exec("ip", "link", "del", bridge);
            }
            Kernel.exec("rm", "-rf", "/var/lib/cni/networks/" + name);
        }
    }

    // ---------------------------------------------------------------- podman run --rm ... true, jcni vs Go

    /**
     * Wall time of {@code podman run --rm ... true} on a jcni network and on the same network with the
     * Go plugins, alternating, alone on the machine (no other scenario runs meanwhile). Written to
     * {@code target/podman-timings.txt} and stdout; asserts only that both work.
     */
    @Test
    @ResourceLock(value = MACHINE, mode = ResourceAccessMode.READ_WRITE)
    void runRmTrueTimingJcniVersusGo() throws Exception {
        Net jcni = Net.create("bridge", "0.4.0");
        Net go = Net.create("bridge", "0.4.0", Path.of("/usr/lib/cni"));
        Files.writeString(jcni.file(), jcni.conflist());
        Files.writeString(go.file(), go.conflist());
        try {
            int rounds = 3;
            long[] tj = new long[rounds];
            long[] tg = new long[rounds];
            timed(jcni);
            timed(go);
            for (int i = 0; i < rounds; i++) {
                tj[i] = timed(jcni);
                tg[i] = timed(go);
            }
            Arrays.sort(tj);
            Arrays.sort(tg);
            // per run podman execs 10 plugins: VERSION of bridge and portmap (it validates the network)
            // and ADD of bridge, host-local, portmap; then, in its cleanup process, VERSION twice again
            // and DEL of portmap, bridge, host-local
            String report = String.format("podman run --rm ... true (bridge+host-local+portmap, 0.4.0; 10 plugin execs),"
                    + " median of %d after one warm-up:%n"
                    + "  jcni plugins: %d ms  (runs: %s)%n  Go plugins:   %d ms  (runs: %s)%n",
                    rounds, tj[rounds / 2], Arrays.toString(tj), tg[rounds / 2], Arrays.toString(tg));
            System.out.print(report);
            Files.writeString(Path.of("target", "podman-timings.txt"), report);
        } finally {
            Files.deleteIfExists(jcni.file());
            Files.deleteIfExists(go.file());
            Kernel.exec("ip", "link", "del", jcni.bridge);
            Kernel.exec("ip", "link", "del", go.bridge);
        }
    }

    private long timed(Net net) {
        long t0 = System.nanoTime();
        net.podman.ok(Podman.runArgs(net.name, List.of("--rm"), "true"));
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
