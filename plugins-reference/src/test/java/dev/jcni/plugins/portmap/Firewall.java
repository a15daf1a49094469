package dev.jcni.plugins.portmap;

import dev.jcni.plugins.firewall.SpecLines;
import dev.jcni.sdk.testsupport.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test-side view of the firewall (iptables -S, nft list), and the removal of a test's leftovers. */
final class Firewall {
    private Firewall() {
    }

    static String iptables(boolean v6) {
        return v6 ? "ip6tables" : "iptables";
    }

    /** @return {@code iptables -t nat -S} */
    static List<String> nat(boolean v6) {
        return List.of(Kernel.exec(iptables(v6), "-w", "-t", "nat", "-S").ok().split("\n"));
    }

    /** @return the lines of portmap's chains and of the rules that jump to them, in listing order */
    static List<String> portmapLines(boolean v6) {
        List<String> out = new ArrayList<>();
        for (String l : nat(v6)) {
            if (l.contains("CNI-HOSTPORT-") || l.contains("CNI-DN-") || l.contains("CNI-SN-")) {
                out.add(l);
            }
        }
        return out;
    }

    /** @return the iptables lines of one container: its chain, its rules, and the rules naming it */
    static List<String> containerLines(boolean v6, String network, String id) {
        String chain = IptablesRules.dnatChain(network, id);
        String old = IptablesRules.oldSnatChain(network, id);
        List<String> out = new ArrayList<>();
        for (String l : nat(v6)) {
            if (l.contains(chain) || l.contains(old) || l.contains("id: \\\"" + id + "\\\"")) {
                out.add(l);
            }
        }
        return out;
    }

    /** @return the lines of {@code nft -a list table ip|ip6 cni_hostport}, empty when there is no table */
    static List<String> nftTable(boolean v6) {
        Kernel.ExecResult r = Kernel.exec("nft", "-a", "list", "table", v6 ? "ip6" : "ip", NftPortMapper.TABLE);
        return r.exitCode() == 0 ? List.of(r.stdout().split("\n")) : List.of();
    }

    /** @return the nft rules commented with the container id */
    static List<String> nftContainerRules(boolean v6, String id) {
        List<String> out = new ArrayList<>();
        for (String l : nftTable(v6)) {
            if (l.contains("comment \"" + id + "\"")) {
                out.add(l.trim());
            }
        }
        return out;
    }

    /** @return every trace of the container in both families and backends (empty when it is gone) */
    static List<String> traces(String network, String id) {
        List<String> out = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            out.addAll(containerLines(v6, network, id));
            out.addAll(nftContainerRules(v6, id));
        }
        return out;
    }

    /** Removes a container's firewall state in both families and backends (test cleanup). */
    static void removeContainer(String network, String id) {
        for (boolean v6 : new boolean[] {false, true}) {
            for (String chain : List.of(IptablesRules.dnatChain(network, id), IptablesRules.oldSnatChain(network, id))) {
                for (String l : nat(v6)) {
                    List<String> w = SpecLines.split(l);
                    if (w.size() > 3 && w.get(0).equals("-A") && w.get(w.size() - 1).equals(chain)) {
                        List<String> cmd = new ArrayList<>(List.of(iptables(v6), "-w", "-t", "nat", "-D"));
                        cmd.addAll(w.subList(1, w.size()));
                        Kernel.exec(cmd.toArray(String[]::new));
                    }
                }
                Kernel.exec(iptables(v6), "-w", "-t", "nat", "-F", chain);
                Kernel.exec(iptables(v6), "-w", "-t", "nat", "-X", chain);
            }
            deleteNftRules(v6, "comment \"" + id + "\"");
        }
    }

    private static final Pattern CHAIN = Pattern.compile("^\\s*chain (\\S+) \\{");
    private static final Pattern HANDLE = Pattern.compile("# handle (\\d+)\\s*$");

    static void deleteNftRules(boolean v6, String marker) {
        String chain = null;
        StringBuilder s = new StringBuilder();
        for (String l : nftTable(v6)) {
            Matcher c = CHAIN.matcher(l);
            if (c.find()) {
                chain = c.group(1);
                continue;
            }
            Matcher h = HANDLE.matcher(l);
            if (chain != null && l.contains(marker) && h.find()) {
                s.append("delete rule ").append(v6 ? "ip6" : "ip").append(' ').append(NftPortMapper.TABLE).append(' ')
                        .append(chain).append(" handle ").append(h.group(1)).append('\n');
            }
        }
        if (s.length() > 0) {
            Kernel.execWithInput(s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8), "nft", "-f", "-");
        }
    }

    /** @return true when a chain exists in table nat */
    static boolean chainExists(boolean v6, String chain) {
        return Kernel.exec(iptables(v6), "-w", "-t", "nat", "-S", chain, "1").exitCode() == 0;
    }

    /** @return the rules of a chain ({@code -A} lines) */
    static List<String> rules(boolean v6, String chain) {
        List<String> out = new ArrayList<>();
        Kernel.ExecResult r = Kernel.exec(iptables(v6), "-w", "-t", "nat", "-S", chain);
        if (r.exitCode() == 0) {
            for (String l : r.stdout().split("\n")) {
                if (l.startsWith("-A ")) {
                    out.add(l);
                }
            }
        }
        return out;
    }

    static void deleteLine(boolean v6, String line) {
        List<String> w = SpecLines.split(line);
        List<String> cmd = new ArrayList<>(List.of(iptables(v6), "-w", "-t", "nat", "-D"));
        cmd.addAll(w.subList(1, w.size()));
        Kernel.exec(cmd.toArray(String[]::new));
    }
}
