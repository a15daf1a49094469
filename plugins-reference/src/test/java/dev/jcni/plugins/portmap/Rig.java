package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netns.NetNs;
import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Everything a portmap traffic test needs on the host, made with unique names and removed by
 * {@link #close()} even when the test failed:
 *
 * <ul>
 *   <li>a network {@code jpm-<tag>}: Go's bridge plugin (bridge {@code jpb<tag>}, made by the rig with
 *       DAD off, gateway on, hairpin mode on as Kubernetes sets it: with br_netfilter loaded, a DNATed
 *       hairpin frame is bridged back out of the port it came in on) and Go's host-local on {@code 10.A.B.0/24} and {@code fd00:A:B::/64}
 *       (per-rig data directory), then the portmap under test;</li>
 *   <li>"host addresses": a port-less bridge {@code jpd<tag>} with {@code 10.A.B+1.1}, {@code .2} and
 *       {@code fd00:A:B+1::1}, {@code ::2} (never eth0's);</li>
 *   <li>a client namespace behind a veth {@code jpk<tag>} on {@code 10.A.B+2.0/24} and
 *       {@code fd00:A:B+2::/64}, routed through the host;</li>
 *   <li>containers: a namespace each, ADDed through the chain, echo servers inside.</li>
 * </ul>
 *
 * Closing DELs every container still attached, deletes the rig's links, namespaces, the
 * containers' firewall state in both backends, the shared portmap chains and tables when the rig
 * created them and they are empty, and restores IPv6 forwarding.
 */
final class Rig implements AutoCloseable {
    static final Path GO_BIN = Path.of("/usr/lib/cni");
    static final Path GO_PORTMAP = GO_BIN.resolve("portmap");

    final String tag = String.format("%08x", ThreadLocalRandom.current().nextInt());
    final String network = "jpm-" + tag;
    final int a;
    final int b;
    final String bridge = "jpb" + tag;
    final String dummy = "jpd" + tag;
    final String clientVeth = "jpk" + tag;
    final Path dataDir;
    final InetAddress host4;
    final InetAddress host4b;
    final InetAddress host6;
    final InetAddress host6b;
    final InetAddress gateway4;
    final InetAddress gateway6;
    private final String ipv6ForwardingBefore;
    private final SharedState shared;
    private final List<Container> containers = new ArrayList<>();
    private TestNetns client;
    private NetNs clientNs;
    /** {@code CNI_PATH} of the chain: Go's plugins, or a directory mixing Go's bridge and jcni's host-local. */
    private Path cniPath = GO_BIN;
    private Path mixedBin;

    /** A container attached by the rig. */
    final class Container implements AutoCloseable {
        final String id;
        final TestNetns ns;
        final NetNs handle;
        final Result bridgeResult;
        final String portmapConf;
        final Path portmap;
        Echo echo;
        boolean attached = true;

        Container(String id, TestNetns ns, NetNs handle, Result bridgeResult, String portmapConf, Path portmap) {
            this.id = id;
            this.ns = ns;
            this.handle = handle;
            this.bridgeResult = bridgeResult;
            this.portmapConf = portmapConf;
            this.portmap = portmap;
        }

        InetAddress ip4() {
            return bridgeResult.ips().stream().filter(i -> i.isIpv4()).findFirst().orElseThrow().address().address();
        }

        InetAddress ip6() {
            return bridgeResult.ips().stream().filter(i -> !i.isIpv4()).findFirst().orElseThrow().address().address();
        }

        /** DEL through the chain (portmap first); the namespace stays. */
        Dist.Run del() {
            Dist.Run r = Dist.run(portmap, env("DEL", id, ns.path()), portmapConf);
            Dist.Run b = Dist.run(GO_BIN.resolve("bridge"), env("DEL", id, ns.path()), bridgeConf());
            if (r.exitCode() != 0) {
                throw new AssertionError("portmap DEL failed: " + r);
            }
            if (b.exitCode() != 0) {
                throw new AssertionError("bridge DEL failed: " + b);
            }
            attached = false;
            return r;
        }

        @Override
        public void close() {
            if (echo != null) {
                echo.close();
            }
            try {
                if (attached) {
                    del();
                }
            } finally {
                handle.close();
                ns.close();
                Firewall.removeContainer(network, id);
            }
        }
    }

    /**
     * A rig whose chain delegates IPAM to jcni's host-local (from {@code target/cni/bin}) instead of
     * Go's: Go bridge, jcni host-local, the portmap under test.
     */
    static Rig withJcniHostLocal() {
        Rig r = new Rig();
        try {
            r.mixedBin = Files.createTempDirectory("jcni-portmap-bin-");
            Files.createSymbolicLink(r.mixedBin.resolve("bridge"), GO_BIN.resolve("bridge"));
            Files.createSymbolicLink(r.mixedBin.resolve("host-local"), Dist.exe("host-local"));
            r.cniPath = r.mixedBin;
            return r;
        } catch (IOException | RuntimeException | AssertionError e) {
            r.close();
            throw new AssertionError("cannot set up the mixed CNI_PATH: " + e, e);
        }
    }

    Rig() {
        int[] ab = freeRange();
        this.a = ab[0];
        this.b = ab[1];
        this.host4 = Ip.parse("10." + a + "." + (b + 1) + ".1");
        this.host4b = Ip.parse("10." + a + "." + (b + 1) + ".2");
        this.host6 = Ip.parse(String.format("fd00:%x:%x::1", a, b + 1));
        this.host6b = Ip.parse(String.format("fd00:%x:%x::2", a, b + 1));
        this.gateway4 = Ip.parse("10." + a + "." + b + ".1");
        this.gateway6 = Ip.parse(String.format("fd00:%x:%x::1", a, b));
        this.ipv6ForwardingBefore = sysctl("net.ipv6.conf.all.forwarding");
        this.shared = SharedState.capture();
        try {
            this.dataDir = Files.createTempDirectory("jcni-portmap-");
            Kernel.exec("ip", "link", "add", bridge, "type", "bridge").ok();
            Kernel.exec("sysctl", "-q", "-w", "net.ipv6.conf." + bridge + ".accept_dad=0").ok();
            Kernel.exec("ip", "link", "set", bridge, "up").ok();
            Kernel.exec("ip", "link", "add", dummy, "type", "bridge").ok(); // a port-less bridge: this kernel has no dummy links
            Kernel.exec("ip", "link", "set", dummy, "up").ok();
            for (InetAddress h : List.of(host4, host4b)) {
                Kernel.exec("ip", "addr", "add", Ip.format(h) + "/32", "dev", dummy).ok();
            }
            for (InetAddress h : List.of(host6, host6b)) {
                Kernel.exec("ip", "addr", "add", Ip.format(h) + "/128", "dev", dummy, "nodad").ok();
            }
            for (InetAddress h : List.of(host4, host6)) {
                String route = Kernel.exec("ip", "route", "get", Ip.format(h)).ok();
                assertTrue(route.startsWith("local "), "the test host address must be local: " + route);
            }
        } catch (IOException | RuntimeException | AssertionError e) {
            close();
            throw new AssertionError("cannot set up the rig: " + e, e);
        }
    }

    private static int[] freeRange() {
        String routes = Kernel.exec("ip", "-4", "route", "show", "table", "all").ok()
                + Kernel.exec("ip", "-6", "route", "show", "table", "all").ok();
        for (int i = 0; i < 50; i++) {
            int a = 200 + ThreadLocalRandom.current().nextInt(50);
            int b = 4 * ThreadLocalRandom.current().nextInt(60);
            boolean used = false;
            for (int k = 0; k < 4; k++) {
                if (routes.contains("10." + a + "." + (b + k) + ".") || routes.contains(String.format("fd00:%x:%x:", a, b + k))) {
                    used = true;
                }
            }
            if (!used) {
                return new int[] {a, b};
            }
        }
        throw new AssertionError("no free 10.x.y.0/22 range");
    }

    static String sysctl(String name) {
        return Kernel.exec("sysctl", "-n", name).ok().trim();
    }

    /** The client namespace (made on first use). */
    NetNs client() {
        if (clientNs == null) {
            client = TestNetns.create();
            String p4 = "10." + a + "." + (b + 2) + ".";
            String p6 = String.format("fd00:%x:%x::", a, b + 2);
            Kernel.exec("ip", "link", "add", clientVeth, "type", "veth", "peer", "name", "eth0", "netns", client.name()).ok();
            Kernel.exec("ip", "addr", "add", p4 + "1/24", "dev", clientVeth).ok();
            Kernel.exec("ip", "addr", "add", p6 + "1/64", "dev", clientVeth, "nodad").ok();
            Kernel.exec("ip", "link", "set", clientVeth, "up").ok();
            client.exec("ip", "addr", "add", p4 + "2/24", "dev", "eth0").ok();
            client.exec("ip", "addr", "add", p6 + "2/64", "dev", "eth0", "nodad").ok();
            client.exec("ip", "link", "set", "eth0", "up").ok();
            client.exec("ip", "route", "add", "default", "via", p4 + "1").ok();
            client.exec("ip", "-6", "route", "add", "default", "via", p6 + "1").ok();
            clientNs = NetNs.get(client.path());
        }
        return clientNs;
    }

    String bridgeConf() {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"type\":\"bridge\",\"bridge\":\"" + bridge + "\","
                + "\"isGateway\":true,\"hairpinMode\":true,\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\",\"ranges\":["
                + "[{\"subnet\":\"10." + a + "." + b + ".0/24\"}],[{\"subnet\":\"" + String.format("fd00:%x:%x::/64", a, b) + "\"}]],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\"}]}}";
    }

    Map<String, String> env(String command, String id, Path netns) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_COMMAND", command);
        e.put("CNI_CONTAINERID", id);
        e.put("CNI_NETNS", netns.toString());
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", cniPath.toString());
        return e;
    }

    /**
     * The portmap configuration for a container.
     *
     * @param extra more keys, e.g. {@code "snat":false} ("" for none)
     * @param mappings the {@code portMappings} entries as JSON objects
     * @param prev the previous result, JSON
     */
    String portmapConf(String extra, List<String> mappings, String prev) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"type\":\"portmap\""
                + (extra.isEmpty() ? "" : "," + extra)
                + ",\"runtimeConfig\":{\"portMappings\":[" + String.join(",", mappings) + "]}"
                + (prev == null ? "" : ",\"prevResult\":" + prev) + "}";
    }

    static String tcp(int hostPort, int containerPort) {
        return "{\"hostPort\":" + hostPort + ",\"containerPort\":" + containerPort + ",\"protocol\":\"tcp\"}";
    }

    static String udp(int hostPort, int containerPort) {
        return "{\"hostPort\":" + hostPort + ",\"containerPort\":" + containerPort + ",\"protocol\":\"udp\"}";
    }

    static String tcp(int hostPort, int containerPort, InetAddress hostIp) {
        return "{\"hostPort\":" + hostPort + ",\"containerPort\":" + containerPort + ",\"protocol\":\"tcp\",\"hostIP\":\""
                + Ip.format(hostIp) + "\"}";
    }

    /** Random ports below the ephemeral range, so that no reply of the host's own connections is hit. */
    static int port() {
        return 20000 + ThreadLocalRandom.current().nextInt(9000);
    }

    /**
     * Makes a container namespace, ADDs it through Go bridge + host-local, then the portmap.
     *
     * @param portmap the portmap executable (jcni's or Go's)
     * @param extra portmap keys
     * @param mappings the port mappings
     * @return the container; its portmap ADD must have succeeded
     */
    Container add(Path portmap, String extra, List<String> mappings) {
        String id = "jpm-" + tag + "-" + containers.size();
        TestNetns ns = TestNetns.create();
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0").ok();
        ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0").ok();
        NetNs handle = NetNs.get(ns.path());
        Dist.Run br = Dist.run(GO_BIN.resolve("bridge"), env("ADD", id, ns.path()), bridgeConf());
        if (br.exitCode() != 0) {
            handle.close();
            ns.close();
            throw new AssertionError("bridge ADD failed: " + br);
        }
        String conf = portmapConf(extra, mappings, br.stdout());
        Container c = new Container(id, ns, handle, br.result(), conf, portmap);
        containers.add(c);
        Dist.Run pm = Dist.run(portmap, env("ADD", id, ns.path()), conf);
        if (pm.exitCode() != 0) {
            throw new AssertionError("portmap ADD failed: " + pm);
        }
        return c;
    }

    /** Runs CHECK of the container's portmap (or another executable). */
    Dist.Run check(Path portmap, Container c) {
        return Dist.run(portmap, env("CHECK", c.id, c.ns.path()), c.portmapConf);
    }

    @Override
    public void close() {
        List<Throwable> errors = new ArrayList<>();
        for (Container c : containers) {
            try {
                c.close();
            } catch (RuntimeException | AssertionError e) {
                errors.add(e);
            }
        }
        if (clientNs != null) {
            clientNs.close();
        }
        if (client != null) {
            client.close();
        }
        for (String link : List.of(clientVeth, dummy, bridge)) {
            Kernel.exec("ip", "link", "del", link);
        }
        shared.restore();
        if (!sysctl("net.ipv6.conf.all.forwarding").equals(ipv6ForwardingBefore)) {
            Kernel.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=" + ipv6ForwardingBefore);
        }
        for (Path dir : new Path[] {mixedBin, dataDir}) {
            if (dir == null) {
                continue;
            }
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError("cleanup failed: " + errors.get(0), errors.get(0));
            errors.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** The host address of a family. */
    InetAddress host(boolean v6) {
        return v6 ? host6 : host4;
    }

    static Optional<NetNs> in(NetNs ns) {
        return Optional.of(ns);
    }

    static final Optional<NetNs> HOST = Optional.empty();
}
