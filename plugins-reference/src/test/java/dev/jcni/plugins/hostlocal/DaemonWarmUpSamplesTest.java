package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * host-local's training samples take part in the warm-mode daemon's warm-up ({@code "daemonWarmUp":
 * true}, docs/packaging.md): run as the daemon runs them (ADD, CHECK from 0.4.0 with the ADD's result,
 * DEL; {@code CNI_NETNS} naming no namespace; {@code ${TMP}} a scratch directory), every call succeeds,
 * again and again, and the calls leave nothing but the store in that directory, and no reservation.
 */
class DaemonWarmUpSamplesTest {

    private static byte[] call(String command, Map<String, String> env, String conf) {
        Map<String, String> e = new HashMap<>(env);
        e.put("CNI_COMMAND", command);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = PluginMain.execute(new HostLocal(), e, new ByteArrayInputStream(conf.getBytes(StandardCharsets.UTF_8)), out, err);
        assertEquals(0, status, command + ": " + out + err);
        return out.toByteArray();
    }

    @Test
    void theSamplesRunAsTheDaemonsWarmUpRunsThem(@TempDir Path tmp) throws Exception {
        JsonNode root = Json.parse(Files.readAllBytes(Path.of("src/dist/training/host-local.json")));
        assertTrue(root.path("daemonWarmUp").asBoolean(false), "host-local's samples are run by the daemon at start");
        String dir = tmp.toString();
        for (int round = 0; round < 3; round++) {
            for (JsonNode s : root.path("samples")) {
                String conf = new String(Json.write(s), StandardCharsets.UTF_8).replace("${TMP}", dir);
                Map<String, String> env = Map.of("CNI_CONTAINERID", "jcni-warm-up-" + round, "CNI_NETNS", "/nonexistent/jcni-warm-up",
                        "CNI_IFNAME", "eth0", "CNI_PATH", "", "JCNI_LOG_LEVEL", "off");
                Result added = Result.fromJson(call("ADD", env, conf));
                assertTrue(!added.ips().isEmpty(), "an address is reserved");
                NetConf nc = NetConf.fromJson(conf.getBytes(StandardCharsets.UTF_8));
                String withPrev = new String(nc.withPrevResult(added).toJson(), StandardCharsets.UTF_8);
                if (Version.greaterThanOrEqualTo(nc.effectiveCniVersion(), "0.4.0")) {
                    call("CHECK", env, withPrev);
                }
                call("DEL", env, withPrev);
            }
        }
        try (Stream<Path> top = Files.list(tmp)) {
            assertEquals(List.of(tmp.resolve("store")), top.toList(), "nothing but the store");
        }
        try (Stream<Path> all = Files.walk(tmp.resolve("store"))) {
            List<String> reservations = all.map(p -> p.getFileName().toString()).filter(n -> Ip.tryParse(n).isPresent()).toList();
            assertEquals(List.of(), reservations, "every ADD's reservation was released by its DEL");
        }
    }
}
