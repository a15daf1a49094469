package dev.jcni.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.NetlinkRoute;
import dev.jcni.sdk.types.Ip;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one attachment has on the host side (the namespace the check runs in), scoped to that
 * attachment so that whatever else runs on the host meanwhile cannot disturb the comparison:
 * firewall lines ({@code iptables-save}, {@code ip6tables-save}, {@code nft list ruleset}) that name
 * its container id, and the chains only such lines jump to; the host veths its ADD result names;
 * host routes to or through its addresses and host addresses equal to them; host-local reservations
 * (its {@code dataDir}) that name it.
 */
final class HostTraces {
    private static final String DEFAULT_DATA_DIR = "/var/lib/cni/networks";
    private static final Pattern JUMP = Pattern.compile(" -[jg] (\\S+)");

    private final String containerId;
    private final Optional<Path> store;

    private HostTraces(String containerId, Optional<Path> store) {
        this.containerId = containerId;
        this.store = store;
    }

    /**
     * @param containerId the attachment's container id
     * @param conf its configuration (for host-local's store: {@code ipam.dataDir} and the network name)
     * @return the traces of that attachment
     */
    static HostTraces of(String containerId, JsonNode conf) {
        JsonNode ipam = conf.path("ipam");
        Optional<Path> store = Optional.empty();
        if (ipam.path("type").asText("").equals("host-local") && !conf.path("name").asText("").isEmpty()) {
            store = Optional.of(Path.of(ipam.path("dataDir").asText(DEFAULT_DATA_DIR), conf.path("name").asText()));
        }
        return new HostTraces(containerId, store);
    }

    /**
     * A reading of the host.
     *
     * @param firewall every firewall line, prefixed with its tool and table ({@code iptables nat: -A ...})
     * @param links "index name (kind)" of every host link
     * @param addresses "link-index address/len" of every host address
     * @param routes every host route, of every table
     * @param reservations the store's files that name the container id
     */
    record Reading(List<String> firewall, List<String> links, List<String> addresses, List<NetlinkRoute> routes,
            List<String> reservations) {
    }

    /** @return the host now */
    Reading read() {
        List<String> firewall = new ArrayList<>();
        for (String tool : List.of("iptables", "ip6tables")) {
            String table = "";
            for (String l : run(tool + "-save").lines().toList()) {
                if (l.startsWith("*")) {
                    table = l.substring(1);
                } else if (l.startsWith(":") || l.startsWith("-A ")) {
                    firewall.add(tool + " " + table + ": " + l);
                }
            }
        }
        run("nft", "list", "ruleset").lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(l -> firewall.add("nft: " + l));
        List<String> links = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        List<NetlinkRoute> routes;
        try (NetlinkHandle nl = NetlinkHandle.open()) {
            for (Link l : nl.linkList()) {
                links.add(l.index() + " " + l.name() + " (" + l.kind().orElse("") + ")");
                for (Address a : nl.addrList(l.index(), Family.ALL)) {
                    addresses.add(l.index() + " " + a.prefix());
                }
            }
            routes = nl.routeList(Family.ALL, 0);
        }
        return new Reading(firewall, links, addresses, routes, reservations());
    }

    private List<String> reservations() {
        List<String> out = new ArrayList<>();
        if (store.isEmpty() || !Files.isDirectory(store.get())) {
            return out;
        }
        try (Stream<Path> files = Files.list(store.get())) {
            for (Path f : files.sorted().toList()) {
                try {
                    if (Files.isRegularFile(f) && Files.readString(f, StandardCharsets.ISO_8859_1).contains(containerId)) {
                        out.add(f.toString());
                    }
                } catch (IOException e) {
                    // removed meanwhile
                }
            }
        } catch (IOException e) {
            // the store went away: nothing of it is left
        }
        return out;
    }

    /**
     * What the attachment left: what it has on the host after DEL that it did not have before ADD.
     *
     * @param before the host before ADD
     * @param afterAdd the host after ADD
     * @param result the ADD result (its host interfaces and addresses), or null when ADD gave none
     * @param afterDel the host after DEL
     * @return one line per thing left, empty when nothing is
     */
    List<String> left(Reading before, Reading afterAdd, JsonNode result, Reading afterDel) {
        List<String> out = new ArrayList<>();
        Set<String> was = new HashSet<>(before.firewall());
        for (String l : afterDel.firewall()) {
            if (l.contains(containerId) && !was.contains(l)) {
                out.add("firewall line naming the container: " + l);
            }
        }
        for (String chain : ownChains(before, afterAdd)) {
            if (afterDel.firewall().stream().anyMatch(l -> chainDeclared(l).filter(chain::equals).isPresent())) {
                out.add("firewall chain of the container: " + chain);
            }
        }
        Set<String> hostVeths = new LinkedHashSet<>();
        Set<InetAddress> ips = new LinkedHashSet<>();
        if (result != null) {
            for (JsonNode i : result.path("interfaces")) {
                if (i.path("sandbox").asText("").isEmpty() && !i.path("name").asText("").isEmpty()) {
                    hostVeths.add(i.path("name").asText());
                }
            }
            for (JsonNode ip : result.path("ips")) {
                String a = ip.path("address").asText("");
                if (a.contains("/")) {
                    try {
                        ips.add(InetAddress.getByName(a.substring(0, a.indexOf('/'))));
                    } catch (IOException e) {
                        // not an address: ResultShape reports it
                    }
                }
            }
        }
        for (String l : afterAdd.links()) {
            String name = l.split(" ")[1];
            // a veth that was there before ADD (a chain's, named again in a chained plugin's result) is not this ADD's
            if (hostVeths.contains(name) && l.endsWith("(veth)") && afterDel.links().contains(l) && !before.links().contains(l)) {
                out.add("host veth: " + name);
            }
        }
        for (String a : afterDel.addresses()) {
            if (!before.addresses().contains(a) && ips.stream().anyMatch(ip -> a.contains(" " + Ip.format(ip) + "/"))) {
                out.add("host address: " + a);
            }
        }
        Set<String> routesBefore = new HashSet<>();
        before.routes().forEach(r -> routesBefore.add(r.toString()));
        for (NetlinkRoute r : afterDel.routes()) {
            boolean mentions = r.gateway().filter(ips::contains).isPresent()
                    || r.dst().filter(d -> d.prefixLength() == d.address().getAddress().length * 8 && ips.contains(d.address())).isPresent();
            if (mentions && !routesBefore.contains(r.toString())) {
                out.add("host route: " + r);
            }
        }
        afterDel.reservations().stream().filter(f -> !before.reservations().contains(f))
                .forEach(f -> out.add("IPAM reservation: " + f));
        return out;
    }

    /**
     * The chains ADD made for this container: new since before, jumped to by a line that names the
     * container and by none that does not.
     *
     * @return "tool table: chain" each
     */
    private List<String> ownChains(Reading before, Reading afterAdd) {
        Set<String> chainsBefore = new HashSet<>();
        for (String l : before.firewall()) {
            chainDeclared(l).ifPresent(chainsBefore::add);
        }
        List<String> own = new ArrayList<>();
        for (String l : afterAdd.firewall()) {
            Optional<String> c = chainDeclared(l);
            if (c.isEmpty() || chainsBefore.contains(c.get())) {
                continue;
            }
            String where = c.get().substring(0, c.get().indexOf(": ") + 2);
            String name = c.get().substring(where.length());
            boolean named = false;
            boolean other = false;
            for (String rule : afterAdd.firewall()) {
                if (!rule.startsWith(where + "-A ")) {
                    continue;
                }
                Matcher m = JUMP.matcher(rule);
                if (m.find() && m.group(1).equals(name)) {
                    if (rule.contains(containerId)) {
                        named = true;
                    } else {
                        other = true;
                    }
                }
            }
            if (named && !other) {
                own.add(c.get());
            }
        }
        return own;
    }

    /** @return "tool table: chain" when the line declares an iptables chain */
    private static Optional<String> chainDeclared(String line) {
        int colon = line.indexOf(": :");
        if (colon < 0) {
            return Optional.empty();
        }
        String rest = line.substring(colon + 3);
        int space = rest.indexOf(' ');
        return Optional.of(line.substring(0, colon + 2) + (space < 0 ? rest : rest.substring(0, space)));
    }

    /** Runs a listing command (10 s at most); "" when it is not installed or fails. */
    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = p.getInputStream()) {
                    return in.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            });
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            return p.exitValue() == 0 ? new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (Exception e) {
            return "";
        }
    }
}
