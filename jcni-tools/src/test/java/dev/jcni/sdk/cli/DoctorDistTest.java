package dev.jcni.sdk.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.warm.WarmTestPlugin;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcni doctor} on a real distribution (the packager's launchers, shim and daemon): which
 * Java a launcher uses, whether its archive fits, whether the daemon serves this caller; then the
 * same node broken: the daemon stopped, a launcher copied without its jars. Root: warm mode's
 * rendezvous is root-only.
 */
@KernelTest
class DoctorDistTest {
    @TempDir
    Path dir;

    DoctorTest.Run doctor(Path cniPath, Path conf, String... more) {
        String[] args = new String[3 + more.length];
        args[0] = "doctor";
        args[1] = "--conf-dir";
        args[2] = conf.toString();
        System.arraycopy(more, 0, args, 3, more.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "CNI_PATH", cniPath.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new DoctorTest.Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aDistributionWithItsDaemonThenBroken() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("net.d"));
        Files.writeString(conf.resolve("10-w.conflist"),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"w\",\"plugins\":[{\"type\":\"warmtest\"}]}");
        try (WarmDist dist = WarmDist.create(dir.resolve("dist"), Map.of("warmtest", WarmTestPlugin.class.getName()),
                WarmDist.testClassPath())) {
            dist.startDaemon();
            Path bin = dist.dir().resolve("bin");
            DoctorTest.Run good = doctor(bin, conf, "--json");
            assertEquals(0, good.status(), good.out() + good.err());
            String java = good.item("launcher", "/warmtest").get("detail").asText();
            // the launcher's own choice (the newest Java 17+ here), named with its home
            assertTrue(java.matches("Java [0-9][^ ]* in /\\S+; .*"), java);
            // packaged with --no-train: no archive, a warning that says what to do
            assertEquals("warn", good.item("launcher", "/warmtest").get("status").asText(), java);
            assertTrue(java.contains("no start-up archive trained for this Java"), java);
            JsonNode daemon = good.item("daemon", dist.name());
            assertEquals("ok", daemon.get("status").asText(), daemon.toString());
            assertTrue(daemon.get("detail").asText().startsWith("up on " + dist.socket() + "; served this caller's VERSION warm in "),
                    daemon.toString());
            DoctorTest.Run table = doctor(bin, conf);
            assertEquals(0, table.status());
            System.out.println("jcni doctor on a warm distribution:\n" + table.out());

            // the daemon stopped: calls run cold, a warning
            dist.stopDaemon();
            DoctorTest.Run stopped = doctor(bin, conf, "--json");
            assertEquals(0, stopped.status(), stopped.out());
            assertEquals("warn", stopped.item("daemon", dist.name()).get("status").asText());

            // a launcher copied elsewhere without its jars: fails, named
            Path lonely = Files.createDirectories(dir.resolve("lonely"));
            Files.copy(dist.launcher("warmtest"), lonely.resolve("warmtest"));
            DoctorTest.Run broken = doctor(lonely, conf, "--json");
            assertEquals(1, broken.status(), broken.out());
            assertTrue(broken.err().startsWith("jcni doctor: failing: launcher " + lonely.resolve("warmtest")
                    + ": VERSION failed (exit 1): jcni warmtest: cannot find the jars of distribution"), broken.err());
        }
    }
}
