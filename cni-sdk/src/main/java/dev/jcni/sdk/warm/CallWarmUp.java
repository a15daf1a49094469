package dev.jcni.sdk.warm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.PluginLoader;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.Version;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The daemon's warm-up of a plugin's real calls, so that the JIT has compiled a call's path before
 * the first call: a node makes few calls, and a daemon left to warm up on them serves its first
 * hundred or so with interpreted code (a host-local ADD then takes twice as long as a compiled one,
 * bench/compare.sh --phases).
 *
 * <p>Only a plugin whose training file ({@code lib/training/<name>.json}, the samples of its start-up
 * archive) says {@code "daemonWarmUp": true} takes part: its author states that the samples' calls
 * touch nothing outside their {@code ${TMP}} directory when {@code CNI_NETNS} names no namespace (an
 * IPAM plugin such as host-local, whose store is then a scratch directory). Each round runs ADD,
 * CHECK (from 0.4.0, with the ADD's result) and DEL of each sample in-process, with
 * {@code CNI_NETNS=}{@value #NO_NETNS}; the scratch directory is on {@code /dev/shm} when there is one
 * (its syncs cost nothing) and is removed afterwards. A call that fails ends that plugin's warm-up
 * (the daemon serves it all the same).
 */
final class CallWarmUp {
    /** The training file's key by which a plugin takes part. */
    static final String KEY = "daemonWarmUp";
    /** The namespace the warm-up's calls name: none. */
    static final String NO_NETNS = "/nonexistent/jcni-warm-up";

    private CallWarmUp() {
    }

    /**
     * Runs a plugin's samples round after round.
     *
     * @param trainingFile {@code lib/training/<name>.json}
     * @param main the plugin's main class
     * @param maxRounds rounds at most
     * @param nanos time at most (checked between rounds)
     * @return the rounds that ran to their end (0 when the plugin does not take part)
     * @throws IOException when a call failed (the message says which), or the file or scratch directory fails
     */
    static int run(Path trainingFile, String main, int maxRounds, long nanos) throws IOException {
        if (!Files.isRegularFile(trainingFile)) {
            return 0;
        }
        JsonNode root = Json.parse(Files.readAllBytes(trainingFile));
        if (!root.path(KEY).asBoolean(false) || root.path("samples").isEmpty()) {
            return 0;
        }
        Plugin plugin = PluginLoader.load(main).orElseThrow(() -> new IOException(main + ".main does not call PluginMain.run"));
        Path shm = Path.of("/dev/shm");
        Path tmp = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, "jcni-warm-up")
                : Files.createTempDirectory("jcni-warm-up");
        try {
            String dir = new String(Json.write(Json.nodes().textNode(tmp.toString())), StandardCharsets.UTF_8);
            List<String> samples = new ArrayList<>();
            for (JsonNode s : root.path("samples")) {
                samples.add(new String(Json.write(s), StandardCharsets.UTF_8).replace("\"${TMP}", dir.substring(0, dir.length() - 1)));
            }
            long end = System.nanoTime() + nanos;
            int rounds = 0;
            while (rounds < maxRounds && System.nanoTime() - end < 0) {
                for (String sample : samples) {
                    cycle(plugin, sample, "jcni-warm-up-" + rounds);
                }
                rounds++;
            }
            return rounds;
        } finally {
            deleteTree(tmp);
        }
    }

    private static void cycle(Plugin plugin, String conf, String containerId) throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", NO_NETNS);
        env.put("CNI_IFNAME", "eth0");
        env.put("CNI_PATH", "");
        env.put("JCNI_LOG_LEVEL", "off");
        byte[] added = call(plugin, "ADD", env, conf);
        NetConf netConf = NetConf.fromJson(conf.getBytes(StandardCharsets.UTF_8));
        String withPrev = new String(netConf.withPrevResult(Result.fromJson(added)).toJson(), StandardCharsets.UTF_8);
        if (Version.greaterThanOrEqualTo(netConf.effectiveCniVersion(), "0.4.0")) {
            call(plugin, "CHECK", env, withPrev);
        }
        call(plugin, "DEL", env, withPrev);
    }

    private static byte[] call(Plugin plugin, String command, Map<String, String> env, String stdin) throws IOException {
        Map<String, String> e = new HashMap<>(env);
        e.put("CNI_COMMAND", command);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = PluginMain.execute(plugin, e, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out,
                OutputStream.nullOutputStream());
        if (status != 0) {
            throw new IOException(command + " failed (exit " + status + "): " + out.toString(StandardCharsets.UTF_8).strip());
        }
        return out.toByteArray();
    }

    private static void deleteTree(Path dir) throws IOException {
        Optional<IOException> failure = Optional.empty();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    failure = Optional.of(e);
                }
            }
        }
        if (failure.isPresent()) {
            throw failure.get();
        }
    }
}
