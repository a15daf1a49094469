package dev.jcni.plugins.macvlan;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.conformance.InNamespace;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import java.io.IOException;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance kit on the packaged macvlan and on Go's, each run ({@link InNamespace}) in a host
 * namespace of the test whose master is a veth end of the test. Each gets its own host-local: jcni's
 * (Go's v1.1.1 does not speak 1.1.0) and Go's.
 */
@KernelTest
class MacvlanConformanceIT {
    private final MvRig rig = new MvRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @TestFactory
    Stream<DynamicNode> jcniMacvlan() throws IOException {
        return InNamespace.check("jcniMacvlan", InNamespace.of(rig.host, Dist.exe("macvlan")).cniPath(Dist.bin().toString())
                .config(rig.conf("1.1.0", "\"master\":\"m0\"", rig.ipam(false))), Set.of());
    }

    /** Go's VERSION answers 1.0.0 whatever the input, and its errors carry no cniVersion (as the four's). */
    @TestFactory
    Stream<DynamicNode> goMacvlan() throws IOException {
        Kernel.assumeGoPlugins();
        return InNamespace.check("goMacvlan", InNamespace.of(rig.host, Kernel.GO_PLUGINS.resolve("macvlan"))
                .cniPath(Kernel.GO_PLUGINS.toString()).config(rig.conf("0.4.0", "\"master\":\"m0\"", rig.ipam(false))),
                Set.of("version-echoes-input", "error-fields"));
    }
}
