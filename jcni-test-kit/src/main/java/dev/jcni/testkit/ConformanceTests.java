package dev.jcni.testkit;

import dev.jcni.testkit.ConformanceReport.Finding;
import dev.jcni.testkit.ConformanceReport.Status;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * A {@link Conformance} check as JUnit 5 dynamic tests: one test per finding, named by the rule.
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicNode> conformance() {
 *     return ConformanceTests.of(Conformance.of(new MyPlugin()).config(CONFIG));
 * }
 * }</pre>
 *
 * A broken rule fails its test with what the plugin did. A rule known to be broken (a plugin you do
 * not own, such as the Go reference plugins) can be expected: its test then passes only while the
 * rule stays broken, and a test {@code expected broken rules are exactly the broken ones} fails when
 * the set changes. A rule that does not apply passes, its name starting with "n/a". Needs root and
 * JUnit 5 on the class path (cni-sdk-netlink only declares it {@code provided}).
 */
public final class ConformanceTests {
    private ConformanceTests() {
    }

    /**
     * @param check the check to run
     * @return a container of one test per finding
     */
    public static Stream<DynamicNode> of(Conformance check) {
        return of(check, Set.of());
    }

    /**
     * @param check the check to run
     * @param expectedBroken keys of findings that are known to be broken ({@link Finding#key()})
     * @return a container of one test per finding, and one comparing the broken set with the expected
     */
    public static Stream<DynamicNode> of(Conformance check, Set<String> expectedBroken) {
        return of(check.run(), expectedBroken);
    }

    /**
     * The same for a report already made (to keep or print it as well).
     *
     * @param report what {@link Conformance#run()} found
     * @param expectedBroken keys of findings that are known to be broken ({@link Finding#key()})
     * @return a container of one test per finding, and one comparing the broken set with the expected
     */
    public static Stream<DynamicNode> of(ConformanceReport report, Set<String> expectedBroken) {
        String text = report.toText();
        List<DynamicNode> tests = new ArrayList<>();
        for (Finding f : report.findings()) {
            String name = (f.status() == Status.NOT_APPLICABLE ? "n/a: " : "") + f.title();
            boolean expected = expectedBroken.contains(f.key());
            tests.add(DynamicTest.dynamicTest(name + (expected ? " (expected broken)" : ""), () -> {
                if (f.status() == Status.BROKEN && !expected) {
                    Assertions.fail(f.key() + " broken: " + f.detail() + "\n\n" + text);
                }
                if (expected && f.status() != Status.BROKEN) {
                    Assertions.fail(f.key() + " was expected broken but " + f.status() + "\n\n" + text);
                }
            }));
        }
        if (!expectedBroken.isEmpty()) {
            tests.add(DynamicTest.dynamicTest("expected broken rules are exactly the broken ones", () ->
                    Assertions.assertEquals(new LinkedHashSet<>(expectedBroken), new LinkedHashSet<>(report.brokenKeys()), text)));
        }
        return Stream.of(DynamicContainer.dynamicContainer(report.target(), tests));
    }
}
