package dev.jcni.netns;

/**
 * A thread could not return to its network namespace after {@link NetNs#run} or {@link NetNs#call}
 * and was retired (policy {@link NetNs.RestoreFailurePolicy#RETIRE}): end the thread, never give it
 * more work. The body's own failure, if any, is attached as suppressed.
 */
public class NsRestoreException extends NetNsException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * @param message the full message
     * @param cause why setns failed
     */
    public NsRestoreException(String message, Throwable cause) {
        super("setns", 0, message, cause);
    }
}
