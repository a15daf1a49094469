package dev.jcni.plugins.tuning;

import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a tuning kernel test owns: a namespace holding a veth pair {@code eth0} / {@code peer0} (no dummy module in every kernel) (what the chain's first
 * plugin would have made), a private data directory; {@link #close()} removes both.
 */
final class Rig implements AutoCloseable {
    final TestNetns ns = TestNetns.create();
    final Path dataDir;
    final String cid = "tuning-" + ns.name();
    final String mac;

    Rig() {
        ns.exec("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0").ok();
        ns.exec("ip", "link", "set", "eth0", "up").ok();
        mac = ns.exec("cat", "/sys/class/net/eth0/address").ok().trim();
        try {
            dataDir = Files.createTempDirectory("jcni-tuning");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    Map<String, String> env() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("CNI_CONTAINERID", cid);
        e.put("CNI_NETNS", ns.path().toString());
        e.put("CNI_IFNAME", "eth0");
        e.put("CNI_PATH", "/nonexistent");
        return e;
    }

    /** @return a tuning configuration with a prevResult naming eth0 */
    String conf(String version, String fields) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"tuning-test\",\"type\":\"tuning\",\"dataDir\":\"" + dataDir + "\""
                + (fields.isEmpty() ? "" : "," + fields) + ",\"prevResult\":{\"cniVersion\":\"" + version + "\",\"interfaces\":[{\"name\":\"eth0\","
                + "\"mac\":\"" + mac + "\",\"sandbox\":\"" + ns.path() + "\"}],\"ips\":[{\"" + (version.startsWith("0.") ? "version\":\"4\",\"" : "")
                + "interface\":0,\"address\":\"10.99.0.2/24\"}]}}";
    }

    /** The attributes and sysctls tuning may change, as the kernel has them. */
    List<String> state() {
        List<String> out = new ArrayList<>();
        String link = ns.exec("ip", "-d", "link", "show", "eth0").ok();
        String first = link.lines().findFirst().orElse("");
        out.add("flags " + first.substring(first.indexOf('<'), first.indexOf('>') + 1));
        out.add("mtu " + first.replaceAll(".* mtu (\\d+) .*", "$1"));
        out.add("qlen " + first.replaceAll(".* qlen (\\d+).*", "$1"));
        out.add("mac " + ns.exec("cat", "/sys/class/net/eth0/address").ok().trim());
        for (String s : List.of("net/core/somaxconn", "net/ipv4/conf/eth0/arp_filter", "net/ipv4/conf/eth0/rp_filter", "net/ipv4/ping_group_range")) {
            out.add(s + " " + ns.exec("cat", "/proc/sys/" + s).ok().trim());
        }
        return out;
    }

    /** @return the files of the data directory */
    List<String> files() {
        try (var s = Files.list(dataDir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        ns.close();
        try (var s = Files.walk(dataDir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
