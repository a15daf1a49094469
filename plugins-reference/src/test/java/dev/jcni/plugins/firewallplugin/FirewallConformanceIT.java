package dev.jcni.plugins.firewallplugin;

import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.testkit.Conformance;
import dev.jcni.testkit.ConformanceReport;
import dev.jcni.testkit.ConformanceTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance kit on the packaged firewall and on Go's, each run inside a namespace of the test
 * (through a wrapper that {@code ip netns exec}s it), so that the host's firewall is never touched.
 */
@KernelTest
class FirewallConformanceIT {
    private final FwRig rig = new FwRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private Conformance inNamespace(Path exe) throws IOException {
        TestNetns host = rig.netns();
        Path wrapper = Files.createTempFile("jcni-fw-conformance", ".sh");
        wrapper.toFile().deleteOnExit();
        Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + host.name() + " " + exe + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        return Conformance.of(wrapper);
    }

    private String conf(String version) {
        return rig.conf(version, "", FwRig.prev("br0", rig.v4(2) + "/24", rig.v6(2) + "/64"));
    }

    private static Stream<DynamicNode> check(String name, Conformance c, Set<String> expectedBroken) throws IOException {
        ConformanceReport report = c.run();
        Files.createDirectories(Path.of("target", "conformance-reports"));
        Files.writeString(Path.of("target", "conformance-reports", name + ".txt"), report.toText());
        return ConformanceTests.of(report, expectedBroken);
    }

    @TestFactory
    Stream<DynamicNode> jcniFirewall() throws IOException {
        return check("jcniFirewall", inNamespace(FwRig.Impl.JCNI.exe()).config(conf("1.1.0")), Set.of());
    }

    /**
     * Go's errors carry no cniVersion (as the four's); its VERSION answer (1.0.0, its newest) equals the
     * input's here, so unlike the four it does not break version-echoes-input with this configuration.
     */
    @TestFactory
    Stream<DynamicNode> goFirewall() throws IOException {
        Kernel.assumeGoPlugins();
        return check("goFirewall", inNamespace(FwRig.GO).config(conf("1.0.0")), Set.of("error-fields"));
    }
}
