package dev.jcni.plugins.firewall;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Chain names, hashes and comments exactly as the Go plugins make them, so that state created by a
 * Go plugin is found and removed by jcni's and the reverse.
 */
public final class Names {
    private Names() {
    }

    /** The longest chain name iptables accepts, as the Go plugins use it. */
    public static final int MAX_CHAIN_LENGTH = 28;

    /**
     * Go's {@code MustFormatHashWithPrefix}: {@code (prefix + hex(sha512(toHash)))[:length]}.
     *
     * @param length the total length
     * @param prefix the prefix
     * @param toHash the string hashed
     * @return the name
     */
    public static String hashWithPrefix(int length, String prefix, String toHash) {
        if (prefix.length() >= length || length > 128 + prefix.length()) {
            throw new IllegalArgumentException("invalid length");
        }
        return (prefix + sha512Hex(toHash)).substring(0, length);
    }

    /**
     * Go's {@code FormatChainName}: {@code CNI-} and the hash of network name + container id.
     *
     * @param network the network name
     * @param containerId the container id
     * @return a 28-character chain name
     */
    public static String chainName(String network, String containerId) {
        return hashWithPrefix(MAX_CHAIN_LENGTH, "CNI-", network + containerId);
    }

    /**
     * Go's {@code MustFormatChainNameWithPrefix}: {@code CNI-<prefix>} and the hash.
     *
     * @param network the network name
     * @param containerId the container id
     * @param prefix e.g. {@code DN-}
     * @return a 28-character chain name
     */
    public static String chainName(String network, String containerId, String prefix) {
        return hashWithPrefix(MAX_CHAIN_LENGTH, "CNI-" + prefix, network + containerId);
    }

    /**
     * Go's {@code FormatComment}: {@code name: "<net>" id: "<cid>"}.
     *
     * @param network the network name
     * @param containerId the container id
     * @return the comment
     */
    public static String comment(String network, String containerId) {
        return "name: \"" + network + "\" id: \"" + containerId + "\"";
    }

    /**
     * @param s a string
     * @return the lowercase hex SHA-512 of its UTF-8 bytes
     */
    public static String sha512Hex(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-512").digest(s.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder(d.length * 2);
            for (byte b : d) {
                sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
