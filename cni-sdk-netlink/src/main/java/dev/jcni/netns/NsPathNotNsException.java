package dev.jcni.netns;

/**
 * The path exists but is not a network namespace (Go: {@code ns.NSPathNotNSErr}); its message is
 * Go's, {@code unknown FS magic on "<path>": <hex>}.
 */
public final class NsPathNotNsException extends NetNsException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * @param path the path
     * @param magic the file system magic statfs reported
     */
    public NsPathNotNsException(String path, long magic) {
        super("statfs", 0, "unknown FS magic on \"" + path + "\": " + Long.toHexString(magic));
    }
}
