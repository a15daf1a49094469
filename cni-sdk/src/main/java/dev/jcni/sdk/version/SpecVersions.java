package dev.jcni.sdk.version;

import java.util.ArrayList;
import java.util.List;

/**
 * The CNI spec versions this library knows, and {@code cniVersions} negotiation.
 *
 * <p>Versions are strings, as on the wire: plugins match them exactly ({@code "1.1"} is not
 * {@code "1.1.0"}), while ordering uses {@link Version}.
 */
public final class SpecVersions {
    private SpecVersions() {
    }

    /** The newest spec version, and the version of results built by plugin code. */
    public static final String CURRENT = "1.1.0";

    /** Every supported version, oldest first. */
    public static final List<String> ALL = List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");

    /** The versions with the {@code ip4}/{@code ip6} result shape. */
    public static final List<String> LEGACY = List.of("0.1.0", "0.2.0");

    /** The version a configuration without {@code cniVersion} has (Go's behaviour; see docs/spec-decisions.md). */
    public static final String DEFAULT = "0.1.0";

    /**
     * Tells whether a version string is one of {@link #ALL} (exact match; "" counts as 0.1.0).
     *
     * @param version the version
     * @return true when supported
     */
    public static boolean isSupported(String version) {
        return ALL.contains(version.isEmpty() ? DEFAULT : version);
    }

    /**
     * Picks the version of a configuration list without {@code cniVersions}, as libcni does: its
     * {@code cniVersion} as given.
     *
     * @param cniVersion the list's {@code cniVersion} ("" when absent)
     * @return the version to use
     */
    public static String negotiate(String cniVersion) {
        return cniVersion;
    }

    /**
     * Picks a configuration list's version as libcni does when it has {@code cniVersions}: the
     * highest of {@code cniVersions} ∪ {@code cniVersion} that is not above {@link #CURRENT}, or
     * {@code cniVersion} when none qualifies.
     *
     * @param cniVersion the list's {@code cniVersion} ("" when absent)
     * @param cniVersions the list's {@code cniVersions} (present, possibly empty)
     * @return the version to use
     * @throws IllegalArgumentException {@code invalid cniVersions entry <v> at index <i>: <why>} or
     *     {@code invalid cniVersion <v>: <why>}
     */
    public static String negotiate(String cniVersion, List<String> cniVersions) {
        List<String> candidates = new ArrayList<>();
        for (int i = 0; i < cniVersions.size(); i++) {
            String v = cniVersions.get(i);
            try {
                if (!Version.greaterThan(v, CURRENT)) {
                    candidates.add(v);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid cniVersions entry " + v + " at index " + i + ": " + e.getMessage(), e);
            }
        }
        if (!cniVersion.isEmpty()) {
            try {
                if (!Version.greaterThan(cniVersion, CURRENT)) {
                    candidates.add(cniVersion);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid cniVersion " + cniVersion + ": " + e.getMessage(), e);
            }
        }
        String best = null;
        for (String c : candidates) {
            if (best == null || !Version.greaterThan(best, c)) {
                best = c;
            }
        }
        return best == null ? cniVersion : best;
    }
}
