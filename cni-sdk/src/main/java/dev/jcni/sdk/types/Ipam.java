package dev.jcni.sdk.types;

import dev.jcni.sdk.internal.JsonValues;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code ipam} key of a plugin configuration: the IPAM plugin's {@code type} and its other keys.
 *
 * @param type the IPAM plugin to delegate to, "" when not set (a bridge in L2 mode)
 * @param values every key of the object as plain Java values (see {@link NetConf#get(String)})
 */
public record Ipam(String type, Map<String, Object> values) {
    /** Checks that no component is null; deep-copies the values into plain values. */
    public Ipam {
        Objects.requireNonNull(type, "type");
        values = JsonValues.copyObject(values);
    }
}
