package dev.jcni.plugins.bridge;

import dev.jcni.plugins.ip.RollbackContract;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.testsupport.KernelTest;
import java.util.List;
import java.util.function.Consumer;

/**
 * bridge's failed ADD leaves no veth, bridge port, container address or route, masquerade or
 * spoof-check rule, nor IPAM reservation; the bridge and its gateway address stay, as after a DEL.
 */
@KernelTest
class BridgeRollbackIT extends RollbackContract {
    static List<String> points() {
        return List.of("bridge", "veth", "port", "spoofcheck", "ipam", "configure", "masq", "port-up", "result");
    }

    @Override
    protected Plugin plugin(Consumer<String> faults) {
        return new Bridge(faults);
    }

    @Override
    protected String conf() {
        return f.conf("1.0.0", "bridge", "\"isGateway\":true,\"ipMasq\":true,\"macspoofchk\":true", f.ipam4());
    }
}
