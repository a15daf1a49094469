package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonOptionsTest {

    @Test
    void options() {
        Daemon.Options o = Daemon.parse(new String[] {"--dist", "/x/lib/jcni-dist.properties", "--socket", "/run/t.sock",
            "--max-calls", "3", "--max-sessions", "2", "--turn-timeout", "7", "--drain-timeout", "5"});
        assertEquals(Path.of("/x/lib/jcni-dist.properties"), o.distFile());
        assertEquals(Optional.of(Path.of("/run/t.sock")), o.socket());
        assertEquals(3, o.maxCalls());
        assertEquals(3, o.maxSessions(), "never fewer connections than calls");
        assertEquals(Duration.ofSeconds(5), o.drainTimeout());
        assertEquals(Duration.ofSeconds(7), o.turnTimeout());
        assertEquals(Duration.ofSeconds(10), Daemon.parse(new String[] {"--dist", "d"}).turnTimeout());
        assertThrows(IllegalArgumentException.class, () -> Daemon.parse(new String[] {}));
        System.setProperty(Daemon.DIST_LIB_PROPERTY, "/opt/cni/bin/jcni-lib/reference/abc");
        try {
            assertEquals(Path.of("/opt/cni/bin/jcni-lib/reference/abc/jcni-dist.properties"), Daemon.parse(new String[] {}).distFile());
        } finally {
            System.clearProperty(Daemon.DIST_LIB_PROPERTY);
        }
        assertThrows(IllegalArgumentException.class, () -> Daemon.parse(new String[] {"--dist"}));
        assertThrows(IllegalArgumentException.class, () -> Daemon.parse(new String[] {"--dist", "d", "--max-calls", "0"}));
        assertThrows(IllegalArgumentException.class, () -> Daemon.parse(new String[] {"--dist", "d", "--what"}));
    }

    @Test
    void usageErrorsExitTwoThroughTheCli() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Daemon.run(new String[] {"--socket", "/x"}, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--dist is required"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theDistFile(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("jcni-dist.properties");
        Files.writeString(f, "name=reference\nid=abc\nplugin.bridge=dev.jcni.plugins.bridge.Bridge\nplugin.ptp=dev.jcni.plugins.ptp.Ptp\n");
        DistFile d = DistFile.read(f);
        assertEquals("reference", d.name());
        assertEquals("abc", d.id());
        assertEquals(Map.of("bridge", "dev.jcni.plugins.bridge.Bridge", "ptp", "dev.jcni.plugins.ptp.Ptp"), d.plugins());
        Files.writeString(f, "name=../evil\nid=abc\nplugin.x=y\n");
        assertThrows(IOException.class, () -> DistFile.read(f));
        Files.writeString(f, "name=n\nplugin.x=y\n");
        assertThrows(IOException.class, () -> DistFile.read(f));
    }
}
