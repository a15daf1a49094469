package dev.jcni.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.internal.CliCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** {@code jcni conformance} is found through the CLI's ServiceLoader SPI; its usage errors. */
class ConformanceCommandTest {
    static CliCommand conformance() {
        List<CliCommand> all = ServiceLoader.load(CliCommand.class).stream().map(ServiceLoader.Provider::get).toList();
        return all.stream().filter(c -> c.name().equals("conformance")).findFirst()
                .orElseThrow(() -> new AssertionError("no conformance command among " + all));
    }

    @Test
    void usageErrorsExitTwoWithTheUsage() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = conformance().run(new String[] {"/bin/true"}, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("PLUGIN and CONFIG are required"), err.toString(StandardCharsets.UTF_8));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: jcni conformance"));
    }

    @Test
    void anExecutableThatIsNotThereIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = conformance().run(new String[] {"/nonexistent/plugin", "/dev/null"}, Map.of(), System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("/nonexistent/plugin is not an executable file"));
    }
}
