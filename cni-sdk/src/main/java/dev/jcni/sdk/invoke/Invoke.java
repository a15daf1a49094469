package dev.jcni.sdk.invoke;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.invoke.PluginException.Failure;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Plugin lookup and delegation with the default {@link PluginExec} (no deadline): Go's
 * {@code invoke.FindInPath}, {@code DelegateAdd}, {@code DelegateCheck}, {@code DelegateDel},
 * {@code DelegateStatus}, {@code DelegateGC} and {@code GetVersionInfo}.
 *
 * <p>A plugin delegating to IPAM passes its own environment, so that the delegate sees the same
 * {@code CNI_*} variables with only {@code CNI_COMMAND} changed:
 *
 * <pre>{@code
 * Result ipam = Invoke.delegateAdd(conf.ipam().orElseThrow().type(), request.stdin(), request.env());
 * }</pre>
 *
 * For a deadline, use {@code PluginExec.create().withDeadline(...)} and its methods of the same names.
 */
public final class Invoke {
    private Invoke() {
    }

    /**
     * Finds a plugin: the first {@code <dir>/<plugin>} that is a regular file (symbolic links
     * followed), in path order. As in Go, the execute bit is not checked here. A relative directory
     * is resolved against the working directory of the current call (the caller's, when the call is
     * served warm), and the path returned is absolute.
     *
     * @param plugin the plugin's name (its {@code type})
     * @param paths the directories to search, in order
     * @return the plugin's path
     * @throws PluginException {@link Failure#NOT_FOUND} with Go's messages: {@code no plugin name provided},
     *     {@code invalid plugin name: <p>}, {@code no paths provided},
     *     {@code failed to find plugin "<p>" in path [<a> <b>]}
     */
    public static Path findInPath(String plugin, List<String> paths) {
        if (plugin.isEmpty()) {
            throw notFound("no plugin name provided");
        }
        if (plugin.indexOf('/') >= 0) {
            throw notFound("invalid plugin name: " + plugin);
        }
        if (paths.isEmpty()) {
            throw notFound("no paths provided");
        }
        for (String dir : paths) {
            Path candidate = CallContext.resolve(dir.isEmpty() ? "." : dir).normalize().resolve(plugin);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw notFound("failed to find plugin " + GoText.quote(plugin) + " in path " + GoText.list(paths));
    }

    private static PluginException notFound(String msg) {
        return PluginException.simple(Failure.NOT_FOUND, ErrorCodes.UNKNOWN, msg, null, null);
    }

    /**
     * Splits a {@code CNI_PATH} value on {@code :} (Go's {@code filepath.SplitList}: "" gives no
     * directories).
     *
     * @param cniPath the value
     * @return the directories
     */
    public static List<String> splitPath(String cniPath) {
        return cniPath.isEmpty() ? List.of() : List.of(cniPath.split(":", -1));
    }

    /**
     * ADD on a delegate; see {@link PluginExec#delegateAdd}. Runs DEL on the delegate when its ADD failed
     * without reporting a CNI error (killed, timed out, no error JSON, bad output).
     *
     * @param delegate the delegate's type, e.g. {@code host-local}
     * @param netconf its configuration
     * @param parentEnv the calling plugin's environment (e.g. {@code request.env()})
     * @return the delegate's result
     * @throws PluginException when the delegate is not found or fails
     */
    public static Result delegateAdd(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        return PluginExec.create().delegateAdd(delegate, netconf, parentEnv);
    }

    /**
     * CHECK on a delegate; see {@link PluginExec#delegateCheck}.
     *
     * @param delegate the delegate's type
     * @param netconf its configuration
     * @param parentEnv the calling plugin's environment
     * @throws PluginException when the delegate is not found or fails
     */
    public static void delegateCheck(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        PluginExec.create().delegateCheck(delegate, netconf, parentEnv);
    }

    /**
     * DEL on a delegate; see {@link PluginExec#delegateDel}.
     *
     * @param delegate the delegate's type
     * @param netconf its configuration
     * @param parentEnv the calling plugin's environment
     * @throws PluginException when the delegate is not found or fails
     */
    public static void delegateDel(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        PluginExec.create().delegateDel(delegate, netconf, parentEnv);
    }

    /**
     * STATUS on a delegate; see {@link PluginExec#delegateStatus}.
     *
     * @param delegate the delegate's type
     * @param netconf its configuration
     * @param parentEnv the calling plugin's environment
     * @throws PluginException when the delegate is not found or fails
     */
    public static void delegateStatus(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        PluginExec.create().delegateStatus(delegate, netconf, parentEnv);
    }

    /**
     * GC on a delegate; see {@link PluginExec#delegateGc}.
     *
     * @param delegate the delegate's type
     * @param netconf its configuration
     * @param parentEnv the calling plugin's environment
     * @throws PluginException when the delegate is not found or fails
     */
    public static void delegateGc(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        PluginExec.create().delegateGc(delegate, netconf, parentEnv);
    }

    /**
     * VERSION probe; see {@link PluginExec#getVersionInfo}.
     *
     * @param plugin the executable
     * @return the versions it supports
     * @throws PluginException when it fails or answers something else
     */
    public static PluginInfo getVersionInfo(Path plugin) {
        return PluginExec.create().getVersionInfo(plugin);
    }
}
