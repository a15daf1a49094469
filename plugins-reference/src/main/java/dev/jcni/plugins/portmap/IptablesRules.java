package dev.jcni.plugins.portmap;

import dev.jcni.plugins.firewall.Names;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The iptables rules of the Go portmap plugin, as argument lists for table {@code nat}: names,
 * order and texts are Go's, so either implementation finds and removes the other's rules.
 *
 * <pre>
 * PREROUTING, OUTPUT:  -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
 * CNI-HOSTPORT-DNAT:   -m comment --comment "dnat name: ..." -m multiport -p tcp --destination-ports 8080,8081 -j CNI-DN-…
 * CNI-DN-…:            -p tcp --dport 8080 -s 10.0.0.5/24 -j CNI-HOSTPORT-SETMARK    (hairpin, when snat)
 *                      -p tcp --dport 8080 -s 127.0.0.1 -j CNI-HOSTPORT-SETMARK      (localhost, IPv4, when snat)
 *                      -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.5:80
 * CNI-HOSTPORT-SETMARK: -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000
 * CNI-HOSTPORT-MASQ:   -m mark --mark 0x2000/0x2000 -j MASQUERADE
 * POSTROUTING (first): -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
 * </pre>
 */
final class IptablesRules {
    private IptablesRules() {
    }

    static final String TABLE = "nat";
    static final String TOP_DNAT_CHAIN = "CNI-HOSTPORT-DNAT";
    static final String SETMARK_CHAIN = "CNI-HOSTPORT-SETMARK";
    static final String MASQ_CHAIN = "CNI-HOSTPORT-MASQ";
    /** The entry chain of the per-container SNAT chains of old Go versions, still torn down. */
    static final String OLD_TOP_SNAT_CHAIN = "CNI-HOSTPORT-SNAT";
    static final List<String> TOP_DNAT_ENTRY_CHAINS = List.of("PREROUTING", "OUTPUT");
    /** multiport takes at most 15 ports. */
    static final int MULTIPORT_MAX = 15;
    static final int COMMENT_MAX = 255;

    /**
     * @param network the network name
     * @param containerId the container id
     * @return {@code CNI-DN-} and 21 hex digits of sha512(network + id)
     */
    static String dnatChain(String network, String containerId) {
        return Names.chainName(network, containerId, "DN-");
    }

    /**
     * @param network the network name
     * @param containerId the container id
     * @return the per-container SNAT chain of old Go versions
     */
    static String oldSnatChain(String network, String containerId) {
        return Names.chainName(network, containerId, "SN-");
    }

    /**
     * @param network the network name
     * @param containerId the container id
     * @return {@code dnat name: "<net>" id: "<id>"}, cut to 253 characters and {@code ...} when longer than 255
     */
    static String comment(String network, String containerId) {
        String c = "dnat name: \"" + network + "\" id: \"" + containerId + "\"";
        return c.length() <= COMMENT_MAX ? c : c.substring(0, COMMENT_MAX - 2) + "...";
    }

    /** Go's {@code %#x/%#x} of the mark. */
    static String mark(int bit) {
        String v = "0x" + Long.toHexString(1L << bit);
        return v + "/" + v;
    }

    static List<String> setMarkRule(int bit) {
        return List.of("-m", "comment", "--comment", "CNI portfwd masquerade mark", "-j", "MARK", "--set-xmark", mark(bit));
    }

    static List<String> masqRule(int bit) {
        return List.of("-m", "mark", "--mark", mark(bit), "-j", "MASQUERADE");
    }

    /** The POSTROUTING entry of {@code CNI-HOSTPORT-MASQ}, inserted first. */
    static List<String> masqEntryRule() {
        return List.of("-m", "comment", "--comment", "CNI portfwd requiring masquerade", "-j", MASQ_CHAIN);
    }

    /** The PREROUTING and OUTPUT entry of {@code CNI-HOSTPORT-DNAT}. */
    static List<String> topDnatEntryRule() {
        return List.of("-m", "addrtype", "--dst-type", "LOCAL", "-j", TOP_DNAT_CHAIN);
    }

    /**
     * The entry rules of the container chain in {@code CNI-HOSTPORT-DNAT}: per protocol (sorted), per
     * 15 host ports of every mapping of that protocol (whatever its host address), with the family's
     * conditions.
     *
     * @param config the configuration
     * @param containerId the container id
     * @param ipv6 the family
     * @return the rules, each ending with {@code -j <container chain>}
     */
    static List<List<String>> entryRules(PortmapConfig config, String containerId, boolean ipv6) {
        Map<String, List<Integer>> byProto = new TreeMap<>();
        for (Mapping m : config.mappings()) {
            byProto.computeIfAbsent(m.protocol(), k -> new ArrayList<>()).add(m.hostPort());
        }
        String comment = comment(config.network(), containerId);
        String chain = dnatChain(config.network(), containerId);
        List<List<String>> out = new ArrayList<>();
        for (Map.Entry<String, List<Integer>> e : byProto.entrySet()) {
            List<Integer> ports = e.getValue();
            for (int from = 0; from < ports.size(); from += MULTIPORT_MAX) {
                StringBuilder spec = new StringBuilder();
                for (int i = from; i < Math.min(ports.size(), from + MULTIPORT_MAX); i++) {
                    if (spec.length() > 0) {
                        spec.append(',');
                    }
                    spec.append(ports.get(i));
                }
                List<String> r = new ArrayList<>(List.of("-m", "comment", "--comment", comment, "-m", "multiport",
                        "-p", e.getKey(), "--destination-ports", spec.toString()));
                r.addAll(config.conditions(ipv6));
                r.add("-j");
                r.add(chain);
                out.add(List.copyOf(r));
            }
        }
        return out;
    }

    /**
     * The rules of the container chain: for each mapping of the family, the hairpin and localhost
     * mark rules (when {@code snat}) and the DNAT rule, in that order.
     *
     * @param config the configuration
     * @param container the container address with its prefix length
     * @return the rules
     */
    static List<List<String>> dnatRules(PortmapConfig config, IpPrefix container) {
        boolean ipv6 = !container.isIpv4();
        String setMark = config.externalSetMarkChain().orElse(SETMARK_CHAIN);
        List<List<String>> out = new ArrayList<>();
        for (Mapping m : config.mappings()) {
            if (!m.appliesTo(ipv6)) {
                continue;
            }
            List<String> base = new ArrayList<>(List.of("-p", m.protocol(), "--dport", Integer.toString(m.hostPort())));
            m.destination().ifPresent(d -> {
                base.add("-d");
                base.add(d);
            });
            if (config.snat()) {
                String source = config.masqAll() ? (ipv6 ? "::/0" : "0.0.0.0/0") : container.toString();
                out.add(concat(base, "-s", source, "-j", setMark));
                if (!ipv6 && !config.masqAll()) {
                    out.add(concat(base, "-s", "127.0.0.1", "-j", setMark));
                }
            }
            out.add(concat(base, "-j", "DNAT", "--to-destination", hostPort(container.address(), m.containerPort())));
        }
        return out;
    }

    /** Go's {@code fmtIPPort}: {@code ip:port}, IPv6 in brackets. */
    static String hostPort(InetAddress ip, int port) {
        return Ip.isIpv4(ip) ? Ip.format(ip) + ":" + port : "[" + Ip.format(ip) + "]:" + port;
    }

    private static List<String> concat(List<String> base, String... more) {
        List<String> r = new ArrayList<>(base);
        r.addAll(List.of(more));
        return List.copyOf(r);
    }

    /**
     * Go's {@code %s} of a rule list, for CHECK's messages: {@code [[-p tcp ...] [...]]}.
     *
     * @param rules the rules
     * @return the text
     */
    static String format(List<List<String>> rules) {
        StringBuilder sb = new StringBuilder("[");
        for (List<String> r : rules) {
            if (sb.length() > 1) {
                sb.append(' ');
            }
            sb.append('[').append(String.join(" ", r)).append(']');
        }
        return sb.append(']').toString();
    }

    /**
     * Reads the container id out of an entry rule's comment, for GC.
     *
     * @param network the network name
     * @param specLineWords an {@code iptables -S} line split into words
     * @return the container id when the rule is a portmap entry rule of this network whose chain
     *     name matches the id (so a cut comment or a foreign rule is never taken)
     */
    static Optional<String> containerIdOfEntry(String network, List<String> specLineWords) {
        int c = specLineWords.indexOf("--comment");
        int n = specLineWords.size();
        if (c < 0 || c + 1 >= n || n < 2 || !specLineWords.get(n - 2).equals("-j")) {
            return Optional.empty();
        }
        String comment = specLineWords.get(c + 1);
        String prefix = "dnat name: \"" + network + "\" id: \"";
        if (!comment.startsWith(prefix) || !comment.endsWith("\"")) {
            return Optional.empty();
        }
        String id = comment.substring(prefix.length(), comment.length() - 1);
        return specLineWords.get(n - 1).equals(dnatChain(network, id)) ? Optional.of(id) : Optional.empty();
    }
}
