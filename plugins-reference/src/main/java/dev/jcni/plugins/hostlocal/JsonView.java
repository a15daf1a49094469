package dev.jcni.plugins.hostlocal;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A JSON object of the configuration as plain Java values, read the way Go's {@code encoding/json}
 * fills a struct: keys match case-insensitively (an exact match wins, otherwise the last key that
 * matches), JSON null counts as absent, and a value of the wrong JSON type is a decoding error
 * (code 6) naming its path.
 *
 * @param values the object's keys and values
 * @param path where the object is, for error texts ("" for the top level)
 */
record JsonView(Map<String, Object> values, String path) {

    JsonView {
        values = java.util.Collections.unmodifiableMap(values); // keeps the key order
    }

    Optional<Object> get(String key) {
        Object exact = values.get(key);
        if (exact != null) {
            return present(exact);
        }
        Object found = null;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (e.getKey().equalsIgnoreCase(key)) {
                found = e.getValue();
            }
        }
        return present(found);
    }

    private static Optional<Object> present(Object v) {
        return v == null || (v instanceof Optional<?> o && o.isEmpty()) ? Optional.empty() : Optional.of(v);
    }

    String at(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    Optional<String> string(String key) {
        return get(key).map(v -> asString(v, at(key)));
    }

    Optional<JsonView> object(String key) {
        return get(key).map(v -> asObject(v, at(key)));
    }

    Optional<List<Object>> array(String key) {
        return get(key).map(v -> asArray(v, at(key)));
    }

    OptionalInt integer(String key) {
        Optional<Object> v = get(key);
        return v.isEmpty() ? OptionalInt.empty() : OptionalInt.of(asInt(v.get(), at(key)));
    }

    static String asString(Object v, String where) {
        if (v instanceof String s) {
            return s;
        }
        throw typeError(v, where, "string");
    }

    @SuppressWarnings("unchecked")
    static JsonView asObject(Object v, String where) {
        if (v instanceof Map<?, ?> m) {
            return new JsonView((Map<String, Object>) m, where);
        }
        throw typeError(v, where, "object");
    }

    @SuppressWarnings("unchecked")
    static List<Object> asArray(Object v, String where) {
        if (v instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw typeError(v, where, "array");
    }

    static int asInt(Object v, String where) {
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
            return l.intValue();
        }
        throw typeError(v, where, "int");
    }

    /** @return true for JSON null (absent) */
    static boolean isNull(Object v) {
        return v == null || (v instanceof Optional<?> o && o.isEmpty());
    }

    static CniException typeError(Object v, String where, String type) {
        return new CniException(ErrorCodes.DECODING_FAILURE,
                "cannot unmarshal " + jsonType(v) + " into " + where + " of type " + type);
    }

    private static String jsonType(Object v) {
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof Long || v instanceof BigInteger || v instanceof BigDecimal) {
            return "number";
        }
        if (v instanceof List<?>) {
            return "array";
        }
        if (v instanceof Map<?, ?>) {
            return "object";
        }
        return "null";
    }
}
