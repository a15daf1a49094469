package dev.jcni.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one rule for arbitrary JSON in jcni's public API ("plain values"): a JSON object is an
 * unmodifiable {@code Map<String, Object>} in document order, an array an unmodifiable
 * {@code List<Object>}, then {@link String}, {@link Boolean}, {@link Long} (or
 * {@link java.math.BigInteger} beyond it) and {@link java.math.BigDecimal}; JSON null is the empty
 * {@link Optional}, wherever JSON allows a null (object members and array elements included).
 *
 * <p>What a caller hands in (maps, lists, strings, numbers, booleans, jcni records and value
 * types, Java null or an empty {@code Optional} for JSON null) is deep-copied into that form:
 * changing the caller's map afterwards changes nothing, and what comes out never holds a Java
 * null.
 */
public final class JsonValues {
    private JsonValues() {
    }

    /**
     * A tree as plain values.
     *
     * @param node a tree (null or a missing node count as JSON null)
     * @return the plain value; the empty {@code Optional} for JSON null
     */
    public static Object toPlain(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return Optional.empty();
        }
        if (node.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), toPlain(e.getValue()));
            }
            return Collections.unmodifiableMap(m);
        }
        if (node.isArray()) {
            List<Object> l = new ArrayList<>(node.size());
            for (JsonNode c : node) {
                l.add(toPlain(c));
            }
            return Collections.unmodifiableList(l);
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        return node.asText();
    }

    /**
     * A key of an object as a plain value; JSON null and absence are both empty.
     *
     * @param object an object node (anything else has no keys)
     * @param key the key
     * @return the value
     */
    public static Optional<Object> get(JsonNode object, String key) {
        JsonNode n = object == null ? null : object.get(key);
        return Decode.absent(n) ? Optional.empty() : Optional.of(toPlain(n));
    }

    /**
     * An object node as plain values.
     *
     * @param object an object node
     * @return its members
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> members(JsonNode object) {
        return object == null || !object.isObject() ? Map.of() : (Map<String, Object>) toPlain(object);
    }

    /**
     * A deep, unmodifiable copy of Java values in the plain form.
     *
     * @param value maps, lists, strings, numbers, booleans, jcni records and value types; null or an
     *     empty {@code Optional} for JSON null
     * @return the plain value
     * @throws IllegalArgumentException for a value with no JSON form
     */
    public static Object copy(Object value) {
        return toPlain(GoJson.encode(value));
    }

    /**
     * A deep, unmodifiable copy of a JSON object given as a map.
     *
     * @param values the members (values as for {@link #copy(Object)})
     * @return the plain object, in the map's order
     */
    public static Map<String, Object> copyObject(Map<String, ?> values) {
        return values.isEmpty() ? Map.of() : members(GoJson.encode(values));
    }
}
