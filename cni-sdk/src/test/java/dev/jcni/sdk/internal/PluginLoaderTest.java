package dev.jcni.sdk.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginLoaderTest {
    static final List<String[]> SEEN_ARGS = new ArrayList<>();

    /** A plugin whose main does some work first, then hands over. */
    public static final class Good implements Plugin {
        public static void main(String[] args) {
            SEEN_ARGS.add(args);
            PluginMain.run(new Good());
            throw new AssertionError("not reached: run hands over or exits");
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

    /** A main that catches every exception around run: the hand-over is not an exception. */
    public static final class Catching {
        public static void main(String[] args) {
            try {
                PluginMain.run(new Good());
            } catch (Exception | Error e) {
                throw new AssertionError("swallowed", e);
            }
        }
    }

    /** A main that never calls run. */
    public static final class NoRun {
        public static void main(String[] args) {
        }
    }

    /** A main that fails before run. */
    public static final class Throws {
        public static void main(String[] args) {
            throw new IllegalStateException("broken main");
        }
    }

    @Test
    void eachLoadGivesAFreshPluginAndPassesTheArguments() throws Exception {
        Plugin a = PluginLoader.load(Good.class.getName(), new String[] {"x", "y"});
        Plugin b = PluginLoader.load(Good.class.getName());
        assertTrue(a instanceof Good);
        assertNotSame(a, b);
        assertEquals(List.of("x", "y"), List.of(SEEN_ARGS.get(SEEN_ARGS.size() - 2)));
        assertTrue(PluginLoader.load(Catching.class.getName()) instanceof Good);
    }

    @Test
    void aMainThatDoesNotHandOverCannotBeLoaded() {
        PluginLoader.LoadException none = assertThrows(PluginLoader.LoadException.class,
                () -> PluginLoader.load(NoRun.class.getName()));
        assertTrue(none.getMessage().contains("returned without calling PluginMain.run"), none.getMessage());
        PluginLoader.LoadException broken = assertThrows(PluginLoader.LoadException.class,
                () -> PluginLoader.load(Throws.class.getName()));
        assertTrue(broken.getMessage().contains("broken main"), broken.getMessage());
        PluginLoader.LoadException missing = assertThrows(PluginLoader.LoadException.class,
                () -> PluginLoader.load("no.such.Main"));
        assertTrue(missing.getMessage().startsWith("cannot load no.such.Main"), missing.getMessage());
    }

    @Test
    void outsideALoadRunDoesNotHandOver() {
        // handOver returns when no load is under way (PluginMain.run then runs the plugin)
        PluginLoader.handOver(new Good());
    }
}
