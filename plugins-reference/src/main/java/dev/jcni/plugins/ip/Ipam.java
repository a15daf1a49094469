package dev.jcni.plugins.ip;

import dev.jcni.sdk.invoke.Invoke;
import dev.jcni.sdk.invoke.PluginException;
import dev.jcni.sdk.invoke.PluginExec;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * IPAM delegation as Go's {@code ipam.ExecAdd/ExecDel/ExecCheck/ExecStatus}: the delegate gets the
 * whole stdin and the same environment with {@code CNI_COMMAND} changed. An error the delegate
 * reported keeps its code and message; a failure to find or run it is code 999 with Go's text
 * ({@code no plugin name provided}, {@code failed to find plugin "x" in path [...]}).
 */
public final class Ipam {
    private Ipam() {
    }

    /** One delegated call. */
    @FunctionalInterface
    private interface Call<T> {
        T run() throws PluginException;
    }

    private static <T> T delegate(Call<T> call) {
        try {
            return call.run();
        } catch (PluginException e) {
            if (e.isPluginError() && e.code() != ErrorCodes.UNKNOWN) {
                throw e;
            }
            throw new CniException(ErrorCodes.INTERNAL, e.msg(), e.details(), e);
        }
    }

    /**
     * ADD on the IPAM delegate. When the delegate fails without reporting an error (killed, timed out,
     * garbage on stdout), it may have reserved something: DEL is run on it, as the spec asks of
     * delegating plugins. When it reports an error JSON, it has undone its own work (a plugin that fails
     * ADD leaves nothing), and no DEL is run: host-local refuses a second ADD of a live container id and
     * interface ("duplicate allocation is not allowed"), and a DEL after that refusal would release the
     * live attachment's reservation, so that a third container could get the same address
     * (OddCallsIT.addTwiceWithTheSameContainerIdAndInterface). Unlike {@link Invoke#delegateAdd}, which
     * runs DEL after any failure.
     *
     * @param type the IPAM plugin
     * @param request the call
     * @return the delegate's result
     */
    public static Result add(String type, Request request) {
        return delegate(() -> {
            Path plugin = Invoke.findInPath(type, Invoke.splitPath(request.env().getOrDefault("CNI_PATH", "")));
            try {
                return PluginExec.create().execPluginWithResult(plugin, request.stdin(), withCommand(request.env(), "ADD"));
            } catch (PluginException e) {
                if (!e.isPluginError()) {
                    try {
                        PluginExec.create().execPluginWithoutResult(plugin, request.stdin(), withCommand(request.env(), "DEL"));
                    } catch (PluginException del) {
                        e.addSuppressed(del);
                    }
                }
                throw e;
            }
        });
    }

    private static Map<String, String> withCommand(Map<String, String> env, String command) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("CNI_COMMAND", command);
        return e;
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void del(String type, Request request) {
        delegate(() -> {
            Invoke.delegateDel(type, request.stdin(), request.env());
            return null;
        });
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void check(String type, Request request) {
        delegate(() -> {
            Invoke.delegateCheck(type, request.stdin(), request.env());
            return null;
        });
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void status(String type, Request request) {
        delegate(() -> {
            Invoke.delegateStatus(type, request.stdin(), request.env());
            return null;
        });
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void gc(String type, Request request) {
        delegate(() -> {
            Invoke.delegateGc(type, request.stdin(), request.env());
            return null;
        });
    }
}
