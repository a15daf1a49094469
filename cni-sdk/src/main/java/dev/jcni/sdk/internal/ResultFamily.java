package dev.jcni.sdk.internal;

import dev.jcni.sdk.internal.Decode.DecodeException;

/** The three JSON shapes of results. */
public enum ResultFamily {
    /** 0.1.0 and 0.2.0 (and ""): {@code ip4}/{@code ip6}. */
    V020,
    /** 0.3.0, 0.3.1, 0.4.0: {@code ips[].version}. */
    V040,
    /** 1.0.0, 1.1.0. */
    V100;

    /**
     * @param version a version string
     * @return its family
     * @throws DecodeException {@code unsupported CNI result version "<v>"}
     */
    public static ResultFamily of(String version) {
        return switch (version) {
            case "", "0.1.0", "0.2.0" -> V020;
            case "0.3.0", "0.3.1", "0.4.0" -> V040;
            case "1.0.0", "1.1.0" -> V100;
            default -> throw new DecodeException("unsupported CNI result version " + GoText.quote(version));
        };
    }

    /** @return the versions of this family, as Go's result creators list them */
    public java.util.List<String> versions() {
        return switch (this) {
            case V020 -> java.util.List.of("", "0.1.0", "0.2.0");
            case V040 -> java.util.List.of("0.3.0", "0.3.1", "0.4.0");
            case V100 -> java.util.List.of("1.0.0", "1.1.0");
        };
    }
}
