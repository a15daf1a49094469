package dev.jcni.sdk.types;

/**
 * The well-known CNI error codes. Codes 0-99 are reserved by the spec; plugins use 100 and
 * above for their own errors.
 */
public final class ErrorCodes {
    private ErrorCodes() {
    }

    /** 0: unknown error (Go's {@code ErrUnknown}; not in the spec). */
    public static final int UNKNOWN = 0;
    /** 1: incompatible CNI version. */
    public static final int INCOMPATIBLE_CNI_VERSION = 1;
    /** 2: unsupported field in network configuration; the message must name the key and value. */
    public static final int UNSUPPORTED_FIELD = 2;
    /** 3: container unknown or does not exist; the runtime need not clean up or DEL. */
    public static final int UNKNOWN_CONTAINER = 3;
    /** 4: invalid necessary environment variables; the message must name them. */
    public static final int INVALID_ENVIRONMENT_VARIABLES = 4;
    /** 5: I/O failure, e.g. reading stdin. */
    public static final int IO_FAILURE = 5;
    /** 6: failed to decode content (configuration, version info). */
    public static final int DECODING_FAILURE = 6;
    /** 7: invalid network configuration. */
    public static final int INVALID_NETWORK_CONFIG = 7;
    /** 8: invalid network namespace (Go's {@code ErrInvalidNetNS}; not in the spec). */
    public static final int INVALID_NETNS = 8;
    /** 11: try again later; the condition is transient. */
    public static final int TRY_AGAIN_LATER = 11;
    /** 50: STATUS: the plugin is not available, it cannot service ADD requests. */
    public static final int PLUGIN_NOT_AVAILABLE = 50;
    /** 51: STATUS: not available, and existing containers may have limited connectivity. */
    public static final int PLUGIN_NOT_AVAILABLE_LIMITED_CONNECTIVITY = 51;
    /** 999: internal error; Go's skel gives untyped errors from plugin code this code. */
    public static final int INTERNAL = 999;
}
