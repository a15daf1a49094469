package dev.jcni.plugins.conformance;

import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.testkit.Conformance;
import dev.jcni.testkit.ConformanceReport;
import dev.jcni.testkit.ConformanceTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;

/**
 * The conformance kit on a packaged plugin whose "host" is a namespace of the test: the kit runs a
 * wrapper that {@code ip netns exec}s the plugin there, so that what the plugin does to its host
 * (firewall rules, links) stays in that namespace.
 */
public final class InNamespace {
    private InNamespace() {
    }

    /**
     * @param host the namespace the plugin runs in
     * @param exe the plugin
     * @return the kit on the wrapper
     */
    public static Conformance of(TestNetns host, Path exe) throws IOException {
        Path wrapper = Files.createTempFile("jcni-conformance-" + exe.getFileName(), ".sh");
        wrapper.toFile().deleteOnExit();
        Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + host.name() + " " + exe + " \"$@\"\n");
        if (!wrapper.toFile().setExecutable(true)) {
            throw new IOException("cannot make " + wrapper + " executable");
        }
        return Conformance.of(wrapper);
    }

    /**
     * Runs the kit, keeps its report in target/conformance-reports/NAME.txt, and makes the tests.
     *
     * @param name the report's name
     * @param c the kit, configured
     * @param expectedBroken the rules the plugin is known to break
     * @return the tests
     */
    public static Stream<DynamicNode> check(String name, Conformance c, Set<String> expectedBroken) throws IOException {
        ConformanceReport report = c.run();
        Files.createDirectories(Path.of("target", "conformance-reports"));
        Files.writeString(Path.of("target", "conformance-reports", name + ".txt"), report.toText());
        return ConformanceTests.of(report, expectedBroken);
    }
}
