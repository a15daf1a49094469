package dev.jcni.plugins.firewallplugin;

import dev.jcni.plugins.PluginLock;
import dev.jcni.plugins.firewall.Iptables;
import dev.jcni.plugins.firewall.Iptables.IptablesException;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.plugins.ip.Rollback;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The iptables backend, with Go's chains, rules and comments (table {@code filter}, both families):
 * the shared chain {@code CNI-FORWARD}, entered from the first rule of {@code FORWARD}; its first
 * rule jumps to the admin chain ({@code CNI-ADMIN} or {@code iptablesAdminChainName}), where an
 * operator's own rules (a DROP, say) come before the plugin's; then per container address a
 * {@code -s <ip> -j ACCEPT} and a {@code -d <ip> -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT}.
 * The shared chains and jumps stay when the last container goes, as with Go.
 */
final class IptablesBackend implements Backend {
    /** Go's private chain. */
    static final String FORWARD_CHAIN = "CNI-FORWARD";
    static final String FILTER = "filter";
    /** Serialises the shared chains' set-up between concurrent calls (iptables -N fails for the second). */
    static final Path LOCK_FILE = Path.of("/run/jcni/firewall.lock");

    /** @return Go's jump from FORWARD to CNI-FORWARD */
    static List<String> forwardJump() {
        return List.of("-m", "comment", "--comment", "CNI firewall plugin rules", "-j", FORWARD_CHAIN);
    }

    /**
     * @param adminChain the admin chain
     * @return Go's jump from CNI-FORWARD to the admin chain
     */
    static List<String> adminJump(String adminChain) {
        return List.of("-m", "comment", "--comment", "CNI firewall plugin admin overrides", "-j", adminChain);
    }

    /**
     * @param ip a container address
     * @return Go's two rules for it, in Go's order
     */
    static List<List<String>> containerRules(IpConfig ip) {
        String host = Ip.format(ip.address().address()) + (ip.isIpv4() ? "/32" : "/128");
        return List.of(List.of("-d", host, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
                List.of("-s", host, "-j", "ACCEPT"));
    }

    /** @return the rules of one family's addresses, in Go's order */
    static List<List<String>> rules(Result prev, boolean v6) {
        List<List<String>> out = new ArrayList<>();
        for (IpConfig ip : prev.ips()) {
            if (ip.isIpv4() != v6) {
                out.addAll(containerRules(ip));
            }
        }
        return out;
    }

    /** Go's {@code %v} of a rule: {@code [a b c]}. */
    static String show(List<String> rule) {
        return "[" + String.join(" ", rule) + "]";
    }

    private static Iptables tool(boolean v6) {
        try {
            return Iptables.require(v6);
        } catch (IptablesException e) {
            throw Errors.internal("could not initialize iptables protocol " + (v6 ? 1 : 0) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void add(FirewallConfig conf, Result prev, Rollback rollback) {
        for (boolean v6 : new boolean[] {false, true}) {
            List<List<String>> rules = rules(prev, v6);
            if (rules.isEmpty()) {
                continue;
            }
            Iptables ipt = tool(v6);
            rollback.made("the " + (v6 ? "ip6tables" : "iptables") + " rules of the container", () -> deleteRules(ipt, rules));
            try (PluginLock lock = PluginLock.acquire(LOCK_FILE)) {
                ipt.ensureChain(FILTER, FORWARD_CHAIN);
                ipt.ensureChain(FILTER, conf.adminChain());
                ipt.insertUnique(FILTER, "FORWARD", 1, forwardJump());
                ipt.insertUnique(FILTER, FORWARD_CHAIN, 1, adminJump(conf.adminChain()));
                for (List<String> r : rules) {
                    ipt.appendUnique(FILTER, FORWARD_CHAIN, r);
                }
            } catch (IptablesException e) {
                throw Errors.internal(e.getMessage(), e);
            }
            rollback.step(v6 ? "iptables-v6" : "iptables-v4");
        }
    }

    private static void deleteRules(Iptables ipt, List<List<String>> rules) {
        for (List<String> r : rules) {
            ipt.deleteIfExists(FILTER, FORWARD_CHAIN, r);
        }
    }

    /** Removes the container's rules only; a family whose tool is not installed has none to remove. */
    @Override
    public void del(FirewallConfig conf, Result prev) {
        List<String> errors = new ArrayList<>();
        for (boolean v6 : new boolean[] {false, true}) {
            List<List<String>> rules = rules(prev, v6);
            if (rules.isEmpty()) {
                continue;
            }
            var ipt = Iptables.find(v6);
            if (ipt.isEmpty()) {
                continue;
            }
            try {
                deleteRules(ipt.get(), rules);
            } catch (IptablesException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw Errors.internal(String.join("; ", errors));
        }
    }

    @Override
    public void check(FirewallConfig conf, Result prev) {
        for (boolean v6 : new boolean[] {false, true}) {
            List<List<String>> rules = rules(prev, v6);
            if (rules.isEmpty()) {
                continue;
            }
            Iptables ipt = tool(v6);
            try {
                for (String chain : List.of(FORWARD_CHAIN, conf.adminChain())) {
                    if (!ipt.chainExists(FILTER, chain)) {
                        throw Errors.internal("expected chain " + chain + " not found in table " + FILTER);
                    }
                }
                if (!ipt.exists(FILTER, "FORWARD", forwardJump())) {
                    throw Errors.internal("expected FORWARD rule " + show(forwardJump()) + " not found");
                }
                if (!ipt.exists(FILTER, FORWARD_CHAIN, adminJump(conf.adminChain()))) {
                    throw Errors.internal("expected " + FORWARD_CHAIN + " rule " + show(adminJump(conf.adminChain())) + " not found");
                }
                for (List<String> r : rules) {
                    if (!ipt.exists(FILTER, FORWARD_CHAIN, r)) {
                        throw Errors.internal("expected rule " + show(r) + " not found");
                    }
                }
            } catch (IptablesException e) {
                throw Errors.internal(e.getMessage(), e);
            }
        }
    }
}
