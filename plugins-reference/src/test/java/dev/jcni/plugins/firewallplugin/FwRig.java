package dev.jcni.plugins.firewallplugin;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The firewall plugin's kernel tests never touch the host's firewall: the plugin's "host" is a
 * namespace of the test ({@code ip netns exec}), whose iptables tables are its own and vanish with it.
 */
final class FwRig implements AutoCloseable {
    /** Go's v1.1.1 firewall. */
    static final Path GO = Kernel.GO_PLUGINS.resolve("firewall");

    /** The two implementations. */
    enum Impl {
        JCNI, GO;

        Path exe() {
            return this == GO ? FwRig.GO : Dist.exe("firewall");
        }
    }

    final int a = 150 + ThreadLocalRandom.current().nextInt(100);
    final int b = ThreadLocalRandom.current().nextInt(256);
    final String network = Kernel.uniqueName("jfw-");
    private final List<TestNetns> namespaces = new ArrayList<>();

    /** @return a namespace of the test, deleted on close */
    TestNetns netns() {
        TestNetns ns = TestNetns.create();
        namespaces.add(ns);
        return ns;
    }

    /** @return the container's IPv4 address number {@code n} in the test's subnet */
    String v4(int n) {
        return "10." + a + "." + b + "." + n;
    }

    /** @return the container's IPv6 address number {@code n} */
    String v6(int n) {
        return String.format("fd00:%x:%x::%x", a, b, n);
    }

    /**
     * A previous result: a bridge (interface 0) and the container's eth0 with the addresses.
     *
     * @param bridge the bridge's name
     * @param ips the addresses with their prefix length
     * @return the JSON
     */
    static String prev(String bridge, String... ips) {
        StringBuilder s = new StringBuilder("{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"" + bridge
                + "\"},{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],\"ips\":[");
        for (int i = 0; i < ips.length; i++) {
            s.append(i > 0 ? "," : "").append("{\"interface\":1,\"address\":\"").append(ips[i]).append("\"}");
        }
        return s.append("]}").toString();
    }

    /**
     * @param version cniVersion
     * @param fields extra members (may be "")
     * @param prev the previous result (its cniVersion becomes {@code version}), or null
     * @return a configuration
     */
    String conf(String version, String fields, String prev) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + network + "\",\"type\":\"firewall\"" + (fields.isEmpty() ? "" : "," + fields)
                + (prev == null ? "" : ",\"prevResult\":" + prev.replace("\"cniVersion\":\"1.0.0\"", "\"cniVersion\":\"" + version + "\"")) + "}";
    }

    /** Runs an implementation inside a namespace of the test. */
    static Dist.Run run(Impl impl, TestNetns host, String command, String cid, String conf) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", cid);
        env.put("CNI_NETNS", "/run/netns/x");
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "/nonexistent");
        return Dist.run(List.of("ip", "netns", "exec", host.name(), impl.exe().toString()), env, conf);
    }

    /** @return {@code iptables -S} then {@code ip6tables -S} of the namespace (table filter) */
    static List<String> filter(TestNetns host) {
        List<String> out = new ArrayList<>();
        for (String tool : List.of("iptables", "ip6tables")) {
            for (String l : host.exec(tool, "-w", "-S").ok().lines().toList()) {
                out.add(tool + " " + l);
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (TestNetns ns : namespaces) {
            ns.close();
        }
    }
}
