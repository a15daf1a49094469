package dev.jcni.plugins.firewallplugin;

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
 * The conformance kit on the packaged firewall and on Go's, each run inside a namespace of the test
 * ({@link InNamespace}), so that the host's firewall is never touched.
 */
@KernelTest
class FirewallConformanceIT {
    private final FwRig rig = new FwRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private String conf(String version) {
        return rig.conf(version, "", FwRig.prev("br0", rig.v4(2) + "/24", rig.v6(2) + "/64"));
    }

    @TestFactory
    Stream<DynamicNode> jcniFirewall() throws IOException {
        return InNamespace.check("jcniFirewall", InNamespace.of(rig.netns(), FwRig.Impl.JCNI.exe()).config(conf("1.1.0")), Set.of());
    }

    /**
     * Go's errors carry no cniVersion (as the four's); its VERSION answer (1.0.0, its newest) equals the
     * input's here, so unlike the four it does not break version-echoes-input with this configuration.
     */
    @TestFactory
    Stream<DynamicNode> goFirewall() throws IOException {
        Kernel.assumeGoPlugins();
        return InNamespace.check("goFirewall", InNamespace.of(rig.netns(), FwRig.GO).config(conf("1.0.0")), Set.of("error-fields"));
    }
}
