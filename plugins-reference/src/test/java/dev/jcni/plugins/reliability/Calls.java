package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.testing.PluginHarness;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How the reliability tests call the packaged plugins ({@code target/cni/bin}), and how big they are.
 *
 * <p><b>The warm-mode switch.</b> By default every call is a cold exec: the launcher gets
 * {@code JCNI_WARM=off} and starts its own JVM. With {@code -Djcni.test.warm=true} the launcher is left
 * to hand the call to the distribution's warm-mode daemon, which must be running
 * ({@code /run/jcni/<dist name>.sock}; the test fails otherwise, it does not fall back silently).
 * Every test that execs plugins through {@link #env} or {@link #cni} runs either way.
 *
 * <p><b>Sizes.</b> CI runs each test at a size that keeps the suite bounded; the soak script
 * ({@code bench/reliability-soak.sh}) sets {@code -Djcni.soak=true} for the full sizes. Any single size
 * can be set with {@code -Djcni.reliability.<name>=N}.
 */
final class Calls {
    private Calls() {
    }

    /** True when the calls go through the warm-mode daemon ({@code -Djcni.test.warm=true}). */
    static final boolean WARM = Boolean.getBoolean("jcni.test.warm");

    /** True for the soak run ({@code -Djcni.soak=true}): the full sizes. */
    static final boolean SOAK = Boolean.getBoolean("jcni.soak");

    /**
     * A size: {@code -Djcni.reliability.<name>} when set, else the soak or the CI value.
     *
     * @param name the size's name, e.g. {@code crashTrials}
     * @param ci the size in CI
     * @param soak the size of the soak run
     * @return the size
     */
    static int size(String name, int ci, int soak) {
        return Integer.getInteger("jcni.reliability." + name, SOAK ? soak : ci);
    }

    /** @return the mode, for messages and the figures: {@code cold exec} or {@code warm (daemon)} */
    static String mode() {
        return WARM ? "warm (daemon)" : "cold exec";
    }

    /** Fails when warm mode is asked for and the distribution's daemon socket is not there. */
    static void requireMode() {
        if (!WARM) {
            return;
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(Dist.bin().resolveSibling("lib").resolve("jcni-dist.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path sock = Path.of("/run/jcni", p.getProperty("name") + ".sock");
        assertTrue(Files.exists(sock), "-Djcni.test.warm=true, but the warm-mode daemon is not running (" + sock + " is missing)");
    }

    /**
     * The environment of one call: the given variables, and {@code JCNI_WARM=off} unless warm mode is on.
     *
     * @param vars the {@code CNI_*} variables
     * @return the environment
     */
    static Map<String, String> env(Map<String, String> vars) {
        Map<String, String> e = new LinkedHashMap<>(vars);
        if (!WARM) {
            e.put("JCNI_WARM", "off");
        }
        return e;
    }

    /**
     * Runs a packaged plugin as a runtime does.
     *
     * @param plugin its name in {@code bin/}
     * @param command {@code CNI_COMMAND}
     * @param vars the other variables
     * @param stdin the configuration
     * @return what it printed
     */
    static Dist.Run cni(String plugin, String command, Map<String, String> vars, String stdin) {
        return Dist.cni(plugin, command, env(vars), stdin);
    }

    /**
     * Starts a packaged plugin without waiting.
     *
     * @param plugin its name in {@code bin/}
     * @param command {@code CNI_COMMAND}
     * @param vars the other variables
     * @param stdin the configuration
     * @return the started run
     */
    static Dist.Started start(String plugin, String command, Map<String, String> vars, String stdin) {
        Map<String, String> e = env(vars);
        e.put("CNI_COMMAND", command);
        return Dist.start(List.of(Dist.exe(plugin).toString()), e, stdin);
    }

    /**
     * Runs a plugin in this JVM through the real skel (what a warm-mode daemon does per call).
     *
     * @param plugin the plugin
     * @param command {@code CNI_COMMAND}
     * @param vars the other variables
     * @param stdin the configuration
     * @return what it printed
     */
    static Dist.Run inProcess(Plugin plugin, String command, Map<String, String> vars, String stdin) {
        PluginHarness h = PluginHarness.of(plugin);
        for (Map.Entry<String, String> v : vars.entrySet()) {
            h = h.env(v.getKey(), v.getValue());
        }
        PluginHarness.Outcome o = h.run(command, stdin);
        return new Dist.Run(o.exitCode(), o.stdout(), o.stderr());
    }

    /** Wall time of a block, in milliseconds. */
    static long millis(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * Prints a figure for docs/reliability.md on stdout (the surefire/failsafe report keeps it), one
     * line starting with {@code reliability:}.
     *
     * @param test the test
     * @param text the figure
     */
    static void figure(String test, String text) {
        System.out.println("reliability: " + test + ": " + text);
    }
}
