package dev.jcni.plugins.ip;

import dev.jcni.sdk.invoke.Invoke;
import dev.jcni.sdk.invoke.PluginException;
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

    /**
     * @param type the IPAM plugin
     * @param request the call
     * @return the delegate's result
     */
    public static Result add(String type, Request request) {
        try {
            return Invoke.delegateAdd(type, request.stdin(), request.env());
        } catch (PluginException e) {
            throw map(e);
        }
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void del(String type, Request request) {
        try {
            Invoke.delegateDel(type, request.stdin(), request.env());
        } catch (PluginException e) {
            throw map(e);
        }
    }

    /**
     * DEL that never throws: the release after a failed ADD (Go ignores its error too).
     *
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void delQuietly(String type, Request request) {
        try {
            del(type, request);
        } catch (RuntimeException e) {
            request.logger().log(System.Logger.Level.WARNING, "IPAM release after a failed ADD failed: " + Errors.text(e));
        }
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void check(String type, Request request) {
        try {
            Invoke.delegateCheck(type, request.stdin(), request.env());
        } catch (PluginException e) {
            throw map(e);
        }
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void status(String type, Request request) {
        try {
            Invoke.delegateStatus(type, request.stdin(), request.env());
        } catch (PluginException e) {
            throw map(e);
        }
    }

    /**
     * @param type the IPAM plugin
     * @param request the call
     */
    public static void gc(String type, Request request) {
        try {
            Invoke.delegateGc(type, request.stdin(), request.env());
        } catch (PluginException e) {
            throw map(e);
        }
    }

    private static CniException map(PluginException e) {
        if (e.isPluginError() && e.code() != ErrorCodes.UNKNOWN) {
            return e;
        }
        return new CniException(ErrorCodes.INTERNAL, e.msg(), e.details(), e);
    }
}
