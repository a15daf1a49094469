package dev.jcni.plugins.firewallplugin;

import dev.jcni.plugins.firewall.Names;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;

/**
 * The firewall plugin's configuration (Go's {@code FirewallNetConf}).
 *
 * @param backend {@code backend} as given: {@code iptables}, {@code firewalld}; anything else (empty,
 *     {@code nftables}, a typo) means Go's automatic choice (firewalld when it runs, else iptables)
 * @param adminChain {@code iptablesAdminChainName}, {@code CNI-ADMIN} when not given
 * @param zone {@code firewalldZone}, {@code trusted} when not given
 * @param ingressPolicy {@code ingressPolicy}: {@code open} (also when empty), {@code same-bridge} or {@code isolated}
 */
public record FirewallConfig(String backend, String adminChain, String zone, String ingressPolicy) {

    /** Go's default admin chain. */
    public static final String DEFAULT_ADMIN_CHAIN = "CNI-ADMIN";
    /** Go's default firewalld zone. */
    public static final String DEFAULT_ZONE = "trusted";

    /** The JSON shape. */
    record Raw(String backend, String iptablesAdminChainName, String firewalldZone, String ingressPolicy) {
    }

    /** @return whether the ingress policy is Go's "open" (given as {@code open} or not given) */
    public boolean openIngress() {
        return ingressPolicy.isEmpty() || ingressPolicy.equals("open");
    }

    /**
     * Reads the configuration. Beyond Go, the admin chain's name and the ingress policy are checked
     * here, before anything is changed (Go finds a bad policy after the rules are in place and
     * leaves them there; a bad chain name fails inside iptables, after {@code CNI-FORWARD} is made).
     *
     * @param request the call
     * @return the configuration
     * @throws CniException code 6 for a value of the wrong JSON type ({@code failed to load netconf: ...}),
     *     code 7 for an invalid value
     */
    public static FirewallConfig load(Request request) {
        Raw raw;
        try {
            raw = request.config(Raw.class);
        } catch (CniException e) {
            throw new CniException(e.code(), "failed to load netconf: " + e.msg(), e.details(), e);
        }
        String admin = raw.iptablesAdminChainName().isEmpty() ? DEFAULT_ADMIN_CHAIN : raw.iptablesAdminChainName();
        String zone = raw.firewalldZone().isEmpty() ? DEFAULT_ZONE : raw.firewalldZone();
        FirewallConfig c = new FirewallConfig(raw.backend(), admin, zone, raw.ingressPolicy());
        checkChainName(admin);
        switch (c.ingressPolicy) {
            case "", "open", IngressPolicy.SAME_BRIDGE, IngressPolicy.ISOLATED -> { }
            default -> throw Errors.invalidConfig("unknown ingress policy: \"" + c.ingressPolicy + "\"");
        }
        return c;
    }

    /** iptables' own rules for a chain name: at most 28 bytes, no blank, not an option, not a target's name. */
    static void checkChainName(String name) {
        boolean bad = name.length() > Names.MAX_CHAIN_LENGTH || name.startsWith("-") || name.startsWith("!")
                || name.chars().anyMatch(ch -> ch <= ' ' || ch == '"' || ch == '\'' || ch >= 0x7f);
        bad |= java.util.Set.of("ACCEPT", "DROP", "RETURN", "QUEUE", IptablesBackend.FORWARD_CHAIN).contains(name);
        if (bad) {
            throw Errors.invalidConfig("invalid iptablesAdminChainName \"" + name + "\": a chain name of at most "
                    + Names.MAX_CHAIN_LENGTH + " printable characters, no blank or quote, not starting with - or !, "
                    + "not a built-in target nor CNI-FORWARD");
        }
    }
}
