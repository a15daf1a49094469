package dev.jcni.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: injects a fresh {@link TempNetns} into every test (or {@code @BeforeEach}) parameter of that
 * type, and removes it when the test ends, passed or failed. Each parameter gets its own namespace.
 *
 * <pre>{@code
 * @ExtendWith(NetnsExtension.class)
 * class MyPluginTest {
 *     @Test
 *     void addsEth0(TempNetns ns) {
 *         Result r = ns.harness(new MyPlugin()).run("ADD", CONFIG).result();
 *         assertEquals("eth0", r.interfaces().get(0).name());
 *     }
 * }
 * }</pre>
 * (compiled and run as it is here by the test kit's JavadocExamplesTest)
 *
 * Network namespaces need root: as another user the test is skipped with the reason, and with
 * {@code CI=true} it fails instead, so that nothing is silently skipped in CI.
 */
public final class NetnsExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace STORE = ExtensionContext.Namespace.create(NetnsExtension.class);

    /** Creates the extension (JUnit does, through {@code @ExtendWith}). */
    public NetnsExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TempNetns.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        requireRoot(context);
        TempNetns ns = TempNetns.create();
        context.getStore(STORE).put(ns.name(), new Removal(ns));
        return ns;
    }

    /**
     * Closed by JUnit when the test's context ends, whatever the outcome. AutoCloseable is what JUnit
     * 5.13+ closes (a CloseableResource that is not AutoCloseable gets a warning there); CloseableResource
     * is what older JUnit 5 closes. JUnit closes a value that is both once.
     */
    @SuppressWarnings("deprecation")
    record Removal(TempNetns ns) implements AutoCloseable, ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            ns.close();
        }
    }

    private static void requireRoot(ExtensionContext context) {
        if (isRoot()) {
            return;
        }
        String reason = context.getDisplayName() + ": a network namespace needs root";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(reason + " (CI=true: not skipped)");
        }
        Assumptions.abort(reason);
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (java.io.IOException e) {
            return false;
        }
        return false;
    }
}
