package dev.jcni.plugins.portmap;

import dev.jcni.netlink.route.Conntrack;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.NetlinkRoute;
import dev.jcni.netlink.route.Sysctl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/** What portmap does to the host's kernel besides the firewall: {@code route_localnet} and conntrack. */
final class HostNetwork {
    private HostNetwork() {
    }

    /**
     * Go's {@code getRoutableHostIF}: the interface of the first route the kernel answers for the
     * container address.
     *
     * @param container the container address
     * @return the interface name; empty when there is no route or it cannot be asked
     */
    static Optional<String> routableInterface(InetAddress container) {
        try (NetlinkHandle h = NetlinkHandle.open()) {
            for (NetlinkRoute r : h.routeGet(container)) {
                Optional<Link> link = h.findLinkByIndex(r.linkIndex());
                if (link.isPresent()) {
                    return Optional.of(link.get().name());
                }
            }
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty(); // as Go: no answer, no route_localnet
        }
        return Optional.empty();
    }

    /**
     * Lets 127.0.0.0/8 cross a routing boundary on an interface ({@code route_localnet=1}), so that
     * connections to {@code 127.0.0.1:<hostPort>} can be sent to the container.
     *
     * @param ifName the interface
     */
    static void enableRouteLocalnet(String ifName) {
        Sysctl.setRouteLocalnet(ifName, true);
    }

    /**
     * Deletes the conntrack entries of UDP flows to these host ports in the host's namespace, so that
     * stale entries do not keep sending a client's datagrams to an old destination.
     *
     * @param ipv6 the family
     * @param ports the host ports
     * @return how many entries were deleted
     */
    static int flushUdp(boolean ipv6, Collection<Integer> ports) {
        if (!mayTrackUdpTo(CONNTRACK_PROC, ipv6, ports)) {
            return 0;
        }
        int n = 0;
        for (int port : new LinkedHashSet<>(ports)) {
            n += Conntrack.deleteUdpByDstPort(ipv6 ? Family.V6 : Family.V4, port);
        }
        return n;
    }

    /** The text view of the host's conntrack table (when the kernel offers it). */
    static final Path CONNTRACK_PROC = Path.of("/proc/net/nf_conntrack");

    /**
     * Whether the conntrack table may hold UDP entries to these ports, read from the kernel's text
     * view, so that the netlink flush (and loading the native netlink binding, about 150 ms) is
     * skipped when there is nothing to delete. Without the text view: true.
     *
     * @param table the text view
     * @param ipv6 the family
     * @param ports the original destination ports
     * @return false only when the table was read and has no such entry
     */
    static boolean mayTrackUdpTo(Path table, boolean ipv6, Collection<Integer> ports) {
        String family = ipv6 ? "ipv6" : "ipv4";
        try (Stream<String> lines = Files.lines(table)) {
            return lines.anyMatch(l -> l.startsWith(family) && tracksUdpTo(l, ports));
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return true;
        }
    }

    /** A line {@code ipv4 2 udp 17 29 src=… dst=… sport=… dport=N …}: the first dport is the original one. */
    static boolean tracksUdpTo(String line, Collection<Integer> ports) {
        String[] f = line.split("\\s+");
        if (f.length < 4 || !f[2].equals("udp")) {
            return false;
        }
        for (String field : f) {
            if (field.startsWith("dport=")) {
                try {
                    return ports.contains(Integer.parseInt(field.substring(6)));
                } catch (NumberFormatException e) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @param config the configuration
     * @return the host ports of its UDP mappings, each once
     */
    static Set<Integer> udpHostPorts(PortmapConfig config) {
        Set<Integer> out = new LinkedHashSet<>();
        for (Mapping m : config.mappings()) {
            if (m.protocol().equals("udp")) {
                out.add(m.hostPort());
            }
        }
        return out;
    }
}
