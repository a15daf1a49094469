package dev.jcni.plugins.ip;

import dev.jcni.sdk.invoke.Invoke;
import dev.jcni.sdk.invoke.PluginException;
import dev.jcni.sdk.invoke.PluginExec;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;

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
     * ADD on the IPAM delegate, through the SDK's {@link PluginExec#delegateAdd}: DEL is run on the
     * delegate only when it failed without reporting an error (killed, timed out, garbage on stdout),
     * never after an error JSON (host-local's refusal of a duplicate allocation must not release the
     * live attachment's reservation: OddCallsIT.addTwiceWithTheSameContainerIdAndInterface).
     *
     * @param type the IPAM plugin
     * @param request the call
     * @return the delegate's result
     */
    public static Result add(String type, Request request) {
        // anonymous classes, not lambdas: a cold JVM sets up the lambda machinery at its first lambda
        return delegate(new Call<Result>() {
            @Override
            public Result run() throws PluginException {
                return Invoke.delegateAdd(type, request.stdin(), request.env());
            }
        });
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void del(String type, Request request) {
        delegate(new Call<Void>() {
            @Override
            public Void run() throws PluginException {
                Invoke.delegateDel(type, request.stdin(), request.env());
                return null;
            }
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
