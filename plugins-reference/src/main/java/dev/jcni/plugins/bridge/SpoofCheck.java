package dev.jcni.plugins.bridge;

import dev.jcni.plugins.firewall.Exec;
import dev.jcni.plugins.firewall.Nft;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * MAC spoof checking ({@code macspoofchk: true}) with the same nftables objects as Go's
 * {@code pkg/link/spoofcheck.go}, so that either implementation removes the other's: table
 * {@code bridge nat}, base chain {@code PREROUTING} (filter, hook prerouting, priority -300, policy
 * accept), per attachment the chains {@code cni-br-iface-<id>} and {@code cni-br-iface-<id>-mac}
 * with {@code id = <containerID>-<ifname>}; rules
 * {@code PREROUTING: iifname "<host veth>" jump cni-br-iface-<id>},
 * {@code cni-br-iface-<id>: jump cni-br-iface-<id>-mac},
 * {@code cni-br-iface-<id>-mac: ether saddr <mac> return} and {@code drop}, every rule commented
 * {@code macspoofchk-<id>}.
 */
final class SpoofCheck {
    static final String FAMILY = "bridge";
    static final String TABLE = "nat";
    static final String BASE_CHAIN = "PREROUTING";

    private final String refId;

    SpoofCheck(String containerId, String ifName) {
        this.refId = containerId + "-" + ifName;
    }

    /**
     * The chains are named after the container id and the interface name, unquoted in the nft script
     * (nft's text syntax has no quoted chain names): an interface name the kernel accepts but that holds
     * a character of nft's syntax ({@code " # ; { }} and the like) would break the script. Such a name is
     * refused before anything is made. (Go's plugin writes its rules as JSON and accepts any name.)
     *
     * @param ifName the container's interface name
     * @throws CniException code 4 when the name holds a character other than letters, digits, {@code _ . -}
     */
    static void requireScriptSafe(String ifName) {
        if (!ifName.matches("[A-Za-z0-9_.\\-]+")) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, "macspoofchk: interface name " + GoText.quote(ifName)
                    + " cannot name an nftables chain (letters, digits, '_', '.' and '-' only)");
        }
    }

    String ifaceChain() {
        return "cni-br-iface-" + refId;
    }

    String macChain() {
        return ifaceChain() + "-mac";
    }

    String comment() {
        return "macspoofchk-" + refId;
    }

    private static Nft nft() {
        return Nft.find().orElseThrow(() -> new IllegalStateException("failed to setup spoof-check: nft not found in $PATH"));
    }

    /**
     * The setup script, one transaction.
     *
     * @param hostVeth the bridge port
     * @param mac the container's MAC
     * @return the nft script
     */
    String setupScript(String hostVeth, String mac) {
        String t = FAMILY + " " + TABLE;
        String c = " comment " + Nft.quote(comment()) + "\n";
        return "add table " + t + "\n"
                + "add chain " + t + " " + BASE_CHAIN + " { type filter hook prerouting priority -300 ; policy accept ; }\n"
                + "add chain " + t + " " + ifaceChain() + "\n"
                + "add chain " + t + " " + macChain() + "\n"
                + "flush chain " + t + " " + ifaceChain() + "\n"
                + "flush chain " + t + " " + macChain() + "\n"
                + "add rule " + t + " " + BASE_CHAIN + " iifname " + Nft.quote(hostVeth) + " jump " + ifaceChain() + c
                + "add rule " + t + " " + ifaceChain() + " jump " + macChain() + c
                + "add rule " + t + " " + macChain() + " ether saddr " + mac + " return" + c
                + "add rule " + t + " " + macChain() + " drop" + c;
    }

    /**
     * Installs the rules.
     *
     * @param hostVeth the bridge port
     * @param mac the container's MAC
     */
    void setup(String hostVeth, String mac) {
        try {
            nft().run(setupScript(hostVeth, mac));
        } catch (RuntimeException e) {
            throw new IllegalStateException("failed to setup spoof-check: " + e.getMessage(), e);
        }
    }

    /**
     * Removes the rules and chains of this attachment: the PREROUTING rules with its comment, then its
     * two chains. Needs neither the port nor the MAC. What is already gone is not an error.
     */
    void teardown() {
        Optional<Nft> n = Nft.find();
        if (n.isEmpty()) {
            return;
        }
        StringBuilder s = new StringBuilder();
        for (Nft.Rule r : n.get().listRules(FAMILY, TABLE, BASE_CHAIN)) {
            if (r.comment().equals(comment())) {
                s.append("delete rule ").append(FAMILY).append(' ').append(TABLE).append(' ').append(BASE_CHAIN)
                        .append(" handle ").append(r.handle()).append('\n');
            }
        }
        for (String chain : List.of(ifaceChain(), macChain())) {
            if (chainExists(n.get(), chain)) {
                s.append("flush chain ").append(FAMILY).append(' ').append(TABLE).append(' ').append(chain).append('\n');
            }
        }
        for (String chain : List.of(ifaceChain(), macChain())) {
            if (chainExists(n.get(), chain)) {
                s.append("delete chain ").append(FAMILY).append(' ').append(TABLE).append(' ').append(chain).append('\n');
            }
        }
        if (s.length() > 0) {
            try {
                n.get().run(s.toString());
            } catch (RuntimeException e) {
                throw new IllegalStateException("failed to teardown spoof-check: " + e.getMessage(), e);
            }
        }
    }

    private static boolean chainExists(Nft nft, String chain) {
        Optional<java.nio.file.Path> bin = Exec.find("nft");
        if (bin.isEmpty()) {
            return false;
        }
        try {
            return Exec.run(null, List.of(bin.get().toString(), "list", "chain", FAMILY, TABLE, chain)).ok();
        } catch (IOException e) {
            return false;
        }
    }
}
