package dev.jcni.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Result;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Loading plugins from their mains (public: its sample mains serve other packages' tests). */
public class PluginLoaderTest {
    static final AtomicInteger MAINS = new AtomicInteger();

    /** A plugin whose main does work of its own first, as authors' mains may. */
    public static final class Main implements Plugin {
        public static void main(String[] args) {
            MAINS.incrementAndGet();
            PluginMain.run(new Main());
            throw new AssertionError("PluginMain.run returned into main while loading");
        }

        @Override
        public Result add(Request request) {
            return Result.empty();
        }

        @Override
        public void check(Request request) {
        }

        @Override
        public void del(Request request) {
        }
    }

    /**
     * A main as authors write them: any exception ends the process. Were the hand-over an
     * exception, loading this main would exit the JVM (the daemon, or the parent plugin).
     */
    public static final class ExitsOnException {
        public static void main(String[] args) {
            try {
                PluginMain.run(new Main());
            } catch (Exception e) {
                System.err.println("the author's main caught the hand-over: " + e);
                System.exit(1);
            }
        }
    }

    /** A main that never hands a plugin to the skel. */
    public static final class NotAPlugin {
        public static void main(String[] args) {
        }
    }

    /** A main that fails before handing its plugin over. */
    public static final class Failing {
        public static void main(String[] args) {
            throw new IllegalStateException("no configuration");
        }
    }

    @Test
    void eachLoadRunsMainAgainAndGivesAFreshPlugin() {
        int before = MAINS.get();
        Plugin a = PluginLoader.load(Main.class.getName()).orElseThrow();
        Plugin b = PluginLoader.load(Main.class.getName()).orElseThrow();
        assertNotSame(a, b);
        assertTrue(a instanceof Main);
        assertEquals(before + 2, MAINS.get());
    }

    @Test
    void aMainThatExitsOnAnyExceptionIsLoadedWithoutExiting() {
        Plugin p = PluginLoader.load(ExitsOnException.class.getName()).orElseThrow();
        assertTrue(p instanceof Main);
    }

    @Test
    void aMainThatDoesNotCallTheSkelGivesNothing() {
        assertTrue(PluginLoader.load(NotAPlugin.class.getName()).isEmpty());
    }

    @Test
    void aFailingMainOrAMissingClassIsAnError() {
        PluginLoader.PluginLoadException e = assertThrows(PluginLoader.PluginLoadException.class,
                () -> PluginLoader.load(Failing.class.getName()));
        assertTrue(e.getMessage().contains("no configuration"), e.getMessage());
        assertThrows(PluginLoader.PluginLoadException.class, () -> PluginLoader.load("no.such.Main"));
    }

    @Test
    void outsideALoadHandOverDoesNothing() {
        PluginLoader.handOver(new Main());
    }
}
