package dev.jcni.plugins.portmap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.plugins.firewall.Nft;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The nftables backend with the semantics of the newest Go plugin (v1.9.0 and later): tables
 * {@code ip cni_hostport} and {@code ip6 cni_hostport}; every forwarding rule in {@code hostports},
 * reached through {@code hostports_all} from the {@code prerouting} and {@code output} hooks only for
 * local destinations ({@code fib daddr type local}); hairpin and localhost masquerading in
 * {@code masquerading}; every per-container rule commented with the container id, which is how DEL
 * finds them. One nft transaction per family and ADD.
 */
final class NftPortMapper implements PortMapper {
    static final String TABLE = "cni_hostport";
    static final String HOSTPORTS = "hostports";
    /** Used by Go 1.6 to 1.8 for mappings with a host address; kept (empty) for upgrades. */
    static final String HOSTIP_HOSTPORTS = "hostip_hostports";
    static final String HOSTPORTS_ALL = "hostports_all";
    static final String MASQUERADING = "masquerading";
    /** The chains that hold per-container rules. */
    static final List<String> CONTAINER_CHAINS = List.of(HOSTPORTS, HOSTIP_HOSTPORTS, MASQUERADING);

    static String family(boolean ipv6) {
        return ipv6 ? "ip6" : "ip";
    }

    /**
     * The ADD transaction for one container address (what Go's plugin sends through knftables,
     * numeric priorities included: nft 1.0.6 refuses {@code dstnat} on the output hook).
     *
     * @param config the configuration
     * @param containerId the container id
     * @param container the container address
     * @return the nft script
     */
    static String addScript(PortmapConfig config, String containerId, IpPrefix container) {
        boolean v6 = !container.isIpv4();
        String ipx = family(v6);
        String t = ipx + " " + TABLE;
        String comment = Nft.quote(containerId);
        String cip = Ip.format(container.address());
        String conditions = String.join(" ", config.conditions(v6));
        String jumpAll = (conditions.isEmpty() ? "" : conditions + " ") + "fib daddr type local jump " + HOSTPORTS_ALL;
        StringBuilder s = new StringBuilder();
        s.append("add table ").append(t).append(" { comment ").append(Nft.quote("CNI portmap plugin")).append(" ; }\n");
        s.append("add chain ").append(t).append(' ').append(HOSTPORTS).append('\n');
        s.append("add chain ").append(t).append(' ').append(HOSTIP_HOSTPORTS).append('\n');
        s.append("add chain ").append(t).append(' ').append(HOSTPORTS_ALL).append('\n');
        s.append("flush chain ").append(t).append(' ').append(HOSTPORTS_ALL).append('\n');
        s.append("add rule ").append(t).append(' ').append(HOSTPORTS_ALL).append(" jump ").append(HOSTIP_HOSTPORTS).append('\n');
        s.append("add rule ").append(t).append(' ').append(HOSTPORTS_ALL).append(" jump ").append(HOSTPORTS).append('\n');
        for (String hook : List.of("prerouting", "output")) {
            s.append("add chain ").append(t).append(' ').append(hook).append(" { type nat hook ").append(hook)
                    .append(" priority -100 ; }\n");
            s.append("flush chain ").append(t).append(' ').append(hook).append('\n');
            s.append("add rule ").append(t).append(' ').append(hook).append(' ').append(jumpAll).append('\n');
        }
        if (config.snat()) {
            s.append("add chain ").append(t).append(' ').append(MASQUERADING)
                    .append(" { type nat hook postrouting priority 100 ; }\n");
        }
        for (Mapping m : config.mappings()) {
            if (!m.appliesTo(v6)) {
                continue;
            }
            s.append("add rule ").append(t).append(' ').append(HOSTPORTS).append(' ');
            m.destination().ifPresent(d -> s.append(ipx).append(" daddr ").append(d).append(' '));
            s.append(m.protocol()).append(" dport ").append(m.hostPort()).append(" dnat to ")
                    .append(IptablesRules.hostPort(container.address(), m.containerPort()))
                    .append(" comment ").append(comment).append('\n');
        }
        if (config.snat()) {
            String source = config.masqAll() ? (v6 ? "::/0" : "0.0.0.0/0") : cip;
            s.append("add rule ").append(t).append(' ').append(MASQUERADING).append(' ').append(ipx).append(" saddr ")
                    .append(source).append(' ').append(ipx).append(" daddr ").append(cip).append(" masquerade comment ")
                    .append(comment).append('\n');
            if (!v6 && !config.masqAll()) {
                s.append("add rule ").append(t).append(' ').append(MASQUERADING).append(" ip saddr 127.0.0.1 ip daddr ")
                        .append(cip).append(" masquerade comment ").append(comment).append('\n');
            }
        }
        return s.toString();
    }

    private static Nft nft(String what) {
        return Nft.find().orElseThrow(() -> failure(what + "nft: executable file not found in $PATH"));
    }

    @Override
    public void forward(PortmapConfig config, String containerId, IpPrefix container) {
        String what = "unable to set up nftables rules for port mappings: ";
        try {
            nft(what).run(addScript(config, containerId, container));
        } catch (Nft.NftException e) {
            throw failure(what + e.getMessage());
        }
    }

    @Override
    public void check(PortmapConfig config, String containerId, IpPrefix container) {
        boolean v6 = !container.isIpv4();
        int hostPorts = 0;
        for (Mapping m : config.mappings()) {
            if (m.appliesTo(v6)) {
                hostPorts++;
            }
        }
        int masquerading = !config.snat() ? 0 : (!v6 && !config.masqAll() ? 2 : 1);
        List<Nft.ChainRule> rules;
        try {
            rules = nft("").listTableRules(family(v6), TABLE);
        } catch (Nft.NftException e) {
            throw failure(e.getMessage());
        }
        if (hostPorts > 0 && count(rules, HOSTPORTS, containerId) < hostPorts) {
            throw failure("missing hostport rules in \"" + HOSTPORTS + "\" chain");
        }
        if (masquerading > 0 && count(rules, MASQUERADING, containerId) < masquerading) {
            throw failure("missing hostport rules in \"" + MASQUERADING + "\" chain");
        }
    }

    private static int count(List<Nft.ChainRule> rules, String chain, String comment) {
        int n = 0;
        for (Nft.ChainRule r : rules) {
            if (r.chain().equals(chain) && r.comment().equals(comment)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void unforward(PortmapConfig config, String containerId) {
        Optional<Nft> nft = Nft.find();
        if (nft.isEmpty()) {
            return; // as Go: a family whose nft handle cannot be made is skipped
        }
        for (boolean v6 : new boolean[] {false, true}) {
            try {
                deleteRules(nft.get(), v6, containerId::equals, null);
            } catch (Nft.NftException e) {
                throw failure("error deleting nftables rules: " + e.getMessage());
            }
        }
    }

    @Override
    public Set<Integer> gc(String network, Set<String> validIds) {
        Set<Integer> udpPorts = new LinkedHashSet<>();
        Optional<Nft> nft = Nft.find();
        if (nft.isEmpty()) {
            return udpPorts;
        }
        List<String> errors = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            try {
                deleteRules(nft.get(), v6, id -> !id.isEmpty() && !validIds.contains(id), udpPorts);
            } catch (Nft.NftException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw failure("error deleting nftables rules: " + String.join("; ", errors));
        }
        return udpPorts;
    }

    /** Deletes, in one transaction, the per-container rules whose comment matches. */
    private static void deleteRules(Nft nft, boolean v6, Predicate<String> comment, Set<Integer> udpPorts) {
        StringBuilder s = new StringBuilder();
        for (Nft.ChainRule r : nft.listTableRules(family(v6), TABLE)) {
            if (CONTAINER_CHAINS.contains(r.chain()) && comment.test(r.comment())) {
                s.append("delete rule ").append(family(v6)).append(' ').append(TABLE).append(' ').append(r.chain())
                        .append(" handle ").append(r.handle()).append('\n');
                if (udpPorts != null) {
                    udpPort(r.expr()).ifPresent(udpPorts::add);
                }
            }
        }
        if (s.length() > 0) {
            nft.run(s.toString());
        }
    }

    /** The UDP destination port a rule matches ({@code udp dport N}), from nft's JSON. */
    static Optional<Integer> udpPort(JsonNode expr) {
        for (JsonNode e : expr) {
            JsonNode match = e.get("match");
            if (match == null) {
                continue;
            }
            JsonNode payload = match.path("left").path("payload");
            if (payload.path("protocol").asText().equals("udp") && payload.path("field").asText().equals("dport")
                    && match.path("right").isInt()) {
                return Optional.of(match.path("right").asInt());
            }
        }
        return Optional.empty();
    }

    static CniException failure(String msg) {
        return new CniException(ErrorCodes.INTERNAL, msg);
    }
}
