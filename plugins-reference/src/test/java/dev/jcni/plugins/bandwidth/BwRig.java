package dev.jcni.plugins.bandwidth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a bandwidth test owns: a namespace standing in for the host (the plugin runs in it, through
 * {@code ip netns exec}, so the ifb and the qdiscs are made there and never in the real host's
 * namespace), a container namespace, and the veth pair between them ({@code eth0} in the
 * container), with addresses of a random 10.x /30 for traffic. {@link #close()} deletes both
 * namespaces, which takes the veth, the ifb and every qdisc with them.
 */
final class BwRig implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path GO = Path.of("/usr/lib/cni");

    /** Which plugin runs. */
    enum Impl {
        JCNI, GO;

        Path exe() {
            return this == GO ? BwRig.GO.resolve("bandwidth") : Dist.exe("bandwidth");
        }
    }

    final TestNetns host = TestNetns.create();
    final TestNetns ctr = TestNetns.create();
    final String hostVeth = Kernel.uniqueName("bwh");
    final String network = Kernel.uniqueName("bwnet-");
    final String containerId = network + "-ctr";
    final String hostIp;
    final String ctrIp;

    BwRig() {
        int a = ThreadLocalRandom.current().nextInt(150, 250);
        int b = ThreadLocalRandom.current().nextInt(256);
        int c = ThreadLocalRandom.current().nextInt(64) * 4;
        hostIp = "10." + a + "." + b + "." + (c + 1);
        ctrIp = "10." + a + "." + b + "." + (c + 2);
        try {
            host.exec("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", ctr.name()).ok();
            host.exec("ip", "addr", "add", hostIp + "/30", "dev", hostVeth).ok();
            host.exec("ip", "link", "set", hostVeth, "up").ok();
            host.exec("ip", "link", "set", "lo", "up").ok();
            ctr.exec("ip", "addr", "add", ctrIp + "/30", "dev", "eth0").ok();
            ctr.exec("ip", "link", "set", "eth0", "up").ok();
            ctr.exec("ip", "link", "set", "lo", "up").ok();
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    /** @return the ifb name Go gives this attachment */
    String ifb() {
        return Bandwidth.ifbName(network, containerId);
    }

    /** @return the previous result a ptp or bridge ADD would give: the host veth and the container's eth0 */
    String prevResult(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"interfaces\":[{\"name\":\"" + hostVeth + "\"},{\"name\":\"eth0\","
                + "\"sandbox\":\"" + ctr.path() + "\"}],\"ips\":[{\"address\":\"" + ctrIp + "/30\",\"interface\":1}]}";
    }

    /**
     * @param version cniVersion
     * @param fields extra members (may be "")
     * @return the configuration with the prevResult
     */
    String conf(String version, String fields) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + network + "\",\"type\":\"bandwidth\""
                + (fields.isEmpty() ? "" : "," + fields) + ",\"prevResult\":" + prevResult(version) + "}";
    }

    Map<String, String> env(String command) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_COMMAND", command);
        e.put("CNI_CONTAINERID", containerId);
        e.put("CNI_NETNS", ctr.path().toString());
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", GO.toString());
        return e;
    }

    /** Runs a plugin inside the host namespace. */
    Dist.Run run(Impl impl, String command, String conf) {
        return Dist.run(List.of("ip", "netns", "exec", host.name(), impl.exe().toString()), env(command), conf);
    }

    private JsonNode json(String... cmd) {
        String out = host.exec(cmd).ok();
        try {
            return JSON.readTree(out.isBlank() ? "[]" : out);
        } catch (IOException e) {
            throw new UncheckedIOException(out, e);
        }
    }

    /** Drops what differs from run to run: counters, indexes, MACs. */
    private static JsonNode scrub(JsonNode n) {
        if (n instanceof ObjectNode o) {
            for (String k : List.of("refcnt", "index", "ref", "bind", "ifindex", "address", "broadcast", "stats64",
                    "link_index", "operstate", "permaddr")) {
                o.remove(k);
            }
            o.fields().forEachRemaining(e -> scrub(e.getValue()));
        } else if (n instanceof ArrayNode a) {
            a.forEach(BwRig::scrub);
        }
        return n;
    }

    /**
     * The tc state the bandwidth plugin is about, as iproute2 shows it: the host veth's qdiscs and
     * ingress filters, the ifb link (kind, mtu, flags, txqlen) and its qdiscs.
     *
     * @return one line per item
     */
    List<String> tcState() {
        List<String> out = new ArrayList<>();
        out.add("veth qdiscs: " + scrub(json("tc", "-j", "qdisc", "show", "dev", hostVeth)));
        boolean ingress = out.get(0).contains("\"ingress\"");
        out.add("veth filters: " + (ingress ? scrub(json("tc", "-j", "filter", "show", "dev", hostVeth, "ingress")) : "[]"));
        boolean ifb = host.exec("ip", "link", "show", ifb()).exitCode() == 0;
        if (ifb) {
            JsonNode l = scrub(json("ip", "-j", "-d", "link", "show", ifb()).get(0));
            out.add("ifb: " + l.get("ifname").asText() + " kind " + l.at("/linkinfo/info_kind").asText() + " mtu "
                    + l.get("mtu") + " flags " + l.get("flags") + " txqlen " + l.get("txqlen"));
            out.add("ifb qdiscs: " + scrub(json("tc", "-j", "qdisc", "show", "dev", ifb())));
        }
        return out;
    }

    /** @return the ifb devices of the host namespace */
    List<String> ifbs() {
        List<String> out = new ArrayList<>();
        json("ip", "-j", "link", "show", "type", "ifb").forEach(l -> out.add(l.get("ifname").asText()));
        return out;
    }

    /** @return what the plugin could have left: the ifb, a tbf or ingress qdisc on the host veth */
    List<String> leftovers() {
        List<String> out = new ArrayList<>(ifbs());
        String q = json("tc", "-j", "qdisc", "show", "dev", hostVeth).toString();
        if (q.contains("\"tbf\"") || q.contains("\"ingress\"")) {
            out.add("qdiscs on " + hostVeth + ": " + q);
        }
        return out;
    }

    @Override
    public void close() {
        try {
            host.close();
        } finally {
            ctr.close();
        }
    }
}
