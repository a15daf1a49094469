package dev.jcni.plugins.ip;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.firewall.IpMasq;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * What a bridge or ptp kernel test owns: a network name, a bridge name, subnets that do not overlap
 * the host's, a host-local store, namespaces and the container ids used; {@link #close()} removes all
 * of it, also after a failed test: the namespaces (and so the containers' veths), the bridge and its
 * vlan gateway interface, masquerading and spoof-check rules, and the store.
 */
public final class Fixture implements AutoCloseable {
    /**
     * CNI_PATH for the plugins' IPAM: jcni's packaged host-local by default (the whole jcni stack, as
     * an operator who replaces every plugin runs it); parity tests set Go's directory, so that both
     * implementations share Go's host-local v1.1.1 and its store.
     */
    public String cniPath = Dist.bin().toString();
    /** The Go reference plugins (v1.1.1). */
    public static final Path GO = Path.of("/usr/lib/cni");

    public final String net = Kernel.uniqueName("jt");
    public final String bridge = Kernel.uniqueName("jbr");
    public final String subnet4;
    public final String subnet6;
    public final String prefix4;
    public final String prefix6;
    public final Path dataDir;
    private final List<TestNetns> namespaces = new ArrayList<>();
    private final List<String[]> attachments = new ArrayList<>();

    public Fixture() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        prefix4 = "10." + (150 + r.nextInt(100)) + "." + r.nextInt(256) + ".";
        subnet4 = prefix4 + "0/24";
        prefix6 = "fd00:" + Integer.toHexString(0x1000 + r.nextInt(0xe000)) + "::";
        subnet6 = prefix6 + "/64";
        try {
            dataDir = Files.createTempDirectory("jcni-ipam");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** @return a new namespace, removed on close */
    public TestNetns netns() {
        TestNetns ns = TestNetns.create();
        namespaces.add(ns);
        return ns;
    }

    /**
     * Records an attachment for the firewall clean-up and gives its environment.
     *
     * @param cid the container id
     * @param ns the namespace, or null for an empty CNI_NETNS
     * @param ifName the interface
     * @return CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_PATH
     */
    public Map<String, String> env(String cid, TestNetns ns, String ifName) {
        attachments.add(new String[] {cid, ifName});
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_CONTAINERID", cid);
        e.put("CNI_NETNS", ns == null ? "" : ns.path().toString());
        e.put("CNI_IFNAME", ifName);
        e.put("CNI_PATH", cniPath);
        return e;
    }

    /** @return host-local over the fixture's IPv4 subnet */
    public String ipam4() {
        return "{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\",\"ranges\":[[{\"subnet\":\"" + subnet4 + "\"}]]}";
    }

    /** @return host-local over both subnets, with routes */
    public String ipamDual(String routes) {
        return "{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\",\"ranges\":[[{\"subnet\":\"" + subnet4 + "\"}],[{\"subnet\":\""
                + subnet6 + "\"}]]" + (routes == null ? "" : ",\"routes\":" + routes) + "}";
    }

    /**
     * A configuration.
     *
     * @param version cniVersion
     * @param type bridge or ptp
     * @param fields extra top-level fields as JSON members without braces (may be "")
     * @param ipam the ipam object, or null
     * @return the JSON
     */
    public String conf(String version, String type, String fields, String ipam) {
        StringBuilder s = new StringBuilder("{\"cniVersion\":\"").append(version).append("\",\"name\":\"").append(net)
                .append("\",\"type\":\"").append(type).append('"');
        if (type.equals("bridge")) {
            s.append(",\"bridge\":\"").append(bridge).append('"');
        }
        if (fields != null && !fields.isEmpty()) {
            s.append(',').append(fields);
        }
        if (ipam != null) {
            s.append(",\"ipam\":").append(ipam);
        }
        return s.append('}').toString();
    }

    /**
     * Runs a plugin in this JVM, through the real skel, with an attachment's environment.
     *
     * @param plugin the plugin (e.g. built with a failure-injection hook)
     * @param command the verb
     * @param env the environment from {@link #env}
     * @param conf the configuration
     * @return what it printed
     */
    public static dev.jcni.sdk.testing.PluginHarness.Outcome inProcess(dev.jcni.sdk.skel.Plugin plugin, String command,
            Map<String, String> env, String conf) {
        dev.jcni.sdk.testing.PluginHarness h = dev.jcni.sdk.testing.PluginHarness.of(plugin);
        for (Map.Entry<String, String> e : env.entrySet()) {
            h = h.env(e.getKey(), e.getValue());
        }
        return h.run(command, conf);
    }

    /**
     * Everything of this fixture's attachments that is still there: links in the container
     * namespace (but {@code lo}), ports of the bridge, host addresses and routes in the fixture's
     * subnets (the bridge's own gateway address aside: DEL keeps it too), masquerading and
     * spoof-check rules, IPAM reservations.
     *
     * @param ns the container namespace
     * @return one line per thing left, empty when nothing is
     */
    public List<String> leftovers(TestNetns ns) {
        List<String> out = new ArrayList<>();
        for (String l : ns.exec("ip", "-o", "link", "show").ok().lines().toList()) {
            if (!l.matches("^\\d+: lo:.*")) {
                out.add("container link: " + l);
            }
        }
        Kernel.ExecResult ports = Kernel.exec("ip", "-o", "link", "show", "master", bridge);
        if (ports.exitCode() == 0) {
            ports.stdout().lines().forEach(l -> out.add("bridge port: " + l));
        }
        for (String l : State.hostRoutesAndAddrs(prefix4, prefix6)) {
            if (!l.contains(bridge)) {
                out.add("host: " + l);
            }
        }
        iptablesLines().forEach(l -> out.add("iptables: " + l));
        nftLines().forEach(l -> out.add("nft: " + l));
        for (String file : store().keySet()) {
            if (file.startsWith(prefix4.substring(0, 3)) || file.contains(":")) {
                out.add("reservation: " + file);
            }
        }
        return out;
    }

    /** Runs jcni's packaged plugin. */
    public static Dist.Run jcni(String plugin, String command, Map<String, String> env, String conf) {
        return Dist.cni(plugin, command, env, conf);
    }

    /** Runs Go's plugin from /usr/lib/cni. */
    public static Dist.Run go(String plugin, String command, Map<String, String> env, String conf) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("CNI_COMMAND", command);
        return Dist.run(GO.resolve(plugin), e, conf);
    }

    /** @return the host-local store of the network: file name → content */
    public Map<String, String> store() {
        Map<String, String> m = new TreeMap<>();
        Path dir = dataDir.resolve(net);
        if (!Files.isDirectory(dir)) {
            return m;
        }
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                m.put(p.getFileName().toString(), Files.readString(p));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return m;
    }

    /** Empties the store (between two implementations run on the same names). */
    public void clearStore() {
        delete(dataDir.resolve(net));
    }

    /** @return iptables and ip6tables nat lines that name this network */
    public List<String> iptablesLines() {
        List<String> out = new ArrayList<>();
        for (String cmd : List.of("iptables", "ip6tables")) {
            String all = Kernel.exec(cmd, "-t", "nat", "-S").ok();
            List<String> chains = new ArrayList<>();
            for (String l : all.lines().toList()) {
                if (l.contains("name: \\\"" + net + "\\\"")) {
                    String[] w = l.split(" ");
                    chains.add(w[w.length - 1]);
                }
            }
            for (String l : all.lines().toList()) {
                boolean mine = l.contains("name: \\\"" + net + "\\\"");
                for (String c : chains) {
                    mine |= l.equals("-N " + c);
                }
                if (mine) {
                    out.add(cmd + " " + l);
                }
            }
        }
        return out;
    }

    /** @return nft lines of the masquerade table and the bridge nat table that mention this network or its containers */
    public List<String> nftLines() {
        List<String> out = new ArrayList<>();
        Kernel.ExecResult r = Kernel.exec("nft", "list", "ruleset");
        for (String l : r.stdout().lines().toList()) {
            String t = l.trim();
            boolean mine = t.contains("net: " + net + ",");
            for (String[] a : attachments) {
                mine |= t.contains("cni-br-iface-" + a[0] + "-" + a[1]) || t.contains("macspoofchk-" + a[0] + "-" + a[1]);
            }
            if (mine) {
                out.add(t.replaceAll("\\s+# handle \\d+", ""));
            }
        }
        return out;
    }

    /** @return the ip(8) lines of the host links that belong to this fixture (the bridge, its vlan interface) */
    public boolean bridgeExists() {
        return Kernel.exec("ip", "link", "show", "dev", bridge).exitCode() == 0;
    }

    @Override
    public void close() {
        for (TestNetns ns : namespaces) {
            ns.close();
        }
        Kernel.exec("ip", "link", "del", bridge);
        for (String[] a : attachments) {
            try {
                IpMasq.teardownIptablesByName(net, a[0]);
                IpMasq.teardown(List.of(), net, a[1], a[0]);
            } catch (RuntimeException e) {
                // best effort
            }
            String chain = "cni-br-iface-" + a[0] + "-" + a[1];
            Kernel.ExecResult pre = Kernel.exec("nft", "-a", "list", "chain", "bridge", "nat", "PREROUTING");
            for (String l : pre.stdout().lines().toList()) {
                if (l.contains("jump " + chain + " ") && l.contains("# handle ")) {
                    String h = l.substring(l.indexOf("# handle ") + 9).trim();
                    Kernel.exec("nft", "delete", "rule", "bridge", "nat", "PREROUTING", "handle", h);
                }
            }
            Kernel.exec("nft", "flush", "chain", "bridge", "nat", chain);
            Kernel.exec("nft", "flush", "chain", "bridge", "nat", chain + "-mac");
            Kernel.exec("nft", "delete", "chain", "bridge", "nat", chain);
            Kernel.exec("nft", "delete", "chain", "bridge", "nat", chain + "-mac");
        }
        dropEmptyTables();
        delete(dataDir);
    }

    /** The shared tables stay after a teardown (as with Go); a test that leaves them unused removes them. */
    static void dropEmptyTables() {
        Kernel.ExecResult r = Kernel.exec("nft", "list", "chain", "inet", "cni_plugins_masquerade", "masq_checks");
        if (r.exitCode() == 0 && !r.stdout().contains(" masquerade")) {
            Kernel.exec("nft", "delete", "table", "inet", "cni_plugins_masquerade");
        }
        Kernel.ExecResult b = Kernel.exec("nft", "list", "table", "bridge", "nat");
        if (b.exitCode() == 0 && !b.stdout().contains("jump") && !b.stdout().contains("drop") && !b.stdout().contains("chain cni-")) {
            Kernel.exec("nft", "delete", "table", "bridge", "nat");
        }
    }

    private static void delete(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    /**
     * A configuration with a {@code prevResult} appended (for CHECK).
     *
     * @param conf a configuration object's JSON
     * @param prev the result
     * @return the configuration with {@code prevResult}
     */
    public static String withPrev(String conf, dev.jcni.sdk.types.Result prev) {
        return conf.substring(0, conf.length() - 1) + ",\"prevResult\":" + new String(prev.toJson(),
                java.nio.charset.StandardCharsets.UTF_8) + "}";
    }
}
