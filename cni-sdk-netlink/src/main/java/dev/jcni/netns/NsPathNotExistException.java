package dev.jcni.netns;

import dev.jcni.netlink.Errno;

/**
 * The namespace path does not exist (Go: {@code ns.NSPathNotExistErr}); its message is Go's,
 * {@code failed to Statfs "<path>": no such file or directory}.
 */
public final class NsPathNotExistException extends NetNsException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**

     * @param path the path

     */
    public NsPathNotExistException(String path) {
        super("statfs", Errno.ENOENT, "failed to Statfs \"" + path + "\": " + NetNs.goText(Errno.ENOENT));
    }
}
