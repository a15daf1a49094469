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
 * {@code JCNI_WARM=off} and starts its own JVM. With {@code -Djcni.test.warm=true} the launcher gets
 * {@code JCNI_WARM=on} and hands the call to the distribution's warm-mode daemon, which must be running
 * ({@code /run/jcni/<dist name>.sock}) with its debug log named by {@code -Djcni.test.daemonLog};
 * {@link #requireMode} proves that the daemon serves the calls, {@link Served} how many it served (the
 * test fails otherwise, it does not fall back silently). Every test that execs plugins through
 * {@link #env} or {@link #cni} runs either way.
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

    /**
     * The daemon's debug log ({@code -Djcni.test.daemonLog}, the daemon run with
     * {@code JCNI_LOG_LEVEL=debug}): the count of calls it served is read there.
     */
    static final String DAEMON_LOG = System.getProperty("jcni.test.daemonLog", "");

    /**
     * Checks the mode asked for. Cold: nothing to check, every call gets {@code JCNI_WARM=off}. Warm:
     * the distribution's daemon socket is there, its log is given ({@code -Djcni.test.daemonLog}), and
     * a VERSION call of each packaged plugin through its launcher is counted as served by the daemon
     * (exactly one each): a call that went cold would not be, so a warm run cannot silently be a cold one.
     */
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
        assertTrue(!DAEMON_LOG.isEmpty() && Files.isReadable(Path.of(DAEMON_LOG)),
                "-Djcni.test.warm=true needs -Djcni.test.daemonLog=<the daemon's debug log>, to count the calls it serves");
        List<String> plugins = List.of("bridge", "ptp", "host-local", "portmap");
        Served served = served();
        for (String plugin : plugins) {
            Dist.Run r = cni(plugin, "VERSION", Map.of(), "{\"cniVersion\":\"1.0.0\"}");
            assertTrue(r.exitCode() == 0, plugin + " VERSION: " + r);
        }
        served.expect(plugins.size(), "a VERSION call of each plugin");
    }

    /** @return the daemon's count of served calls now, to check later how far it moved */
    static Served served() {
        return new Served(WARM ? servedCount() : 0);
    }

    /** The calls the daemon served: its debug log's {@code served} lines. */
    private static long servedCount() {
        try {
            return Files.readAllLines(Path.of(DAEMON_LOG)).stream().filter(l -> l.contains(" served ")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The daemon's served count at some moment (warm mode only; cold, every check passes trivially). */
    static final class Served {
        private final long before;

        private Served(long before) {
            this.before = before;
        }

        /**
         * Warm mode: waits (at most 10 s: the daemon may count a call after its caller has its answer)
         * until the daemon counted {@code calls} more served calls than at this moment, and fails when it
         * counted fewer or more.
         *
         * @param calls how many calls went through the launchers since
         * @param what the calls, for the message
         */
        void expect(long calls, String what) {
            if (!WARM) {
                return;
            }
            long end = System.nanoTime() + 10_000_000_000L;
            long now = servedCount();
            while (now < before + calls && System.nanoTime() < end) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
                now = servedCount();
            }
            assertTrue(now == before + calls, what + ": the daemon served " + (now - before) + " calls, expected " + calls
                    + " (the others went cold)");
        }
    }

    /**
     * The environment of one call: the given variables and an explicit {@code JCNI_WARM}, {@code off}
     * cold, {@code on} warm.
     *
     * @param vars the {@code CNI_*} variables
     * @return the environment
     */
    static Map<String, String> env(Map<String, String> vars) {
        return env(vars, WARM);
    }

    /**
     * The same, the mode given.
     *
     * @param vars the variables
     * @param warm true: {@code JCNI_WARM=on} (the launcher hands the call to the daemon); false:
     *     {@code JCNI_WARM=off}
     * @return the environment
     */
    static Map<String, String> env(Map<String, String> vars, boolean warm) {
        Map<String, String> e = new LinkedHashMap<>(vars);
        e.put("JCNI_WARM", warm ? "on" : "off");
        return e;
    }

    /**
     * jcni's runtime side with the mode of these tests: every plugin it execs gets {@code JCNI_WARM} as
     * {@link #env} says.
     *
     * @param config the runtime configuration
     * @return it, run with this JVM's environment and that {@code JCNI_WARM}
     */
    static Network.Runner runtime(dev.jcni.sdk.runtime.CniConfig config) {
        return new Network.Runner(config, env(System.getenv()));
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
