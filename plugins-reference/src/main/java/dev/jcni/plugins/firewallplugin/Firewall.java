package dev.jcni.plugins.firewallplugin;

import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.ip.Rollback;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The firewall plugin, a drop-in for Go's chained {@code firewall}: lets the container's addresses
 * of {@code prevResult} through the host's forwarding (iptables' {@code CNI-FORWARD} and admin
 * chains, or a firewalld zone) and applies {@code ingressPolicy}; passes {@code prevResult} on
 * unchanged. See docs/firewall.md.
 */
public final class Firewall implements Plugin {
    private final BooleanSupplier firewalldRunning;
    private final Consumer<String> faults;

    /** Public no-arg constructor for the launcher and the training run. */
    public Firewall() {
        this(Firewalld::running, Rollback.NO_FAULTS);
    }

    /**
     * @param firewalldRunning the automatic choice's probe
     * @param faults failure injection for tests: {@code iptables-v4}, {@code iptables-v6} (after a family's
     *     rules), {@code backend} (after the backend's ADD); see {@link Rollback#step}
     */
    Firewall(BooleanSupplier firewalldRunning, Consumer<String> faults) {
        this.firewalldRunning = firewalldRunning;
        this.faults = faults;
    }

    /** @param args ignored */
    public static void main(String[] args) {
        PluginMain.run(new Firewall());
    }

    @Override
    public String about() {
        return PluginVersion.about("firewall");
    }

    /** As Go: configurations of 0.4.0 and later. */
    @Override
    public PluginInfo versionInfo() {
        return PluginInfo.of("0.4.0", "1.0.0", "1.1.0");
    }

    /**
     * Go's choice: {@code iptables} and {@code firewalld} as named; anything else (not given,
     * {@code nftables}, which Go does not have) firewalld when it runs, else iptables.
     */
    private Backend backend(FirewallConfig conf) {
        boolean firewalld = switch (conf.backend()) {
            case "iptables" -> false;
            case "firewalld" -> true;
            default -> firewalldRunning.getAsBoolean();
        };
        if (!firewalld) {
            return new IptablesBackend();
        }
        return Firewalld.find().<Backend>map(f -> f).orElseThrow(() -> new CniException(ErrorCodes.INTERNAL,
                "the firewalld backend needs dbus-send (package dbus), which is not in $PATH"));
    }

    private static Result requirePrev(Request request) {
        return request.prevResult().orElseThrow(
                () -> new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "missing prevResult from earlier plugin"));
    }

    /** ADD: the backend's rules, then the ingress policy; a failure removes the container's rules again. */
    @Override
    public Result add(Request request) {
        FirewallConfig conf = FirewallConfig.load(request);
        Result prev = requirePrev(request);
        return Rollback.run(request.logger(), faults, rollback -> {
            backend(conf).add(conf, prev, rollback);
            rollback.step("backend");
            IngressPolicy.setup(conf, prev);
            return prev;
        });
    }

    /** DEL: the container's rules only (none when there is no prevResult); shared chains stay. */
    @Override
    public void del(Request request) {
        FirewallConfig conf = FirewallConfig.load(request);
        Result prev = request.prevResult().orElse(Result.empty());
        backend(conf).del(conf, prev);
    }

    @Override
    public void check(Request request) {
        FirewallConfig conf = FirewallConfig.load(request);
        Result prev = requirePrev(request);
        backend(conf).check(conf, prev);
    }
}
