package dev.jcni.plugins;

import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.NetlinkRoute;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run behind the class-data-sharing archive that the launchers use: it runs every
 * reference plugin in-process through the skel with inputs that exercise the code paths of a real
 * call (config parsing, result conversion, error output) without touching the host's network: kernel
 * operations are reached only where they are read-only or fail before changing anything.
 *
 * <p>Run at package time with {@code -XX:ArchiveClassesAtExit} (see {@code plugins-reference/pom.xml}),
 * and by {@code install.sh} where the jars are installed.
 */
public final class Training {
    private Training() {
    }

    /** One call: a command, extra environment, stdin. */
    record Call(String command, Map<String, String> env, String stdin) {
    }

    /**
     * @param args ignored
     * @throws IOException when the temporary store cannot be made
     */
    public static void main(String[] args) throws IOException {
        Path tmp = Files.createTempDirectory("jcni-training");
        try {
            for (Map.Entry<String, List<Call>> e : calls(tmp).entrySet()) {
                Plugin plugin = load(e.getKey());
                if (plugin == null) {
                    continue;
                }
                for (Call c : e.getValue()) {
                    run(plugin, c);
                }
            }
            warmNetlink();
        } finally {
            try (Stream<Path> s = Files.walk(tmp)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The netlink binding (jnr-ffi, the socket, the route codec) through a read-only request: the route
     * the kernel would use for the loopback address, as portmap asks for the container's address. A
     * machine without netlink skips it.
     */
    private static void warmNetlink() {
        try (NetlinkHandle h = NetlinkHandle.open()) {
            for (NetlinkRoute r : h.routeGet(InetAddress.getLoopbackAddress())) {
                h.findLinkByIndex(r.linkIndex());
            }
        } catch (RuntimeException | LinkageError e) {
            // no archive entries for it, nothing else
        }
    }

    private static Map<String, List<Call>> calls(Path tmp) {
        String store = tmp.resolve("store").toString();
        String missingNs = tmp.resolve("no-such-netns").toString();
        Map<String, String> attach = Map.of("CNI_CONTAINERID", "jcni-training", "CNI_NETNS", missingNs, "CNI_IFNAME", "eth0",
                "CNI_PATH", tmp.toString());
        String hostLocal = "{\"cniVersion\":\"1.1.0\",\"name\":\"jcni-training\",\"type\":\"host-local\","
                + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + store + "\",\"ranges\":[[{\"subnet\":\"10.254.0.0/24\"}],"
                + "[{\"subnet\":\"fd00:254::/64\"}]],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}";
        String bad = "{\"cniVersion\":\"1.1.0\",\"name\":\"jcni-training\",\"type\":\"x\",\"ipMasq\":\"bad\"}";
        Map<String, List<Call>> m = new HashMap<>();
        m.put("dev.jcni.plugins.hostlocal.HostLocal", List.of(
                new Call("VERSION", Map.of(), "{\"cniVersion\":\"1.1.0\"}"),
                new Call("ADD", attach, hostLocal), new Call("CHECK", attach, hostLocal),
                new Call("ADD", attach, hostLocal.replace("1.1.0", "0.3.1")),
                new Call("DEL", attach, hostLocal), new Call("STATUS", attach, hostLocal), new Call("GC", attach, hostLocal),
                new Call("ADD", attach, bad)));
        // bridge and ptp: parsing and validation, the netns lookup that fails before anything is made
        // (it loads the netlink binding), and a DEL without netns that has nothing to remove
        Map<String, String> noNetns = new HashMap<>(attach);
        noNetns.put("CNI_NETNS", "");
        String bridgeL2 = "{\"cniVersion\":\"1.0.0\",\"name\":\"jcni-training\",\"type\":\"bridge\",\"bridge\":\"jcni-training\"}";
        String bridgeBad = "{\"cniVersion\":\"1.0.0\",\"name\":\"jcni-training\",\"type\":\"bridge\",\"vlan\":5000}";
        String ptp = "{\"cniVersion\":\"1.0.0\",\"name\":\"jcni-training\",\"type\":\"ptp\",\"ipMasq\":false,"
                + "\"ipam\":{\"type\":\"jcni-training-no-such-ipam\"}}";
        // CHECK in the own namespace with /bin/true as IPAM: opens netlink sockets and runs a delegate,
        // then stops at the missing prevResult (read-only)
        Map<String, String> ownNs = new HashMap<>(attach);
        ownNs.put("CNI_NETNS", "/proc/self/ns/net");
        ownNs.put("CNI_PATH", "/usr/bin:/bin");
        String bridgeTrue = "{\"cniVersion\":\"1.0.0\",\"name\":\"jcni-training\",\"type\":\"bridge\",\"bridge\":\"jcni-training\","
                + "\"ipam\":{\"type\":\"true\"}}";
        m.put("dev.jcni.plugins.bridge.Bridge", List.of(new Call("VERSION", Map.of(), "{\"cniVersion\":\"1.1.0\"}"),
                new Call("ADD", attach, bad), new Call("ADD", attach, bridgeBad), new Call("ADD", attach, bridgeL2),
                new Call("CHECK", attach, bridgeL2), new Call("DEL", noNetns, bridgeL2), new Call("CHECK", ownNs, bridgeTrue)));
        m.put("dev.jcni.plugins.ptp.Ptp", List.of(new Call("VERSION", Map.of(), "{\"cniVersion\":\"1.1.0\"}"),
                new Call("ADD", attach, bad), new Call("ADD", attach, ptp), new Call("DEL", noNetns, ptp),
                new Call("CHECK", ownNs, ptp.replace("jcni-training-no-such-ipam", "true"))));
        m.put("dev.jcni.plugins.portmap.Portmap", portmapCalls(attach, bad));
        return m;
    }

    /**
     * portmap: the config parser, the prevResult pass-through and the errors, all without touching the
     * firewall (no call has both a prevResult and a valid mapping; the backend is named, so nothing is
     * probed).
     */
    private static List<Call> portmapCalls(Map<String, String> attach, String bad) {
        String prev = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
                + "\"ips\":[{\"interface\":0,\"address\":\"10.254.0.2/24\",\"gateway\":\"10.254.0.1\"},"
                + "{\"interface\":0,\"address\":\"fd00:254::2/64\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{}}";
        String base = "{\"cniVersion\":\"1.0.0\",\"name\":\"jcni-training\",\"type\":\"portmap\",\"backend\":\"iptables\","
                + "\"snat\":true,\"conditionsV4\":[\"-s\",\"10.0.0.0/8\"]";
        String mappings = ",\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"},"
                + "{\"hostPort\":%d,\"containerPort\":53,\"protocol\":\"udp\",\"hostIP\":\"10.254.1.1\"}]}";
        String passThrough = base + ",\"prevResult\":" + prev + "}";
        String badPort = base + String.format(mappings, 0) + ",\"prevResult\":" + prev + "}";
        String noPrev = base + String.format(mappings, 5353) + "}";
        return List.of(new Call("VERSION", Map.of(), "{\"cniVersion\":\"1.1.0\"}"),
                new Call("ADD", attach, passThrough), new Call("ADD", attach, passThrough.replace("1.0.0", "0.4.0")),
                new Call("CHECK", attach, passThrough), new Call("DEL", attach, passThrough),
                new Call("ADD", attach, badPort), new Call("ADD", attach, noPrev), new Call("CHECK", attach, noPrev),
                new Call("ADD", attach, bad));
    }

    private static Plugin load(String className) {
        try {
            Class<?> c = Class.forName(className);
            return Plugin.class.isAssignableFrom(c) ? (Plugin) c.getDeclaredConstructor().newInstance() : null;
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    private static void run(Plugin plugin, Call c) {
        Map<String, String> env = new HashMap<>(c.env());
        env.put("CNI_COMMAND", c.command());
        PluginMain.execute(plugin, env, new ByteArrayInputStream(c.stdin().getBytes(StandardCharsets.UTF_8)),
                OutputStream.nullOutputStream(), OutputStream.nullOutputStream());
    }
}
