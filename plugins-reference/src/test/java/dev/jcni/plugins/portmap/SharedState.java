package dev.jcni.plugins.portmap;

import dev.jcni.sdk.testsupport.Kernel;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The shared portmap state (iptables {@code CNI-HOSTPORT-*} chains per family, nft tables
 * {@code ip/ip6 cni_hostport}) that existed before a test: {@link #restore()} removes what the test
 * created, and only when no container uses it any more.
 */
final class SharedState {
    private final Set<String> before;

    private SharedState(Set<String> before) {
        this.before = before;
    }

    static SharedState capture() {
        Set<String> s = new HashSet<>();
        for (boolean v6 : new boolean[] {false, true}) {
            for (String chain : List.of(IptablesRules.TOP_DNAT_CHAIN, IptablesRules.SETMARK_CHAIN, IptablesRules.MASQ_CHAIN)) {
                if (Firewall.chainExists(v6, chain)) {
                    s.add(Firewall.iptables(v6) + " " + chain);
                }
            }
            if (!Firewall.nftTable(v6).isEmpty()) {
                s.add("nft " + v6);
            }
        }
        return new SharedState(s);
    }

    /**
     * Removes what the test created and nobody uses, retrying a few times (another process may change
     * the nat table at the same moment), and fails when something it should remove stays.
     */
    void restore() {
        List<String> left = List.of();
        for (int attempt = 0; attempt < 5; attempt++) {
            restoreOnce();
            left = leftOver();
            if (left.isEmpty()) {
                return;
            }
        }
        throw new AssertionError("shared portmap state the test made could not be removed: " + left);
    }

    /** What the test created, is unused, and still exists. */
    private List<String> leftOver() {
        List<String> out = new java.util.ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            String ipt = Firewall.iptables(v6);
            String dnat = IptablesRules.TOP_DNAT_CHAIN;
            if (!before.contains(ipt + " " + dnat) && Firewall.chainExists(v6, dnat) && Firewall.rules(v6, dnat).isEmpty()) {
                out.add(ipt + " " + dnat);
            }
            if (!markUsed(v6)) {
                for (String c : List.of(IptablesRules.MASQ_CHAIN, IptablesRules.SETMARK_CHAIN)) {
                    if (!before.contains(ipt + " " + c) && Firewall.chainExists(v6, c)) {
                        out.add(ipt + " " + c);
                    }
                }
            }
            if (!before.contains("nft " + v6) && !Firewall.nftTable(v6).isEmpty() && !hasContainerRules(v6)) {
                out.add("nft table " + (v6 ? "ip6" : "ip"));
            }
        }
        return out;
    }

    private static boolean markUsed(boolean v6) {
        for (String l : Firewall.nat(v6)) {
            if (l.startsWith("-A CNI-DN-") && l.contains("-j " + IptablesRules.SETMARK_CHAIN)) {
                return true;
            }
        }
        return false;
    }

    private void restoreOnce() {
        for (boolean v6 : new boolean[] {false, true}) {
            String ipt = Firewall.iptables(v6);
            String dnat = IptablesRules.TOP_DNAT_CHAIN;
            if (!before.contains(ipt + " " + dnat) && Firewall.chainExists(v6, dnat) && Firewall.rules(v6, dnat).isEmpty()) {
                for (String entry : IptablesRules.TOP_DNAT_ENTRY_CHAINS) {
                    for (String l : Firewall.rules(v6, entry)) {
                        if (l.endsWith("-j " + dnat)) {
                            Firewall.deleteLine(v6, l);
                        }
                    }
                }
                Kernel.exec(ipt, "-w", "-t", "nat", "-X", dnat);
            }
            boolean markUsed = markUsed(v6);
            String masq = IptablesRules.MASQ_CHAIN;
            if (!markUsed && !before.contains(ipt + " " + masq) && Firewall.chainExists(v6, masq)) {
                for (String l : Firewall.rules(v6, "POSTROUTING")) {
                    if (l.endsWith("-j " + masq)) {
                        Firewall.deleteLine(v6, l);
                    }
                }
                Kernel.exec(ipt, "-w", "-t", "nat", "-F", masq);
                Kernel.exec(ipt, "-w", "-t", "nat", "-X", masq);
            }
            String mark = IptablesRules.SETMARK_CHAIN;
            if (!markUsed && !before.contains(ipt + " " + mark) && Firewall.chainExists(v6, mark)) {
                Kernel.exec(ipt, "-w", "-t", "nat", "-F", mark);
                Kernel.exec(ipt, "-w", "-t", "nat", "-X", mark);
            }
            if (!before.contains("nft " + v6) && !Firewall.nftTable(v6).isEmpty() && !hasContainerRules(v6)) {
                Kernel.exec("nft", "delete", "table", v6 ? "ip6" : "ip", NftPortMapper.TABLE);
            }
        }
    }

    private static boolean hasContainerRules(boolean v6) {
        for (String l : Firewall.nftTable(v6)) {
            if (l.contains(" comment \"") && !l.contains("CNI portmap plugin")) {
                return true;
            }
        }
        return false;
    }
}
