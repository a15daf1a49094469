package dev.jcni.sdk.testing;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a {@link Plugin} in-process, through the real skel, with a chosen environment and stdin:
 * for plugin authors' unit tests.
 *
 * <pre>{@code
 * PluginHarness.Outcome out = PluginHarness.of(new MyPlugin())
 *         .containerId("c1").netns("/run/netns/test").ifName("eth0")
 *         .add("{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"my\"}");
 * Result r = out.result();
 * }</pre>
 *
 * Immutable: every setter returns a new harness.
 */
public final class PluginHarness {
    private final Plugin plugin;
    private final Map<String, String> env;

    private PluginHarness(Plugin plugin, Map<String, String> env) {
        this.plugin = plugin;
        this.env = Map.copyOf(env);
    }

    /**
     * @param plugin the plugin under test
     * @return a harness with {@code CNI_PATH=/opt/cni/bin} and nothing else set
     */
    public static PluginHarness of(Plugin plugin) {
        return new PluginHarness(plugin, Map.of("CNI_PATH", "/opt/cni/bin"));
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
        return new PluginHarness(plugin, copy);
    }

    /**
     * @param id {@code CNI_CONTAINERID}
     * @return a copy
     */
    public PluginHarness containerId(String id) {
        return env("CNI_CONTAINERID", id);
    }

    /**
     * @param path {@code CNI_NETNS}
     * @return a copy
     */
    public PluginHarness netns(String path) {
        return env("CNI_NETNS", path);
    }

    /**
     * @param name {@code CNI_IFNAME}
     * @return a copy
     */
    public PluginHarness ifName(String name) {
        return env("CNI_IFNAME", name);
    }

    /**
     * @param args {@code CNI_ARGS}
     * @return a copy
     */
    public PluginHarness cniArgs(String args) {
        return env("CNI_ARGS", args);
    }

    /**
     * Runs one command.
     *
     * @param command {@code CNI_COMMAND} ("" leaves it unset)
     * @param stdin the configuration JSON
     * @return what the plugin printed and its exit code
     */
    public Outcome run(String command, String stdin) {
        PluginHarness h = env("CNI_COMMAND", command);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PluginMain.execute(plugin, h.env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * @param config the configuration
     * @return the outcome of ADD
     */
    public Outcome add(String config) {
        return run("ADD", config);
    }

    /**
     * @param config the configuration
     * @return the outcome of DEL
     */
    public Outcome del(String config) {
        return run("DEL", config);
    }

    /**
     * @param config the configuration
     * @return the outcome of CHECK
     */
    public Outcome check(String config) {
        return run("CHECK", config);
    }

    /**
     * @param config the configuration
     * @return the outcome of GC
     */
    public Outcome gc(String config) {
        return run("GC", config);
    }

    /**
     * @param config the configuration
     * @return the outcome of STATUS
     */
    public Outcome status(String config) {
        return run("STATUS", config);
    }

    /**
     * @param config the stdin for VERSION
     * @return the outcome of VERSION
     */
    public Outcome version(String config) {
        return run("VERSION", config);
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
