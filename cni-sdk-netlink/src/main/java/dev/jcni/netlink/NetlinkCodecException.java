package dev.jcni.netlink;

/**
 * A netlink message or attribute that does not decode: a length that runs past its buffer, an
 * attribute too short for its type, a truncated message. The only exception the decoder throws.
 */
public final class NetlinkCodecException extends NetlinkException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /**
     * @param message what is wrong with the bytes
     */
    public NetlinkCodecException(String message) {
        super("netlink decode", Errno.EBADMSG, "", "netlink decode: " + message);
    }
}
