package dev.jcni.sdk.testing;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link Plugin} in-process, through the real skel, with a chosen environment and stdin:
 * for plugin authors' unit tests. {@link #ofExecutable(Path)} runs a plugin executable (any
 * language) the same way a runtime does, with a clean environment.
 *
 * <pre>{@code
 * PluginHarness.Outcome out = PluginHarness.of(new MyPlugin())
 *         .attachment("c1", "/run/netns/test", "eth0")
 *         .run("ADD", "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"my\"}");
 * Result r = out.result();
 * }</pre>
 *
 * Immutable: every setter returns a new harness.
 */
public final class PluginHarness {
    /** How long {@link #ofExecutable(Path)} waits for one run. */
    public static final Duration EXEC_TIMEOUT = Duration.ofSeconds(120);

    /** Runs one command with an environment and stdin. */
    private interface Runner {
        Outcome run(Map<String, String> env, byte[] stdin);
    }

    private final Runner runner;
    private final String description;
    private final Map<String, String> env;

    private PluginHarness(Runner runner, String description, Map<String, String> env) {
        this.runner = runner;
        this.description = description;
        this.env = Map.copyOf(env);
    }

    /**
     * @param plugin the plugin under test
     * @return a harness with {@code CNI_PATH=/opt/cni/bin} and nothing else set
     */
    public static PluginHarness of(Plugin plugin) {
        return new PluginHarness((env, stdin) -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code = PluginMain.execute(plugin, env, new ByteArrayInputStream(stdin), out, err);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }, plugin.getClass().getName() + " (in-process)", Map.of("CNI_PATH", "/opt/cni/bin"));
    }

    /**
     * A plugin executable, run as a container runtime runs it: the harness's variables and
     * {@code PATH=/usr/sbin:/usr/bin:/sbin:/bin}, nothing inherited, working directory {@code /},
     * at most {@link #EXEC_TIMEOUT}.
     *
     * @param executable the plugin's path
     * @return a harness with {@code CNI_PATH} = the executable's directory and nothing else set
     */
    public static PluginHarness ofExecutable(Path executable) {
        Path exe = executable.toAbsolutePath();
        Path dir = exe.getParent();
        return new PluginHarness((env, stdin) -> exec(exe, env, stdin), exe.toString(),
                Map.of("CNI_PATH", dir == null ? "/" : dir.toString()));
    }

    private static Outcome exec(Path exe, Map<String, String> env, byte[] stdin) {
        ProcessBuilder pb = new ProcessBuilder(exe.toString()).directory(new File("/"));
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile("jcni-harness", ".out");
            Path err = Files.createTempFile("jcni-harness", ".err");
            try {
                Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                try (var in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // the plugin did not read its stdin (VERSION of some plugins): not an error
                }
                if (!p.waitFor(EXEC_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(exe + " did not finish in " + EXEC_TIMEOUT.toSeconds() + " s");
                }
                return new Outcome(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + exe, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + exe, e);
        }
    }

    /** @return what runs: the plugin class (in-process) or the executable's path */
    public String target() {
        return description;
    }

    /** @return the variables every run gets (before {@code CNI_COMMAND}) */
    public Map<String, String> environment() {
        return env;
    }

    /**
     * @param name a variable
     * @param value its value; "" removes it
     * @return a copy with the variable set
     */
    public PluginHarness env(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        if (value.isEmpty()) {
            copy.remove(name);
        } else {
            copy.put(name, value);
        }
        return new PluginHarness(runner, description, copy);
    }

    /**
     * The attachment of a call: {@code CNI_CONTAINERID}, {@code CNI_NETNS} and {@code CNI_IFNAME}
     * ("" leaves a variable unset, as for a DEL without namespace).
     *
     * @param containerId {@code CNI_CONTAINERID}
     * @param netns {@code CNI_NETNS}
     * @param ifName {@code CNI_IFNAME}
     * @return a copy
     */
    public PluginHarness attachment(String containerId, String netns, String ifName) {
        return env("CNI_CONTAINERID", containerId).env("CNI_NETNS", netns).env("CNI_IFNAME", ifName);
    }

    /**
     * Runs one command: {@code ADD}, {@code DEL}, {@code CHECK}, {@code GC}, {@code STATUS},
     * {@code VERSION}, or anything else to test the skel's answer to it.
     *
     * @param command {@code CNI_COMMAND} ("" leaves it unset)
     * @param stdin the configuration JSON (for VERSION, the version query)
     * @return what the plugin printed and its exit code
     */
    public Outcome run(String command, String stdin) {
        return env("CNI_COMMAND", command).runRaw(stdin.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Runs with exactly this harness's variables (set {@code CNI_COMMAND} with {@link #env}).
     *
     * @param stdin the bytes on stdin
     * @return what the plugin printed and its exit code
     */
    public Outcome runRaw(byte[] stdin) {
        return runner.run(env, stdin);
    }

    /**
     * What one run printed.
     *
     * @param exitCode the exit code
     * @param stdout everything on stdout
     * @param stderr everything on stderr
     */
    public record Outcome(int exitCode, String stdout, String stderr) {

        /** @return true for exit code 0 */
        public boolean succeeded() {
            return exitCode == 0;
        }

        /**
         * @return the result on stdout, in its own version
         * @throws AssertionError when the run failed
         */
        public Result result() {
            if (exitCode != 0) {
                throw new AssertionError("plugin failed (exit " + exitCode + "): " + stdout + stderr);
            }
            return Result.fromJson(stdout.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * @return the error JSON on stdout
         * @throws AssertionError when the run succeeded
         */
        public CniException error() {
            if (exitCode == 0) {
                throw new AssertionError("plugin succeeded: " + stdout);
            }
            return CniException.fromJson(stdout.getBytes(StandardCharsets.UTF_8));
        }

        /** @return the VERSION answer on stdout */
        public PluginInfo versionInfo() {
            return PluginInfo.fromJson(stdout.getBytes(StandardCharsets.UTF_8));
        }
    }
}
