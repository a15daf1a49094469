package dev.jcni.plugins.firewallplugin;

import dev.jcni.plugins.PluginLock;
import dev.jcni.plugins.firewall.Iptables;
import dev.jcni.plugins.firewall.Iptables.IptablesException;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ingressPolicy} {@code same-bridge} and {@code isolated} (Go HEAD): iptables in either
 * backend, chains {@code CNI-ISOLATION-STAGE-1} (entered from the first rule of {@code FORWARD}) and
 * {@code CNI-ISOLATION-STAGE-2}, so that a bridge's containers receive no connection from another
 * bridge ({@code same-bridge}), nor from their own bridge either ({@code isolated}). The bridge is the
 * first interface of {@code prevResult}. The rules are per bridge, shared by its containers: DEL
 * keeps them, as Go does.
 */
final class IngressPolicy {
    private IngressPolicy() {
    }

    static final String SAME_BRIDGE = "same-bridge";
    static final String ISOLATED = "isolated";
    static final String STAGE1 = "CNI-ISOLATION-STAGE-1";
    static final String STAGE2 = "CNI-ISOLATION-STAGE-2";
    /** Go HEAD's comment of the shared rules (v1.1.1: {@code ... (ingressPolicy: same-bridge)}). */
    static final String DEFAULT_COMMENT = "CNI firewall plugin rules (ingressPolicy: same-bridge|isolated)";

    private static List<String> commented(List<String> rule, String comment) {
        List<String> r = new ArrayList<>(rule);
        r.addAll(List.of("-m", "comment", "--comment", comment));
        return r;
    }

    /** One rule to make: where, at the top or at the end, what. */
    record Step(String chain, boolean prepend, List<String> rule) {
    }

    /**
     * Go's rules for a bridge, in Go's order.
     *
     * @param bridge the bridge
     * @param isolated whether traffic within the bridge is dropped too
     * @return the steps
     */
    static List<Step> steps(String bridge, boolean isolated) {
        String policy = "CNI firewall plugin rules (ingressPolicy: " + (isolated ? ISOLATED : SAME_BRIDGE) + ")";
        List<Step> s = new ArrayList<>();
        s.add(new Step("FORWARD", true, commented(List.of("-j", STAGE1), DEFAULT_COMMENT)));
        s.add(new Step(STAGE1, true, commented(List.of("-i", bridge, "!", "-o", bridge, "-j", STAGE2), policy)));
        if (isolated) {
            s.add(new Step(STAGE1, true, commented(List.of("-i", bridge, "-o", bridge, "-j", "DROP"), policy)));
        }
        s.add(new Step(STAGE1, false, commented(List.of("-j", "RETURN"), DEFAULT_COMMENT)));
        s.add(new Step(STAGE2, true, commented(List.of("-o", bridge, "-j", "DROP"), DEFAULT_COMMENT)));
        s.add(new Step(STAGE2, false, commented(List.of("-j", "RETURN"), DEFAULT_COMMENT)));
        return s;
    }

    /**
     * ADD's part: makes the bridge's rules in each family of the container's addresses.
     *
     * @param conf the configuration
     * @param prev the previous result
     */
    static void setup(FirewallConfig conf, Result prev) {
        if (conf.openIngress()) {
            return;
        }
        if (prev.interfaces().isEmpty()) {
            throw Errors.internal("interface needs to be set for ingress policy \"" + conf.ingressPolicy()
                    + "\", make sure to chain \"firewall\" plugin with \"bridge\"");
        }
        Interface bridge = prev.interfaces().get(0);
        if (bridge.name().isEmpty()) {
            throw Errors.internal("got empty bridge name");
        }
        List<Step> steps = steps(bridge.name(), conf.ingressPolicy().equals(ISOLATED));
        for (boolean v6 : new boolean[] {false, true}) {
            if (prev.ips().stream().noneMatch(ip -> ip.isIpv4() != v6)) {
                continue;
            }
            try (PluginLock lock = PluginLock.acquire(IptablesBackend.LOCK_FILE)) {
                Iptables ipt = Iptables.require(v6);
                ipt.ensureChain(IptablesBackend.FILTER, STAGE1);
                ipt.ensureChain(IptablesBackend.FILTER, STAGE2);
                for (Step st : steps) {
                    if (st.prepend()) {
                        ipt.insertUnique(IptablesBackend.FILTER, st.chain(), 1, st.rule());
                    } else {
                        ipt.appendUnique(IptablesBackend.FILTER, st.chain(), st.rule());
                    }
                }
            } catch (IptablesException e) {
                throw Errors.internal(e.getMessage(), e);
            }
        }
    }
}
