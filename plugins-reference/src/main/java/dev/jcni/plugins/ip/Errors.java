package dev.jcni.plugins.ip;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;

/**
 * The error codes of the bridge and ptp plugins: a configuration that fails validation is code 7
 * ({@code INVALID_NETWORK_CONFIG}) with Go's message, found before the kernel is touched; a failure of
 * the kernel, a tool or the plugin itself is code 999 as in Go. Errors of a delegated IPAM plugin
 * keep that plugin's code.
 */
public final class Errors {
    private Errors() {
    }

    /**
     * @param msg Go's message
     * @return a code 7 error
     */
    public static CniException invalidConfig(String msg) {
        return new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, msg);
    }

    /**
     * @param msg the message
     * @return a code 999 error
     */
    public static CniException internal(String msg) {
        return new CniException(ErrorCodes.INTERNAL, msg);
    }

    /**
     * @param msg the message
     * @param cause the cause
     * @return a code 999 error
     */
    public static CniException internal(String msg, Throwable cause) {
        return new CniException(ErrorCodes.INTERNAL, msg, "", cause);
    }

    /**
     * The message of an exception as the Go plugins would print the underlying error.
     *
     * @param e the exception
     * @return its message, or its class name when it has none
     */
    public static String text(Throwable e) {
        if (e instanceof CniException c) {
            return c.details().isEmpty() ? c.msg() : c.msg() + "; " + c.details();
        }
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
