package dev.jcni.sdk.version;

import dev.jcni.sdk.internal.GoText;

/**
 * A CNI spec version: one to three numeric parts, parsed and compared exactly as Go's
 * {@code version.ParseVersion} / {@code GreaterThan} do. {@code ""} is 0.1.0. There is no
 * pre-release or build metadata.
 *
 * @param major the first part
 * @param minor the second part (0 when absent)
 * @param micro the third part (0 when absent)
 */
public record Version(long major, long minor, long micro) implements Comparable<Version> {

    /**
     * Parses a version.
     *
     * @param text e.g. {@code 1.1.0}, {@code 0.4}, {@code 1} or {@code ""}
     * @return the version
     * @throws IllegalArgumentException with Go's message: {@code invalid version "1.2.3.4": too many parts},
     *     {@code failed to convert major version part "v1": strconv.Atoi: parsing "v1": invalid syntax}
     */
    public static Version parse(String text) {
        if (text.isEmpty()) {
            return new Version(0, 1, 0);
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length >= 4) {
            throw new IllegalArgumentException("invalid version " + GoText.quote(text) + ": too many parts");
        }
        long major = atoi("major", parts[0]);
        long minor = parts.length >= 2 ? atoi("minor", parts[1]) : 0;
        long micro = parts.length >= 3 ? atoi("micro", parts[2]) : 0;
        return new Version(major, minor, micro);
    }

    private static long atoi(String which, String part) {
        try {
            return GoText.atoi(part);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("failed to convert " + which + " version part " + GoText.quote(part)
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code a > b} by version order.
     *
     * @param a a version string
     * @param b another version string
     * @return true when a is greater
     * @throws IllegalArgumentException when either does not parse
     */
    public static boolean greaterThan(String a, String b) {
        return parse(a).compareTo(parse(b)) > 0;
    }

    /**
     * {@code a >= b} by version order.
     *
     * @param a a version string
     * @param b another version string
     * @return true when a is greater or equal
     * @throws IllegalArgumentException when either does not parse
     */
    public static boolean greaterThanOrEqualTo(String a, String b) {
        return parse(a).compareTo(parse(b)) >= 0;
    }

    @Override
    public int compareTo(Version o) {
        int c = Long.compare(major, o.major);
        if (c == 0) {
            c = Long.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Long.compare(micro, o.micro);
        }
        return c;
    }

    /** @return {@code major.minor.micro} */
    @Override
    public String toString() {
        return major + "." + minor + "." + micro;
    }
}
