package dev.jcni.netlink;

import java.util.Optional;

/**
 * A failure talking to the kernel: a system call, a netlink request, a namespace operation.
 * The root of jcni's kernel exception hierarchy.
 *
 * <p>The message names the operation and the error, e.g. {@code setns: EINVAL (Invalid argument)}
 * or {@code RTM_NEWLINK "veth0": EEXIST (File exists)}, followed by the kernel's extended-ack
 * text when the kernel sent one.
 */
public class NetlinkException extends RuntimeException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** What failed. */
    private final String operation;
    /** The errno, or 0. */
    private final int errno;
    /** The kernel's extended-ack text, "" when none. */
    private final String extAck;

    /**
     * An error with an errno and no extended ack.
     *
     * @param operation what failed, e.g. {@code setns} or {@code RTM_NEWLINK}
     * @param errno the positive error number, or 0 when no errno applies
     */
    public NetlinkException(String operation, int errno) {
        this(operation, errno, "");
    }

    /**
     * An error with an errno.
     *
     * @param operation what failed, e.g. {@code setns} or {@code RTM_NEWLINK}
     * @param errno the positive error number, or 0 when no errno applies
     * @param extAck the kernel's extended-ack message, "" when it sent none
     */
    public NetlinkException(String operation, int errno, String extAck) {
        this(operation, errno, extAck, format(operation, errno, extAck));
    }

    /**
     * An error with a message of its own.
     *
     * @param operation what failed
     * @param errno the positive error number, or 0 when no errno applies
     * @param extAck the kernel's extended-ack message, "" when none
     * @param message the full message
     */
    protected NetlinkException(String operation, int errno, String extAck, String message) {
        super(message);
        this.operation = operation;
        this.errno = errno;
        this.extAck = extAck;
    }

    /**
     * An error with a message of its own and a cause.
     *
     * @param operation what failed
     * @param errno the positive error number, or 0 when no errno applies
     * @param extAck the kernel's extended-ack message, "" when none
     * @param message the full message
     * @param cause the cause
     */
    protected NetlinkException(String operation, int errno, String extAck, String message, Throwable cause) {
        super(message, cause);
        this.operation = operation;
        this.errno = errno;
        this.extAck = extAck;
    }

    /**
     * An error without an errno.
     *
     * @param operation what failed
     * @param message the full message
     * @return the exception
     */
    public static NetlinkException of(String operation, String message) {
        return new NetlinkException(operation, 0, "", message);
    }

    /**
     * An error without an errno, with a cause.
     *
     * @param operation what failed
     * @param message the full message
     * @param cause the cause
     * @return the exception
     */
    public static NetlinkException of(String operation, String message, Throwable cause) {
        return new NetlinkException(operation, 0, "", message, cause);
    }

    /**
     * An error with an errno and a message of its own (not from the kernel's extended ack).
     *
     * @param operation what failed
     * @param errno the positive error number
     * @param message the full message
     * @return the exception
     */
    public static NetlinkException of(String operation, int errno, String message) {
        return new NetlinkException(operation, errno, "", message);
    }

    /**

     * @return what failed, e.g. {@code setns} or {@code RTM_NEWLINK}

     */
    public String operation() {
        return operation;
    }

    /**

     * @return the positive error number (compare with {@link Errno}), or 0 when no errno applies

     */
    public int errno() {
        return errno;
    }

    /**

     * @return the errno's symbolic name, e.g. {@code EEXIST}, or empty when there is no errno

     */
    public Optional<String> errnoName() {
        return errno == 0 ? Optional.empty() : Optional.of(Errno.name(errno));
    }

    /**

     * @return the kernel's extended-ack message (NETLINK_EXT_ACK), when it sent one

     */
    public Optional<String> extAck() {
        return extAck.isEmpty() ? Optional.empty() : Optional.of(extAck);
    }

    static String format(String operation, int errno, String extAck) {
        StringBuilder sb = new StringBuilder(operation);
        if (errno != 0) {
            sb.append(": ").append(Errno.describe(errno));
        }
        if (!extAck.isEmpty()) {
            sb.append(": ").append(extAck);
        }
        return sb.toString();
    }
}
