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
 *         .attachment("c1", "/run/netns/test", "eth0")
 *         .run("ADD", "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"type\":\"my\"}");
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
        PluginHarness h = env("CNI_COMMAND", command);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PluginMain.execute(plugin, h.env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), out, err);
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
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
