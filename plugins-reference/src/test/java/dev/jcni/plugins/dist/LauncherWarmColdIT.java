package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist.Run;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher template with a live warm-mode daemon: a distribution packaged under a name of its own
 * (so its socket is private) from the reference jars and this module's test classes, with a plugin
 * whose main class is a nested class.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LauncherWarmColdIT {
    @TempDir
    static Path dir;
    static WarmDist dist;

    /** A plugin whose main class is nested: its binary name has a {@code $}. */
    public static final class Nested implements Plugin {
        public static void main(String[] args) {
            PluginMain.run(new Nested());
        }

        @Override
        public Result add(Request r) {
            return Result.empty();
        }

        @Override
        public void check(Request r) {
        }

        @Override
        public void del(Request r) {
        }
    }

    @BeforeAll
    void start() throws IOException {
        // the reference distribution's class path, in its order, and this module's test classes
        String cp = Dist.referenceClassPath(Path.of("target", "test-classes"));
        Map<String, String> plugins = new LinkedHashMap<>();
        plugins.put("host-local", "dev.jcni.plugins.hostlocal.HostLocal");
        plugins.put("nested", Nested.class.getName());
        dist = WarmDist.create(dir.resolve("dist"), plugins, cp);
        dist.startDaemon();
    }

    @AfterAll
    void stop() {
        if (dist != null) {
            dist.close();
        }
    }

    static Map<String, String> version(String... more) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CNI_COMMAND", "VERSION");
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return m;
    }

    static byte[] versionIn() {
        return LauncherIT.VERSION_IN.getBytes(StandardCharsets.UTF_8);
    }

    static void assertVersion(Run r) {
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("1.0.0", PluginInfo.fromJson(r.stdout()).cniVersion(), r.toString());
    }

    private static long served(String plugin) {
        return dist.daemonLog().lines().filter(l -> l.contains(" served " + plugin + " ")).count();
    }

    /** Waits (bounded) until the daemon has logged a served call of a plugin more than before. */
    private static void awaitServed(String plugin, long before) {
        for (int i = 0; i < 500 && served(plugin) <= before; i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        assertTrue(served(plugin) > before, plugin + " was served warm: " + dist.daemonLog());
    }

    @Test
    void aNestedMainClassRunsColdAsNamed() throws IOException {
        Run r = dist.cold("nested", version(), versionIn(), dir);
        assertVersion(r);
        assertEquals("", r.err(), r.toString());
        String launcher = Files.readString(dist.shLauncher("nested"));
        assertTrue(launcher.contains("\nmain='" + Nested.class.getName() + "'\n"), "single-quoted in the launcher");
        assertTrue(launcher.contains("main=" + Nested.class.getName() + " kind=plugin\n"),
                "and as it is in the header line in-process delegation reads");
    }

    /**
     * Settings that choose the JVM or its options are honoured cold only: with them the launcher does
     * not hand the call to the daemon (the nested plugin is never served warm while they are set), and
     * the JVM started for the call shows their effect. Then, without them, the same plugin is served
     * warm: the daemon could have taken those calls.
     */
    @Test
    void callsThatSetTheJvmOrItsOptionsRunColdThoughTheDaemonRuns() {
        String home = System.getProperty("java.home");
        List<String[]> settings = List.of(
                new String[] {"JAVA_TOOL_OPTIONS", "-Djcni.test.tool=1", "Picked up JAVA_TOOL_OPTIONS: -Djcni.test.tool=1"},
                new String[] {"JAVA_TOOL_OPTIONS", "", "Picked up JAVA_TOOL_OPTIONS: "},
                new String[] {"JDK_JAVA_OPTIONS", "-Djcni.test.jdk=1", "Picked up JDK_JAVA_OPTIONS: -Djcni.test.jdk=1"},
                new String[] {"_JAVA_OPTIONS", "-Djcni.test.underscore=1", "Picked up _JAVA_OPTIONS: -Djcni.test.underscore=1"},
                new String[] {"JCNI_JAVA_OPTS", "-Djcni.test.opts=1", ""},
                new String[] {"JCNI_JAVA_HOME", home, ""});
        long hostLocal = served("host-local");
        for (String[] s : settings) {
            Run r = dist.warm("nested", version(s[0], s[1], "JCNI_WARM_DEBUG", "1"), versionIn(), dir);
            assertVersion(r);
            assertTrue(r.err().contains("jcni nested: going cold: " + s[0] + " is set"), s[0] + ": " + r);
            assertTrue(r.err().contains(s[2]), s[0] + ": the JVM of its own took it: " + r);
            assertFalse(r.err().contains("jcni-shim"), "the shim was not involved: " + r);
        }
        // the daemon's log runs in call order: once a later call's line is there, an earlier warm one's would be
        assertVersion(dist.warm("host-local", version(), versionIn(), dir));
        awaitServed("host-local", hostLocal);
        assertEquals(0, served("nested"), "no call with a JVM setting went warm: " + dist.daemonLog());

        Run warm = dist.warm("nested", version("JCNI_WARM_DEBUG", "1"), versionIn(), dir);
        assertVersion(warm);
        assertEquals("", warm.err(), warm.toString());
        awaitServed("nested", 0);
    }
}
