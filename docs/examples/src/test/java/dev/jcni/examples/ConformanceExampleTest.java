package dev.jcni.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Result;
import dev.jcni.testkit.Conformance;
import dev.jcni.testkit.ConformanceReport;
import dev.jcni.testkit.ConformanceTests;
import dev.jcni.testkit.NetnsExtension;
import dev.jcni.testkit.TempNetns;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/** docs/testing.md, compiled: the namespace fixture and the conformance check on example plugins. */
@KernelTest
@ExtendWith(NetnsExtension.class)
class ConformanceExampleTest {
    static final String CONFIG = "{\"cniVersion\":\"1.1.0\",\"name\":\"example\",\"type\":\"noop\"}";

    // --8<-- [start:fixture]
    @Test
    void addRunsInATemporaryNamespace(TempNetns ns) {
        Result r = ns.harness(new NoopPlugin()).run("ADD", CONFIG).result();
        assertEquals(ns.path().toString(), r.interfaces().get(0).sandbox());
    }
    // --8<-- [end:fixture]

    // --8<-- [start:conformance]
    @TestFactory
    Stream<DynamicNode> noopPluginConforms() {
        return ConformanceTests.of(Conformance.of(new NoopPlugin()).config(CONFIG));
    }
    // --8<-- [end:conformance]

    /** The broken example: the report names exactly its two bugs, with what was seen. */
    @Test
    void leakyPluginIsCaught() {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"example\",\"type\":\"leaky\"}";
        ConformanceReport report = Conformance.of(new LeakyPlugin()).config(conf).versions(List.of("1.0.0")).run();
        assertEquals(List.of("nothing-left@1.0.0", "del-netns-gone"), report.brokenKeys(), report.toText());
        ConformanceReport.Finding leak = report.broken().get(0);
        assertEquals("left behind:\nin the namespace: link eth0 (bridge) down", leak.detail(), report.toText());
        String gone = report.broken().get(1).detail();
        assertTrue(gone.startsWith("failed: exit 1, stdout: {"), gone);
        assertTrue(gone.contains("\"code\": 999") || gone.contains("\"code\":999"), gone);
        assertTrue(report.toText().contains("BROKEN  DEL leaves nothing of ADD's in the namespace or on the host [1.0.0]   (nothing-left@1.0.0)"),
                report.toText());
    }
}
