package dev.jcni.sdk.internal;

import dev.jcni.sdk.skel.Plugin;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gets a {@link Plugin} from the main class a launcher names, the way in-process delegation,
 * training and warm mode need it: the class's {@code main} runs on the calling thread up to its
 * {@code PluginMain.run(plugin)} call, which hands the plugin over here (and leaves {@code main})
 * instead of running it and exiting. One way for every plugin, whatever its {@code main} does first.
 *
 * <p>The hand-over leaves {@code main} by an {@link Error} that {@code catch (Exception)} does not
 * catch; {@code finally} blocks in {@code main} run. A {@code main} that catches {@code Throwable}
 * around {@code PluginMain.run}, or exits before calling it, cannot be loaded safely.
 *
 * <p>Each {@link #load} runs {@code main} again, so every call gets a fresh plugin instance, as
 * every exec of a launcher does.
 */
public final class PluginLoader {
    private PluginLoader() {
    }

    private static final ThreadLocal<Capture> CAPTURE = new ThreadLocal<>();
    private static final Map<String, MethodHandle> MAINS = new ConcurrentHashMap<>();

    /**
     * Thrown through a plugin's {@code main} to leave it once it handed its plugin over. An
     * {@link Error}, not an exception: an author's {@code catch (Exception e) { System.exit(1); }}
     * around {@code PluginMain.run} must not catch it (that would exit the daemon at warm-up, or the
     * parent plugin mid-ADD during in-process delegation). Only a {@code catch (Throwable)} or
     * {@code catch (Error)} in {@code main} sees it.
     */
    private static final class Capture extends Error {
        private static final long serialVersionUID = 1L;
        private transient Plugin plugin;

        Capture() {
            super(null, null, false, false);
        }
    }

    /**
     * Called first by {@code PluginMain.run}: while {@link #load} runs a {@code main} on this
     * thread, takes the plugin and leaves {@code main}; otherwise returns and the plugin runs.
     *
     * @param plugin the plugin {@code main} hands to the skel
     */
    public static void handOver(Plugin plugin) {
        Capture capture = CAPTURE.get();
        if (capture != null) {
            capture.plugin = plugin;
            throw capture;
        }
    }

    /**
     * Runs {@code mainClass.main(new String[0])} until it hands a plugin to {@code PluginMain.run}.
     *
     * @param mainClass the main class, loaded by the class loader that loaded jcni
     * @return the plugin; empty when the class has no {@code main} or its {@code main} returned
     *     without calling {@code PluginMain.run}
     * @throws PluginLoadException when the class cannot be loaded or its {@code main} threw
     */
    public static Optional<Plugin> load(String mainClass) {
        MethodHandle main = MAINS.get(mainClass); // no computeIfAbsent lambda on a cold call's way
        if (main == null) {
            main = findMain(mainClass);
            MethodHandle first = MAINS.putIfAbsent(mainClass, main);
            main = first == null ? main : first;
        }
        Capture capture = new Capture();
        Capture outer = CAPTURE.get();
        CAPTURE.set(capture);
        try {
            main.invokeExact(new String[0]);
            return Optional.empty();
        } catch (Capture c) {
            if (c != capture) {
                throw c;
            }
            return Optional.of(c.plugin);
        } catch (Throwable e) {
            throw new PluginLoadException("the main of " + mainClass + " failed before handing its plugin over: " + e, e);
        } finally {
            if (outer == null) {
                CAPTURE.remove();
            } else {
                CAPTURE.set(outer);
            }
        }
    }

    private static MethodHandle findMain(String mainClass) {
        try {
            Class<?> c = Class.forName(mainClass, true, PluginLoader.class.getClassLoader());
            return MethodHandles.publicLookup().findStatic(c, "main", MethodType.methodType(void.class, String[].class));
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new PluginLoadException("cannot load the main class " + mainClass + ": " + e, e);
        }
    }

    /** A main class that cannot be loaded or whose {@code main} failed. */
    public static final class PluginLoadException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PluginLoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
