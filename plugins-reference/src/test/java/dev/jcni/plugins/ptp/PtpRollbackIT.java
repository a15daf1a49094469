package dev.jcni.plugins.ptp;

import dev.jcni.plugins.ip.RollbackContract;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.testsupport.KernelTest;
import java.util.List;
import java.util.function.Consumer;

/** ptp's failed ADD leaves no veth, no address or route on either side, no masquerade rule, no IPAM reservation. */
@KernelTest
class PtpRollbackIT extends RollbackContract {
    static List<String> points() {
        return List.of("ipam", "veth", "configure", "container-routes", "host-side", "masq", "result");
    }

    @Override
    protected Plugin plugin(Consumer<String> faults) {
        return new Ptp(faults);
    }

    @Override
    protected String conf() {
        return f.conf("1.0.0", "ptp", "\"ipMasq\":true", f.ipam4());
    }
}
