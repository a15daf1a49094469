package dev.jcni.plugins.macvlan;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
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
 * The conformance kit on the packaged macvlan and on Go's, each run (through a wrapper that
 * {@code ip netns exec}s it) in a host namespace of the test whose master is a veth end of the test.
 */
@KernelTest
class MacvlanConformanceIT {
    private final MvRig rig = new MvRig();

    @AfterEach
    void tearDown() {
        rig.close();
    }

    /** @param cniPath where its host-local is: jcni's own for jcni (Go's v1.1.1 does not speak 1.1.0), Go's for Go */
    private Conformance inHost(Path exe, Path cniPath) throws IOException {
        Path wrapper = Files.createTempFile("jcni-mv-conformance", ".sh");
        wrapper.toFile().deleteOnExit();
        Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + rig.host.name() + " " + exe + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        return Conformance.of(wrapper).cniPath(cniPath.toString());
    }

    private static Stream<DynamicNode> check(String name, Conformance c, Set<String> expectedBroken) throws IOException {
        ConformanceReport report = c.run();
        Files.createDirectories(Path.of("target", "conformance-reports"));
        Files.writeString(Path.of("target", "conformance-reports", name + ".txt"), report.toText());
        return ConformanceTests.of(report, expectedBroken);
    }

    @TestFactory
    Stream<DynamicNode> jcniMacvlan() throws IOException {
        return check("jcniMacvlan", inHost(Dist.exe("macvlan"), Dist.bin()).config(rig.conf("1.1.0", "\"master\":\"m0\"", rig.ipam(false))), Set.of());
    }

    /** Go's VERSION answers 1.0.0 whatever the input, and its errors carry no cniVersion (as the four's). */
    @TestFactory
    Stream<DynamicNode> goMacvlan() throws IOException {
        Kernel.assumeGoPlugins();
        return check("goMacvlan", inHost(Kernel.GO_PLUGINS.resolve("macvlan"), Kernel.GO_PLUGINS).config(rig.conf("0.4.0", "\"master\":\"m0\"", rig.ipam(false))),
                Set.of("version-echoes-input", "error-fields"));
    }
}
