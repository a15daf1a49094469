package dev.jcni.plugins.macvlan;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a macvlan kernel test owns: the plugin's "host" (a namespace of the test, run into with
 * {@code ip netns exec}) holding the master, a veth end {@code m0} of the test's own, the container
 * namespaces, a host-local store; all removed on close. eth0 and the real host are never touched.
 */
final class MvRig implements AutoCloseable {
    /** The two implementations. */
    enum Impl {
        JCNI, GO;

        Path exe() {
            return this == GO ? Kernel.GO_PLUGINS.resolve("macvlan") : Dist.exe("macvlan");
        }
    }

    final int a = 150 + ThreadLocalRandom.current().nextInt(100);
    final int b = ThreadLocalRandom.current().nextInt(256);
    final String network = Kernel.uniqueName("jmv-");
    final TestNetns host;
    final Path dataDir;
    private final List<TestNetns> namespaces = new ArrayList<>();

    MvRig() {
        host = netns();
        masterIn(host, "m0");
        try {
            dataDir = Files.createTempDirectory("jcni-macvlan");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A master link of the test's own: one end of a veth pair whose other end is up too (this kernel
     * may have no dummy driver).
     *
     * @param ns where
     * @param name the master's name
     */
    static void masterIn(TestNetns ns, String name) {
        ns.exec("ip", "link", "add", name, "type", "veth", "peer", "name", name + "p").ok();
        ns.exec("ip", "link", "set", name + "p", "up").ok();
        ns.exec("ip", "link", "set", name, "up").ok();
    }

    TestNetns netns() {
        TestNetns ns = TestNetns.create();
        namespaces.add(ns);
        return ns;
    }

    String subnet4() {
        return "10." + a + "." + b + ".0/24";
    }

    String subnet6() {
        return String.format("fd00:%x:%x::/64", a, b);
    }

    /** @return host-local over the IPv4 subnet (and the IPv6 one), with a default route */
    String ipam(boolean dual) {
        return "{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\",\"ranges\":[[{\"subnet\":\"" + subnet4() + "\"}]"
                + (dual ? ",[{\"subnet\":\"" + subnet6() + "\"}]" : "") + "],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}";
    }

    String conf(String version, String fields, String ipam) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + network + "\",\"type\":\"macvlan\"" + (fields.isEmpty() ? "" : "," + fields)
                + (ipam == null ? "" : ",\"ipam\":" + ipam) + "}";
    }

    static Map<String, String> env(String command, TestNetns container, String cniArgs) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "ctr-" + (container == null ? "none" : container.name()));
        env.put("CNI_NETNS", container == null ? "" : container.path().toString());
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", Kernel.GO_PLUGINS.toString());
        if (!cniArgs.isEmpty()) {
            env.put("CNI_ARGS", cniArgs);
        }
        return env;
    }

    /** Runs an implementation with the test's host namespace as its host. */
    Dist.Run run(Impl impl, String command, TestNetns container, String cniArgs, String conf) {
        return Dist.run(List.of("ip", "netns", "exec", host.name(), impl.exe().toString()), env(command, container, cniArgs), conf);
    }

    /** @return eth0 of the container (kind, mode, mtu, MAC, state), its addresses and routes, and what else is there */
    static List<String> container(TestNetns c) {
        List<String> out = new ArrayList<>();
        for (String l : c.exec("ip", "-d", "-o", "link", "show").ok().lines().toList()) {
            String s = l.replaceFirst("^\\d+: ", "").replaceAll("@if\\d+", "@ifX").replaceAll("\\\\\\s+", " ")
                    .replaceAll(" (numtxqueues|numrxqueues|gso_max_size|gso_max_segs|tso_max_size|tso_max_segs|gro_max_size|"
                            + "gso_ipv4_max_size|gro_ipv4_max_size|parentbus|parentdev|addrgenmode|minmtu|maxmtu|allmulti|promiscuity|link-netnsid)"
                            + " \\S+", "");
            out.add("link " + s);
        }
        for (String l : c.exec("ip", "-o", "addr", "show").ok().lines().toList()) {
            out.add("addr " + l.replaceFirst("^\\d+: ", "").replaceAll("valid_lft.*", "").replaceAll("\\\\\\s+", " ").trim());
        }
        for (String fam : List.of("-4", "-6")) {
            for (String l : c.exec("ip", fam, "route", "show", "table", "all").ok().lines().toList()) {
                out.add("route " + l.trim());
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (TestNetns ns : namespaces) {
            ns.close();
        }
        Kernel.exec("rm", "-rf", dataDir.toString());
    }
}
