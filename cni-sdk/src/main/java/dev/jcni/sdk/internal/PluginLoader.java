package dev.jcni.sdk.internal;

import dev.jcni.sdk.skel.Plugin;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gets a {@link Plugin} from a plugin's main class, the way the warm-mode daemon and in-process
 * delegation run a plugin without a JVM of its own: it calls the class's {@code main(String[])} on
 * the calling thread with a hand-over set, and {@link dev.jcni.sdk.skel.PluginMain#run(Plugin)}
 * (which every jcni plugin's {@code main} ends with) then gives the plugin back and unwinds
 * {@code main} instead of running it and exiting. One way for every plugin, whatever its
 * {@code main} does before {@code PluginMain.run}. Every {@link #load} gives a fresh instance.
 *
 * <p>A {@code main} that returns without calling {@code PluginMain.run}, or throws, cannot be
 * loaded ({@link LoadException}). A {@code main} that exits the JVM before {@code PluginMain.run}
 * would exit the daemon: plugin mains must not (the reference plugins' mains are one line).
 */
public final class PluginLoader {
    private PluginLoader() {
    }

    private static final ThreadLocal<HandOver> ACTIVE = new ThreadLocal<>();
    private static final Map<String, MethodHandle> MAINS = new ConcurrentHashMap<>();

    /** Why a main class gave no plugin. */
    public static final class LoadException extends Exception {
        private static final long serialVersionUID = 1L;

        LoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Unwinds a plugin's {@code main} from {@code PluginMain.run}: a {@code Throwable} that is
     * neither an {@code Exception} nor an {@code Error}, so that a {@code main} catching those does
     * not swallow it.
     */
    private static final class HandOver extends Throwable {
        private static final long serialVersionUID = 1L;
        private transient Plugin plugin;

        HandOver() {
            super("PluginMain.run hand-over", null, false, false);
        }
    }

    /**
     * A fresh plugin from its main class, with no arguments for {@code main}.
     *
     * @param mainClass e.g. {@code dev.jcni.plugins.bridge.Bridge}
     * @return the plugin {@code main} handed to {@code PluginMain.run}
     * @throws LoadException when the class or its {@code main} is missing, or {@code main} does not hand over a plugin
     */
    public static Plugin load(String mainClass) throws LoadException {
        return load(mainClass, new String[0]);
    }

    /**
     * A fresh plugin from its main class.
     *
     * @param mainClass e.g. {@code dev.jcni.plugins.bridge.Bridge}
     * @param args the arguments for {@code main} (a launcher's arguments)
     * @return the plugin {@code main} handed to {@code PluginMain.run}
     * @throws LoadException when the class or its {@code main} is missing, or {@code main} does not hand over a plugin
     */
    public static Plugin load(String mainClass, String[] args) throws LoadException {
        Objects.requireNonNull(args, "args");
        MethodHandle main = mainOf(mainClass);
        HandOver handOver = new HandOver();
        HandOver previous = ACTIVE.get();
        ACTIVE.set(handOver);
        try {
            main.invokeExact(args.clone());
        } catch (HandOver h) {
            if (h != handOver || h.plugin == null) {
                throw new LoadException(mainClass + ".main handed over no plugin", h);
            }
            return h.plugin;
        } catch (Throwable t) {
            throw new LoadException(mainClass + ".main failed before PluginMain.run: " + t, t);
        } finally {
            if (previous == null) {
                ACTIVE.remove();
            } else {
                ACTIVE.set(previous);
            }
        }
        throw new LoadException(mainClass + ".main returned without calling PluginMain.run", null);
    }

    /**
     * Called by {@code PluginMain.run} first: when a {@link #load} is under way on this thread,
     * hands the plugin over (by throwing, which unwinds {@code main}); otherwise returns.
     *
     * @param plugin the plugin given to {@code PluginMain.run}
     */
    public static void handOver(Plugin plugin) {
        HandOver h = ACTIVE.get();
        if (h == null) {
            return;
        }
        ACTIVE.remove();
        h.plugin = Objects.requireNonNull(plugin, "plugin");
        sneakyThrow(h);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    private static MethodHandle mainOf(String mainClass) throws LoadException {
        MethodHandle cached = MAINS.get(mainClass);
        if (cached != null) {
            return cached;
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (loader == null) {
            loader = PluginLoader.class.getClassLoader();
        }
        try {
            Class<?> c = Class.forName(mainClass, true, loader);
            var m = c.getMethod("main", String[].class);
            if (!Modifier.isStatic(m.getModifiers())) {
                throw new LoadException(mainClass + ".main is not static", null);
            }
            MethodHandle h = MethodHandles.publicLookup().unreflect(m)
                    .asType(MethodType.methodType(void.class, String[].class));
            MAINS.put(mainClass, h);
            return h;
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | LinkageError e) {
            throw new LoadException("cannot load " + mainClass + ": " + e, e);
        }
    }
}
