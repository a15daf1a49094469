package dev.jcni.plugins.firewall;

import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * IP masquerading for the bridge and ptp plugins ({@code ipMasq: true}), with the iptables and
 * nftables backends of the Go plugins: same chain, table, rule and comment names, so that state made
 * by one implementation is removed by the other.
 *
 * <ul>
 *   <li>iptables: per address, table {@code nat}, chain {@code CNI-<hash(net+id)>} with
 *       {@code -d <subnet> -j ACCEPT} and {@code ! -d 224.0.0.0/4 -j MASQUERADE} (IPv6:
 *       {@code ff00::/8}), and in POSTROUTING {@code -s <ip> -j <chain>}, every rule commented
 *       {@code name: "<net>" id: "<id>"}.</li>
 *   <li>nftables: table {@code inet cni_plugins_masquerade}, chain {@code masq_checks} with one rule per
 *       address, {@code <ip|ip6> saddr == <ip> <ip|ip6> daddr != <subnet> masquerade}, commented with
 *       hashes of the network and of interface + container id; base chain {@code postrouting}.</li>
 * </ul>
 */
public final class IpMasq {
    private IpMasq() {
    }

    static final String NFT_TABLE = "cni_plugins_masquerade";
    static final String NFT_CHAIN = "masq_checks";
    static final int NFT_COMMENT_MAX = 128;

    /**
     * Sets up masquerading for addresses.
     *
     * @param backend {@code iptables}, {@code nftables}, or empty for Go's automatic choice (iptables
     *     unless only nftables works)
     * @param ips the container's addresses with their prefix (e.g. {@code 10.1.2.3/24})
     * @param network the network name
     * @param ifname the container interface
     * @param containerId the container id
     * @throws IllegalArgumentException {@code unknown ipmasq backend "x"}
     */
    public static void setup(Optional<String> backend, List<IpPrefix> ips, String network, String ifname, String containerId) {
        String b = backend.orElseGet(IpMasq::defaultBackend);
        switch (b) {
            case "iptables" -> setupIptables(ips, network, containerId);
            case "nftables" -> setupNftables(ips, network, ifname, containerId);
            default -> throw new IllegalArgumentException("unknown ipmasq backend \"" + b + "\"");
        }
    }

    /**
     * Go's automatic choice: iptables unless it is unusable and nftables is usable.
     *
     * @return {@code iptables} or {@code nftables}
     */
    public static String defaultBackend() {
        boolean ipt = iptablesUsable();
        if (!ipt && nftUsable()) {
            return "nftables";
        }
        return "iptables";
    }

    static boolean iptablesUsable() {
        return Iptables.find(false).map(Iptables::usable).orElse(false);
    }

    static boolean nftUsable() {
        return Nft.find().map(Nft::usable).orElse(false);
    }

    /**
     * Removes masquerading with both backends (the attachment may have been made by another version
     * or configuration). An error of a backend counts only when that backend works here.
     *
     * @param ips the container's addresses; when none are known (DEL without a netns) the iptables
     *     state is found by its chain name instead (nftables always finds its rules by comment)
     * @param network the network name
     * @param ifname the container interface
     * @param containerId the container id
     * @throws IllegalStateException with the errors, one per line
     */
    public static void teardown(List<IpPrefix> ips, String network, String ifname, String containerId) {
        List<String> errors = new ArrayList<>();
        try {
            if (ips.isEmpty()) {
                teardownIptablesByName(network, containerId);
            } else {
                teardownIptables(ips, network, containerId);
            }
        } catch (RuntimeException e) {
            if (iptablesUsable()) {
                errors.add(e.getMessage());
            }
        }
        try {
            teardownNftables(network, ifname, containerId);
        } catch (RuntimeException e) {
            if (nftUsable()) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(String.join("\n", errors));
        }
    }

    /**
     * Removes the masquerading of every attachment of a network that is not in the valid set, in both
     * backends. (Go has this for nftables only and does not call it.) The iptables chains carry no
     * network marker, so they are found through the POSTROUTING jumps, whose comment names the network
     * and the container id; iptables rules ignore the interface, so a container id with any valid
     * attachment keeps its rules.
     *
     * @param network the network name
     * @param valid the attachments still valid
     * @throws IllegalStateException with the errors, one per line
     */
    public static void gc(String network, List<Attachment> valid) {
        List<String> errors = new ArrayList<>();
        try {
            gcIptables(network, valid);
        } catch (RuntimeException e) {
            if (iptablesUsable()) {
                errors.add(e.getMessage());
            }
        }
        try {
            gcNftables(network, valid);
        } catch (RuntimeException e) {
            if (nftUsable()) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(String.join("\n", errors));
        }
    }

    // ------------------------------------------------------------------ iptables

    private static List<String> commentArgs(String comment) {
        return List.of("-m", "comment", "--comment", comment);
    }

    private static List<String> rule(List<String> match, String comment) {
        List<String> r = new ArrayList<>(match);
        r.addAll(commentArgs(comment));
        return r;
    }

    /**
     * Go's rules, in Go's order: per address an ACCEPT for its subnet, the MASQUERADE (once per chain:
     * Go appends it only when it is not there yet) and the POSTROUTING jump.
     */
    static void setupIptables(List<IpPrefix> ips, String network, String containerId) {
        String chain = Names.chainName(network, containerId);
        String comment = Names.comment(network, containerId);
        for (boolean v6 : new boolean[] {false, true}) {
            List<IpPrefix> family = ips.stream().filter(ip -> ip.isIpv4() != v6).toList();
            if (family.isEmpty()) {
                continue;
            }
            Iptables ipt = Iptables.require(v6);
            Set<List<String>> chainRules = new LinkedHashSet<>();
            List<List<String>> jumps = new ArrayList<>();
            for (IpPrefix ip : family) {
                chainRules.add(rule(List.of("-d", ip.toString(), "-j", "ACCEPT"), comment));
                chainRules.add(rule(List.of("!", "-d", v6 ? "ff00::/8" : "224.0.0.0/4", "-j", "MASQUERADE"), comment));
                jumps.add(rule(List.of("-s", Ip.format(ip.address()), "-j", chain), comment));
            }
            if (!ipt.chainExists("nat", chain)) {
                // the common case, a new attachment: no rule can exist without its chain, so one
                // iptables-restore transaction adds the chain and every rule (2 execs instead of 8)
                List<List<String>> commands = new ArrayList<>();
                commands.add(List.of("-N", chain));
                chainRules.forEach(r -> commands.add(command("-A", chain, r)));
                jumps.forEach(r -> commands.add(command("-A", "POSTROUTING", r)));
                try {
                    ipt.restore("nat", commands);
                    continue;
                } catch (Iptables.IptablesException e) {
                    fallingBack("ADD", e);
                }
                if (!ipt.chainExists("nat", chain)) {
                    ipt.newChain("nat", chain);
                }
            }
            // the chain exists (a repeated ADD, or a transaction that failed): Go's way, rule by rule
            chainRules.forEach(r -> ipt.appendUnique("nat", chain, r));
            jumps.forEach(r -> ipt.appendUnique("nat", "POSTROUTING", r));
        }
    }

    private static List<String> command(String op, String chain, List<String> rule) {
        List<String> c = new ArrayList<>(List.of(op, chain));
        c.addAll(rule);
        return c;
    }

    private static void fallingBack(String verb, Iptables.IptablesException e) {
        System.getLogger(IpMasq.class.getPackageName()).log(System.Logger.Level.WARNING, () -> "ipMasq " + verb
                + ": the iptables-restore transaction failed (" + e.getMessage() + "); going on one iptables command at a time");
    }

    static void teardownIptables(List<IpPrefix> ips, String network, String containerId) {
        List<String> errors = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            if (ips.stream().anyMatch(ip -> ip.isIpv4() != v6)) {
                try {
                    teardownIptables(Iptables.require(v6), Names.chainName(network, containerId));
                } catch (RuntimeException e) {
                    errors.add(e.getMessage());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(String.join("\n", errors));
        }
    }

    /**
     * Removes every POSTROUTING jump to an attachment's chain (the chain name hashes the network and
     * the container id, so every jump to it is the attachment's), then the chain: one
     * iptables-restore transaction, or command by command when the transaction fails.
     */
    private static void teardownIptables(Iptables ipt, String chain) {
        if (!ipt.chainExists("nat", chain)) {
            return; // no chain, so no rule can jump to it
        }
        List<List<String>> commands = new ArrayList<>();
        for (String line : ipt.listRules("nat", "POSTROUTING")) {
            List<String> words = new ArrayList<>(SpecLines.split(line));
            if (SpecLines.jumpsTo(words, chain)) {
                words.set(0, "-D");
                commands.add(words);
            }
        }
        commands.add(List.of("-F", chain));
        commands.add(List.of("-X", chain));
        try {
            ipt.restore("nat", commands);
        } catch (Iptables.IptablesException e) {
            fallingBack("DEL", e);
            ipt.deleteChainAndJumps("nat", chain, "POSTROUTING");
        }
    }

    /**
     * Removes an attachment's iptables state without knowing its addresses (DEL without a netns, GC):
     * every POSTROUTING jump to its chain, then the chain, in both families.
     *
     * @param network the network name
     * @param containerId the container id
     */
    public static void teardownIptablesByName(String network, String containerId) {
        String chain = Names.chainName(network, containerId);
        for (boolean v6 : new boolean[] {false, true}) {
            Optional<Iptables> ipt = Iptables.find(v6);
            if (ipt.isPresent()) {
                teardownIptables(ipt.get(), chain);
            }
        }
    }

    static void gcIptables(String network, List<Attachment> valid) {
        Set<String> validIds = new HashSet<>();
        for (Attachment a : valid) {
            validIds.add(a.containerId());
        }
        String prefix = "name: \"" + network + "\" id: \"";
        for (boolean v6 : new boolean[] {false, true}) {
            Optional<Iptables> ipt = Iptables.find(v6);
            if (ipt.isEmpty() || !ipt.get().usable()) {
                continue;
            }
            Set<String> stale = new HashSet<>();
            for (String line : ipt.get().listRules("nat", "POSTROUTING")) {
                List<String> words = SpecLines.split(line);
                int c = words.indexOf("--comment");
                if (c < 0 || c + 1 >= words.size()) {
                    continue;
                }
                String comment = words.get(c + 1);
                if (!comment.startsWith(prefix) || !comment.endsWith("\"")) {
                    continue;
                }
                String id = comment.substring(prefix.length(), comment.length() - 1);
                String chain = Names.chainName(network, id);
                if (!validIds.contains(id) && words.get(words.size() - 1).equals(chain)) {
                    stale.add(id);
                }
            }
            for (String id : stale) {
                teardownIptablesByName(network, id);
            }
        }
    }

    // ------------------------------------------------------------------ nftables

    static String networkHash(String network) {
        return Names.hashWithPrefix(16, "", network);
    }

    static String instanceHash(String network, String ifname, String containerId) {
        return networkHash(network) + "-" + Names.hashWithPrefix(16, "", ifname + ":" + containerId);
    }

    static String instanceComment(String network, String ifname, String containerId) {
        String c = instanceHash(network, ifname, containerId) + ", net: " + network.replace("\"", "") + ", if: "
                + ifname.replace("\"", "") + ", id: " + containerId.replace("\"", "");
        return c.length() > NFT_COMMENT_MAX ? c.substring(0, NFT_COMMENT_MAX) : c;
    }

    private static Nft nft() {
        return Nft.find().orElseThrow(() -> new IllegalStateException("nftables: nft not found in $PATH"));
    }

    static void setupNftables(List<IpPrefix> ips, String network, String ifname, String containerId) {
        Nft nft = nft();
        String t = "inet " + NFT_TABLE;
        String comment = instanceComment(network, ifname, containerId);
        StringBuilder s = new StringBuilder();
        s.append("add table ").append(t).append(" { comment ")
                .append(Nft.quote("Masquerading for plugins from github.com/containernetworking/plugins")).append(" ; }\n");
        s.append("add chain ").append(t).append(' ').append(NFT_CHAIN).append(" { comment ")
                .append(Nft.quote("Masquerade traffic from certain IPs to any (non-multicast) IP outside their subnet")).append(" ; }\n");
        s.append("add chain ").append(t).append(" postrouting { type nat hook postrouting priority srcnat ; }\n");
        s.append("flush chain ").append(t).append(" postrouting\n");
        s.append("add rule ").append(t).append(" postrouting ip daddr == 224.0.0.0/4 return\n");
        s.append("add rule ").append(t).append(" postrouting ip6 daddr == ff00::/8 return\n");
        s.append("add rule ").append(t).append(" postrouting goto ").append(NFT_CHAIN).append('\n');
        String hash = instanceHash(network, ifname, containerId);
        for (Nft.Rule r : nft.listRules("inet", NFT_TABLE, NFT_CHAIN)) {
            if (r.comment().startsWith(hash)) {
                s.append("delete rule ").append(t).append(' ').append(NFT_CHAIN).append(" handle ").append(r.handle()).append('\n');
            }
        }
        for (IpPrefix ip : ips) {
            String fam = ip.isIpv4() ? "ip" : "ip6";
            s.append("add rule ").append(t).append(' ').append(NFT_CHAIN).append(' ')
                    .append(fam).append(" saddr == ").append(Ip.format(ip.address())).append(' ')
                    .append(fam).append(" daddr != ").append(ip.network()).append(" masquerade comment ")
                    .append(Nft.quote(comment)).append('\n');
        }
        nft.run(s.toString());
    }

    static void teardownNftables(String network, String ifname, String containerId) {
        deleteNftRules(instanceHash(network, ifname, containerId), Set.of());
    }

    static void gcNftables(String network, List<Attachment> valid) {
        Set<String> keep = new HashSet<>();
        for (Attachment a : valid) {
            keep.add(instanceComment(network, a.ifname(), a.containerId()));
        }
        deleteNftRules(networkHash(network), keep);
    }

    private static void deleteNftRules(String commentPrefix, Set<String> keep) {
        Optional<Nft> nft = Nft.find();
        if (nft.isEmpty()) {
            throw new IllegalStateException("nftables: nft not found in $PATH");
        }
        StringBuilder s = new StringBuilder();
        for (Nft.Rule r : nft.get().listRules("inet", NFT_TABLE, NFT_CHAIN)) {
            if (r.comment().startsWith(commentPrefix) && !keep.contains(r.comment())) {
                s.append("delete rule inet ").append(NFT_TABLE).append(' ').append(NFT_CHAIN).append(" handle ")
                        .append(r.handle()).append('\n');
            }
        }
        if (s.length() > 0) {
            nft.get().run(s.toString());
        }
    }
}
