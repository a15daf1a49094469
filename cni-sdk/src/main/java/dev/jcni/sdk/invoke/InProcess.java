package dev.jcni.sdk.invoke;

import dev.jcni.sdk.internal.LauncherMarker;
import dev.jcni.sdk.internal.PluginLoader;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * In-process delegation: a plugin executable that is a launcher of the distribution this JVM was
 * started from, or a plugin's compiled entry point (its marker line, {@link LauncherMarker}, names the
 * same id as {@code -Djcni.dist.id}) runs inside this JVM
 * instead of a new one, through the real skel, with exactly what an exec would give it: its own
 * environment, the same stdin bytes, its stdout and stderr captured, its exit status. Nothing
 * process-wide changes (the skel never touches {@code System.out} or exits on this path), and it
 * runs on the calling thread, so it is in the caller's network namespace as an exec'd child would be.
 *
 * <p>The marker's {@code main=} must also be one of the plugins the distribution lists
 * ({@code plugin.<name>=<main class>} in {@code <jcni.dist.lib>/jcni-dist.properties}, whose {@code id}
 * must be this JVM's): a file on {@code CNI_PATH} that copies the marker line with another class
 * name is exec'd, never run in-process.
 */
final class InProcess {
    private InProcess() {
    }

    /** The distribution id the launcher gave this JVM; empty when not started by a jcni launcher. */
    private static final String OWN_ID = System.getProperty("jcni.dist.id", "");

    /** What an in-process run left: as a finished process. */
    record Outcome(byte[] stdout, byte[] stderr, int status) {
    }

    /**
     * @param plugin the executable found on CNI_PATH
     * @return the main class to run in-process, when the executable is a plugin launcher of this distribution
     */
    static Optional<String> mainOf(Path plugin) {
        return mainOf(plugin, OWN_ID, OwnDist.MAINS);
    }

    /** The main classes of this JVM's distribution, read once, when first needed. */
    private static final class OwnDist {
        static final Set<String> MAINS = pluginMains(Path.of(System.getProperty("jcni.dist.lib", ""), "jcni-dist.properties"), OWN_ID);
    }

    /**
     * @param distFile a distribution's {@code jcni-dist.properties}
     * @param id the distribution id it must name
     * @return its plugins' main classes; none when it cannot be read or names another id
     */
    static Set<String> pluginMains(Path distFile, String id) {
        if (id.isEmpty()) {
            return Set.of();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(distFile, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
        if (!id.equals(p.getProperty("id", "").trim())) {
            return Set.of();
        }
        Set<String> mains = new HashSet<>();
        for (String k : p.stringPropertyNames()) {
            String main = p.getProperty(k).trim();
            if (k.startsWith("plugin.") && !main.isEmpty()) {
                mains.add(main);
            }
        }
        return Set.copyOf(mains);
    }

    /**
     * @param plugin the executable found on CNI_PATH
     * @param ownId this JVM's distribution id ("" for none)
     * @param ownMains the main classes of this JVM's distribution's plugins
     * @return the main class to run in-process, when the executable is a launcher of that distribution
     *     naming one of them
     */
    static Optional<String> mainOf(Path plugin, String ownId, Set<String> ownMains) {
        if (ownId.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> line = LauncherMarker.of(plugin);
        if (line.isEmpty()) {
            return Optional.empty();
        }
        String marker = " " + line.get() + " ";
        if (!marker.contains(" id=" + ownId + " ") || !marker.contains(" kind=plugin ")) {
            return Optional.empty();
        }
        int m = marker.indexOf(" main=");
        if (m < 0) {
            return Optional.empty();
        }
        String main = marker.substring(m + 6, marker.indexOf(' ', m + 6));
        return ownMains.contains(main) ? Optional.of(main) : Optional.empty();
    }

    /**
     * Runs the plugin of a main class once, as an exec of its launcher would.
     *
     * @return the outcome, or empty when the main class does not hand a plugin over (then exec it)
     */
    static Optional<Outcome> run(String main, byte[] stdin, Map<String, String> env) {
        Optional<Plugin> plugin;
        try {
            plugin = PluginLoader.load(main);
        } catch (PluginLoader.PluginLoadException e) {
            return Optional.empty();
        }
        if (plugin.isEmpty()) {
            return Optional.empty();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = PluginMain.execute(plugin.get(), env, new ByteArrayInputStream(stdin), out, err);
        return Optional.of(new Outcome(out.toByteArray(), err.toByteArray(), status));
    }
}
