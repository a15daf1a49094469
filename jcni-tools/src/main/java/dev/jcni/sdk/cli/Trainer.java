package dev.jcni.sdk.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.PluginLoader;
import dev.jcni.sdk.internal.ProcessEnv;
import dev.jcni.sdk.internal.ScratchNamespaces;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.Version;
import dev.jcni.testkit.internal.Chain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The training run behind a launcher's start-up archive ({@code <launcher> --jcni-train}, run by
 * {@code jcni package} and {@code install.sh} under {@code -XX:ArchiveClassesAtExit} or
 * {@code -XX:AOTCacheOutput}): it goes through the code paths of real calls so that the archive
 * holds what a call loads.
 *
 * <ul>
 *   <li>Scope {@code VERSION} (a plugin's second archive, used for VERSION calls only): VERSION alone.</li>
 *   <li>{@code dist} (the bundled runtime's one archive for the whole distribution): every plugin and
 *       command listed in {@code lib/jcni-dist.properties} in turn, each as below with its own samples.</li>
 *   <li>Always: VERSION and inputs the skel rejects (nothing changes anywhere).</li>
 *   <li>With the launcher's samples ({@code lib/training/<name>.json}: {@code {"samples": [...]}})
 *       and the right to make network namespaces (root, cni-sdk-netlink on the class path): each
 *       sample runs for real inside throw-away namespaces: a plugin's sample (a network configuration)
 *       gets ADD, CHECK, DEL, DEL and, from 1.1.0, STATUS and GC; the {@code jcni} command's sample
 *       (a configuration list) gets {@code add}, {@code check}, {@code del}. The host is never touched:
 *       the plugin's "host" is a scratch namespace too. {@code ${TMP}} in a sample is a scratch
 *       directory.</li>
 * </ul>
 * Plugins are run in-process through the skel; delegates on {@code CNI_PATH} (the launcher's own
 * directory, then {@code JCNI_TRAINING_CNI_PATH}) that belong to the same distribution run in-process
 * as well. A plugin's sample that is a configuration list is a chained plugin's: the plugins before
 * the last run first ({@link dev.jcni.testkit.internal.Chain}), which gives it its interface and its
 * {@code prevResult}. A sample's ADD, CHECK or DEL that fails (or the chain's ADD, or the command's
 * add, check, del) fails the training with the plugin's own error, and with it the packaging.
 */
public final class Trainer {
    private Trainer() {
    }

    /**
     * @param args kind ({@code plugin} or {@code command}), main class, samples file, bin directory, scope
     *     ({@code all} or {@code VERSION}); or {@code dist}, the distribution's lib and bin directories:
     *     every plugin and command of the distribution in turn (the bundled runtime's one archive)
     * @throws Exception when training cannot run at all (a failing call is part of training)
     */
    public static void main(String[] args) throws Exception {
        boolean dist = args.length == 3 && args[0].equals("dist");
        if (!dist && (args.length != 5 || !List.of("all", "VERSION").contains(args[4]))) {
            System.err.println("usage: Trainer plugin|command MAIN SAMPLES BIN_DIR all|VERSION | Trainer dist LIB BIN_DIR");
            System.exit(2);
        }
        boolean debug = System.getenv().getOrDefault("JCNI_LOG_LEVEL", "").equalsIgnoreCase("debug");
        // a real call's first step (PluginMain.run reads the environment so), which the calls below
        // skip (they hand execute() an environment): its classes belong in the archive too
        ProcessEnv.read();
        List<Run> runs = new ArrayList<>();
        if (dist) {
            Path lib = Path.of(args[1]);
            for (String line : Files.readAllLines(lib.resolve("jcni-dist.properties"))) {
                int eq = line.indexOf('=');
                String key = eq < 0 ? "" : line.substring(0, eq);
                for (String kind : List.of("plugin", "command")) {
                    if (key.startsWith(kind + ".")) {
                        String name = key.substring(kind.length() + 1);
                        runs.add(new Run(kind, line.substring(eq + 1), lib.resolve("training").resolve(name + ".json"), args[2],
                                false, debug ? System.err : null));
                    }
                }
            }
        } else {
            runs.add(new Run(args[0], args[1], Path.of(args[2]), args[3], args[4].equals("VERSION"), debug ? System.err : null));
        }
        try {
            for (Run run : runs) {
                run.all();
            }
        } catch (TrainingFailure e) {
            System.err.println("jcni training: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /** A sample's call that failed: the build that trains fails with it. */
    static final class TrainingFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TrainingFailure(String message) {
            super(message, null, false, false);
        }
    }

    private record Outcome(int status, String out, String err) {
    }

    private static final class Run {
        private final String kind;
        private final String main;
        private final Path samplesFile;
        private final String binDir;
        private final boolean versionOnly;
        private final PrintStream trace;
        private int count;

        Run(String kind, String main, Path samplesFile, String binDir, boolean versionOnly, PrintStream trace) {
            this.kind = kind;
            this.main = main;
            this.samplesFile = samplesFile;
            this.binDir = binDir;
            this.versionOnly = versionOnly;
            this.trace = trace;
        }

        void all() throws Exception {
            Path tmp = Files.createTempDirectory("jcni-train");
            try {
                List<String> samples = samples(tmp);
                if (versionOnly) {
                    call("VERSION", Map.of(), "{\"cniVersion\":\"1.1.0\"}");
                    for (String s : samples) {
                        call("VERSION", Map.of(), s);
                    }
                    return;
                }
                if (kind.equals("plugin")) {
                    safePluginCalls(samples);
                } else {
                    Main.run(new String[] {"version"}, Map.of(), quiet(), quiet());
                    Main.run(new String[] {"--help"}, Map.of(), quiet(), quiet());
                }
                if (!samples.isEmpty()) {
                    Optional<ScratchNamespaces.Session> scratch = ScratchNamespaces.openAny();
                    if (scratch.isEmpty()) {
                        System.err.println("jcni training: cannot make scratch network namespaces (not root?): "
                                + "trained on VERSION and bad input only");
                    } else {
                        try (ScratchNamespaces.Session s = scratch.get()) {
                            for (String sample : samples) {
                                s.inHost(() -> {
                                    if (kind.equals("plugin")) {
                                        pluginCycle(sample, s.newContainer(), tmp);
                                    } else {
                                        cliCycle(sample, s.newContainer(), tmp);
                                    }
                                    return null;
                                });
                            }
                        }
                    }
                }
            } finally {
                Packager.deleteTree(tmp);
            }
            if (trace != null) {
                trace.println("jcni training: " + count + " calls");
            }
        }

        private List<String> samples(Path tmp) throws IOException {
            if (!Files.isRegularFile(samplesFile)) {
                return List.of();
            }
            JsonNode root;
            try {
                root = Json.parse(Files.readAllBytes(samplesFile));
            } catch (JsonProcessingException e) {
                throw new IOException(samplesFile + " is not JSON: " + Json.describe(e), e);
            }
            List<String> out = new ArrayList<>();
            String dir = new String(Json.write(Json.nodes().textNode(tmp.toString())), StandardCharsets.UTF_8);
            for (JsonNode s : root.path("samples")) {
                String text = new String(Json.write(s), StandardCharsets.UTF_8);
                out.add(text.replace("\"${TMP}", dir.substring(0, dir.length() - 1)));
            }
            return out;
        }

        private void safePluginCalls(List<String> samples) {
            Map<String, String> attach = Map.of("CNI_CONTAINERID", "jcni-training", "CNI_NETNS", "/nonexistent/jcni-training",
                    "CNI_IFNAME", "eth0", "CNI_PATH", binDir);
            String any = samples.isEmpty() ? "{\"cniVersion\":\"1.1.0\",\"name\":\"jcni-training\",\"type\":\"x\"}" : samples.get(0);
            call("VERSION", Map.of(), "{\"cniVersion\":\"1.1.0\"}");
            for (String s : samples) {
                call("VERSION", Map.of(), s);
            }
            call("", Map.of(), "");
            call("BOGUS", attach, any);
            call("ADD", Map.of(), any);
            call("ADD", attach, "{\"cniVersion\":\"1.1.0\"");
            call("ADD", attach, "{\"cniVersion\":\"1.1.0\",\"name\":\"\"}");
            call("ADD", attach, any.replaceFirst("\"cniVersion\":\"[^\"]*\"", "\"cniVersion\":\"9.9.9\""));
        }

        /**
         * ADD, CHECK, DEL, DEL (and STATUS, GC from 1.1.0) of one sample; a sample that is a configuration
         * list runs its first plugins as the chain before the plugin (Chain). A failing ADD, CHECK or DEL
         * fails the training with the plugin's own error.
         */
        private void pluginCycle(String sample, String netns, Path tmp) {
            Map<String, String> env = new HashMap<>();
            env.put("CNI_CONTAINERID", "jcni-training-" + count);
            env.put("CNI_NETNS", netns);
            env.put("CNI_IFNAME", "eth0");
            env.put("CNI_PATH", cniPath());
            try (Chain chain = Chain.of(sample, List.of(cniPath().split(":")), tmp.resolve("chain-" + count))) {
                String conf;
                try {
                    conf = chain.add(env.get("CNI_CONTAINERID"), netns, "eth0");
                } catch (RuntimeException e) {
                    throw new TrainingFailure("the chain before the plugin failed (CNI_PATH=" + cniPath() + "): " + e.getMessage());
                }
                String version = NetConf.fromJson(conf.getBytes(StandardCharsets.UTF_8)).effectiveCniVersion();
                byte[] added = required("ADD", env, conf);
                String withPrev = new String(NetConf.fromJson(conf.getBytes(StandardCharsets.UTF_8))
                        .withPrevResult(Result.fromJson(added)).toJson(), StandardCharsets.UTF_8);
                if (Version.greaterThanOrEqualTo(version, "0.4.0")) {
                    required("CHECK", env, withPrev);
                }
                required("DEL", env, withPrev);
                required("DEL", env, withPrev);
                if (Version.greaterThanOrEqualTo(version, "1.1.0")) {
                    Map<String, String> noAttachment = new HashMap<>(env);
                    noAttachment.remove("CNI_CONTAINERID");
                    noAttachment.remove("CNI_NETNS");
                    noAttachment.remove("CNI_IFNAME");
                    call("STATUS", noAttachment, conf);
                    String gc = new String(NetConf.fromJson(conf.getBytes(StandardCharsets.UTF_8))
                            .withJson(NetConf.VALID_ATTACHMENTS, "[]".getBytes(StandardCharsets.UTF_8)).toJson(), StandardCharsets.UTF_8);
                    call("GC", noAttachment, gc);
                }
            }
        }

        /** The launcher's directory, then the directories of JCNI_TRAINING_CNI_PATH (a sample's chain). */
        private String cniPath() {
            String more = System.getenv().getOrDefault("JCNI_TRAINING_CNI_PATH", "");
            return more.isEmpty() ? binDir : binDir + ":" + more;
        }

        /** A call of a sample that must succeed: its stdout, or a failure with the plugin's error. */
        private byte[] required(String command, Map<String, String> env, String stdin) {
            Outcome o = exec(command, env, stdin);
            if (o.status() != 0) {
                throw new TrainingFailure(command + " of the sample failed (exit " + o.status() + "): " + o.out().strip()
                        + (o.err().isBlank() ? "" : "\n" + o.err().strip()));
            }
            return o.out().getBytes(StandardCharsets.UTF_8);
        }

        /** One call through the skel, in-process; the plugin's stdout when it succeeded. */
        private Optional<byte[]> call(String command, Map<String, String> env, String stdin) {
            Outcome o = exec(command, env, stdin);
            return o.status() == 0 ? Optional.of(o.out().getBytes(StandardCharsets.UTF_8)) : Optional.empty();
        }

        private Outcome exec(String command, Map<String, String> env, String stdin) {
            count++;
            Map<String, String> e = new HashMap<>(env);
            if (!command.isEmpty()) {
                e.put("CNI_COMMAND", command);
            }
            Plugin plugin = PluginLoader.load(main).orElseThrow(() -> new IllegalStateException(
                    main + ".main does not hand a plugin to PluginMain.run"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = PluginMain.execute(plugin, e, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err);
            if (trace != null) {
                trace.println("jcni training: " + command + " -> " + status + " " + out.toString(StandardCharsets.UTF_8).strip()
                        + " " + err.toString(StandardCharsets.UTF_8).strip());
            }
            return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        /** The jcni command: add, check, del of a configuration list in a private configuration directory. */
        private void cliCycle(String sample, String netns, Path tmp) throws IOException {
            Path confDir = Files.createDirectories(tmp.resolve("conf-" + count));
            String name = Json.parse(sample.getBytes(StandardCharsets.UTF_8)).path("name").asText("");
            Files.writeString(confDir.resolve("10-training.conflist"), sample);
            Map<String, String> env = new HashMap<>();
            env.put("NETCONFPATH", confDir.toString());
            env.put("CNI_PATH", binDir);
            if (trace == null) {
                env.put("JCNI_LOG_LEVEL", "off");
            }
            String cache = tmp.resolve("cache-" + count).toString();
            for (String verb : List.of("add", "check", "del", "del")) {
                count++;
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                int status = Main.run(new String[] {"--cache-dir", cache, verb, name, netns}, env,
                        trace == null ? quiet() : trace, new PrintStream(err, true, StandardCharsets.UTF_8));
                if (trace != null) {
                    trace.println("jcni training: jcni " + verb + " -> " + status + " " + err.toString(StandardCharsets.UTF_8).strip());
                }
                if (status != 0) {
                    throw new TrainingFailure("jcni " + verb + " of the sample failed (exit " + status + "): "
                            + err.toString(StandardCharsets.UTF_8).strip());
                }
            }
        }

        private static PrintStream quiet() {
            return new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
        }
    }
}
