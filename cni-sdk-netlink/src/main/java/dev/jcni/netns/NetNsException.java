package dev.jcni.netns;

import dev.jcni.netlink.NetlinkException;

/** A network namespace could not be opened, created, entered or deleted (Go: errors of {@code pkg/ns}). */
public class NetNsException extends NetlinkException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * @param operation what failed
     * @param errno the errno, or 0
     * @param message the full message
     */
    public NetNsException(String operation, int errno, String message) {
        super(operation, errno, "", message);
    }

    /**
     * @param operation what failed
     * @param errno the errno, or 0
     * @param message the full message
     * @param cause the cause
     */
    public NetNsException(String operation, int errno, String message, Throwable cause) {
        super(operation, errno, "", message, cause);
    }
}
