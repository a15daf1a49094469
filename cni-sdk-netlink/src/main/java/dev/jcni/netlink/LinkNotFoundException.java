package dev.jcni.netlink;

/**
 * No link has the name or index asked for (Go's {@code netlink.LinkNotFoundError}).
 * Its message is {@code Link not found} followed by the name or index.
 */
public final class LinkNotFoundException extends NetlinkException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The name or index looked up. */
    private final String link;

    /**
     * @param link the name, or the index as text, that was looked up
     */
    public LinkNotFoundException(String link) {
        super("link lookup", Errno.ENODEV, "", "Link not found: " + link);
        this.link = link;
    }

    /**

     * @return the name, or the index as text, that was looked up

     */
    public String link() {
        return link;
    }
}
