package dev.jcni.sdk.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Typed reads from a JSON tree with path-aware errors ({@link DecodeException}). A JSON null is
 * treated as absent, as Go's {@code encoding/json} does for pointers, slices and maps.
 */
public final class Decode {
    private Decode() {
    }

    /** A decoding failure; the message names the JSON path and the problem. */
    public static final class DecodeException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message the message
         */
        public DecodeException(String message) {
            super(message);
        }
    }

    /**
     * @param node a value
     * @return true for a missing key or JSON null
     */
    public static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    private static DecodeException typeError(String path, String expected, JsonNode got) {
        return new DecodeException("cannot unmarshal " + Json.jsonTypeName(got) + " into " + path + " of type " + expected);
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the object value, or empty when absent
     */
    public static Optional<JsonNode> object(JsonNode parent, String key, String path) {
        JsonNode n = parent.get(key);
        if (absent(n)) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            throw typeError(path, "object", n);
        }
        return Optional.of(n);
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the array elements, empty when absent
     */
    public static List<JsonNode> array(JsonNode parent, String key, String path) {
        JsonNode n = parent.get(key);
        if (absent(n)) {
            return List.of();
        }
        if (!n.isArray()) {
            throw typeError(path, "array", n);
        }
        List<JsonNode> out = new ArrayList<>(n.size());
        for (JsonNode e : n) {
            out.add(e);
        }
        return out;
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the string, "" when absent
     */
    public static String string(JsonNode parent, String key, String path) {
        JsonNode n = parent.get(key);
        if (absent(n)) {
            return "";
        }
        if (!n.isTextual()) {
            throw typeError(path, "string", n);
        }
        return n.textValue();
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the string, empty when absent
     */
    public static Optional<String> optionalString(JsonNode parent, String key, String path) {
        JsonNode n = parent.get(key);
        if (absent(n)) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw typeError(path, "string", n);
        }
        return Optional.of(n.textValue());
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the strings, empty when absent
     */
    public static List<String> strings(JsonNode parent, String key, String path) {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (JsonNode e : array(parent, key, path)) {
            if (!e.isTextual()) {
                throw typeError(path + "[" + i + "]", "string", e);
            }
            out.add(e.textValue());
            i++;
        }
        return List.copyOf(out);
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the boolean, false when absent
     */
    public static boolean bool(JsonNode parent, String key, String path) {
        JsonNode n = parent.get(key);
        if (absent(n)) {
            return false;
        }
        if (!n.isBoolean()) {
            throw typeError(path, "bool", n);
        }
        return n.booleanValue();
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the int, empty when absent
     */
    public static OptionalInt optionalInt(JsonNode parent, String key, String path) {
        JsonNode n = parent.get(key);
        if (absent(n)) {
            return OptionalInt.empty();
        }
        if (!n.isIntegralNumber() && !(n.isNumber() && n.decimalValue().stripTrailingZeros().scale() <= 0)) {
            throw typeError(path, "int", n);
        }
        if (!n.canConvertToInt()) {
            throw new DecodeException("value " + n.asText() + " out of range for " + path);
        }
        return OptionalInt.of(n.intValue());
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the int, 0 when absent
     */
    public static int integer(JsonNode parent, String key, String path) {
        return optionalInt(parent, key, path).orElse(0);
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the long, 0 when absent
     */
    public static long longValue(JsonNode parent, String key, String path) {
        JsonNode n = parent.get(key);
        if (absent(n)) {
            return 0;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw typeError(path, "int64", n);
        }
        return n.longValue();
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the IP, empty when absent
     */
    public static Optional<InetAddress> ip(JsonNode parent, String key, String path) {
        Optional<String> s = optionalString(parent, key, path);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Ip.parse(s.get()));
        } catch (IllegalArgumentException e) {
            throw new DecodeException("invalid IP address: " + s.get());
        }
    }

    /**
     * @param parent an object
     * @param key the key
     * @param path the path for messages
     * @return the prefix, empty when absent
     */
    public static Optional<IpPrefix> prefix(JsonNode parent, String key, String path) {
        Optional<String> s = optionalString(parent, key, path);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(IpPrefix.parse(s.get()));
        } catch (IllegalArgumentException e) {
            throw new DecodeException(e.getMessage());
        }
    }
}
