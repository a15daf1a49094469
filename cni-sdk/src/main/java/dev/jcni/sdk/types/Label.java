package dev.jcni.sdk.types;

import java.util.Objects;

/**
 * A label of {@code args.cni.labels} (CONVENTIONS.md).
 *
 * @param key the key
 * @param value the value
 */
public record Label(String key, String value) {
    /** Checks that no component is null. */
    public Label {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
