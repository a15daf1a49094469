package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CallWarmUpTest {

    /**
     * Appends "COMMAND netns containerId prevResult? scratch-dir-exists" to the file {@code log}
     * names, and fails ADD when the configuration says {@code fail}.
     */
    public static final class Recorder implements Plugin {
        public static void main(String[] args) {
            PluginMain.run(new Recorder());
        }

        private static void record(Request r, String command) throws IOException {
            String log = r.netConf().get("log").map(String::valueOf).orElseThrow();
            Path scratch = Path.of(r.netConf().get("dir").map(String::valueOf).orElseThrow());
            String line = command + " " + r.netns() + " " + r.containerId() + " " + r.netConf().prevResult().isPresent()
                    + " " + scratch.getParent() + " " + Files.isDirectory(scratch.getParent()) + "\n";
            Files.writeString(Path.of(log), line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        @Override
        public Result add(Request r) throws Exception {
            if (r.netConf().get("fail").isPresent()) {
                throw new CniException(ErrorCodes.INTERNAL, "no");
            }
            record(r, "ADD");
            return Result.empty().withIps(List.of(IpConfig.of(new IpPrefix(Ip.parse("10.9.0.2"), 24))));
        }

        @Override
        public void del(Request r) throws Exception {
            record(r, "DEL");
        }

        @Override
        public void check(Request r) throws Exception {
            record(r, "CHECK");
        }
    }

    private static Path training(Path dir, String body) throws IOException {
        Path f = dir.resolve("recorder.json");
        Files.writeString(f, body);
        return f;
    }

    private static String sample(Path log, String version, String extra) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"w\",\"type\":\"recorder\",\"log\":\"" + log
                + "\",\"dir\":\"${TMP}/store\"" + extra + "}";
    }

    @Test
    void runsEachSamplesAddCheckDelInAScratchDirectoryItRemoves(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        Path f = training(dir, "{\"daemonWarmUp\": true, \"samples\": [" + sample(log, "1.0.0", "") + ","
                + sample(log, "0.3.1", "") + "]}");
        int rounds = CallWarmUp.run(f, Recorder.class.getName(), 3, 60_000_000_000L);
        assertEquals(3, rounds);
        List<String> lines = Files.readAllLines(log);
        // 1.0.0: ADD, CHECK, DEL; 0.3.1 has no CHECK
        assertEquals(3 * 5, lines.size(), String.join("\n", lines));
        assertEquals(List.of("ADD", "CHECK", "DEL", "ADD", "DEL"), lines.subList(0, 5).stream().map(l -> l.split(" ")[0]).toList());
        String scratch = lines.get(0).split(" ")[4];
        for (String l : lines) {
            String[] w = l.split(" ");
            assertEquals(CallWarmUp.NO_NETNS, w[1]);
            assertTrue(w[2].startsWith("jcni-warm-up-"), l);
            // CHECK and DEL get the ADD's result
            assertEquals(!w[0].equals("ADD"), Boolean.parseBoolean(w[3]), l);
            assertEquals(scratch, w[4], "one scratch directory for all the samples");
            assertEquals("true", w[5], "the scratch directory exists while the calls run");
        }
        assertFalse(scratch.contains("${TMP}"));
        assertFalse(Files.exists(Path.of(scratch)), "the scratch directory is removed");
    }

    @Test
    void aPluginWhoseTrainingFileDoesNotSaySoIsNotCalled(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        assertEquals(0, CallWarmUp.run(training(dir, "{\"samples\": [" + sample(log, "1.0.0", "") + "]}"),
                Recorder.class.getName(), 3, 60_000_000_000L));
        assertEquals(0, CallWarmUp.run(training(dir, "{\"daemonWarmUp\": false, \"samples\": [" + sample(log, "1.0.0", "") + "]}"),
                Recorder.class.getName(), 3, 60_000_000_000L));
        assertEquals(0, CallWarmUp.run(dir.resolve("missing.json"), Recorder.class.getName(), 3, 60_000_000_000L));
        assertFalse(Files.exists(log));
    }

    @Test
    void aFailingCallEndsTheWarmUp(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("log");
        Path f = training(dir, "{\"daemonWarmUp\": true, \"samples\": [" + sample(log, "1.0.0", ",\"fail\":true") + "]}");
        IOException e = assertThrows(IOException.class, () -> CallWarmUp.run(f, Recorder.class.getName(), 3, 60_000_000_000L));
        assertTrue(e.getMessage().startsWith("ADD failed (exit 1)"), e.getMessage());
        assertFalse(Files.exists(log));
    }
}
