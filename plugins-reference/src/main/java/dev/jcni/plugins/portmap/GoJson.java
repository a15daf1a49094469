package dev.jcni.plugins.portmap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads portmap's keys the way Go's {@code encoding/json} fills {@code PortMapConf}: names match
 * case-insensitively (when several keys match, the last one in the document wins, as Go assigns them
 * in order), JSON null leaves the default, and a value of the wrong JSON type is a decoding error
 * (code 6) in Go's words.
 */
final class GoJson {
    private GoJson() {
    }

    /** The Go struct the errors name, as Go's decoder does. */
    static final String STRUCT = "PortMapConf";

    /**
     * @param object a JSON object (anything else has no fields)
     * @param key the Go field's JSON name
     * @return the value of the last key matching case-insensitively; null when absent or JSON null
     */
    static JsonNode field(JsonNode object, String key) {
        if (object == null || !object.isObject()) {
            return null;
        }
        JsonNode found = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(key)) {
                found = e.getValue();
            }
        }
        return found == null || found.isNull() ? null : found;
    }

    static CniException typeError(JsonNode value, String path, String goType) {
        String what = Json.jsonTypeName(value);
        if (value.isNumber()) {
            what = "number " + value.asText();
        }
        return new CniException(ErrorCodes.DECODING_FAILURE, "failed to parse network configuration: json: cannot unmarshal "
                + what + " into Go struct field " + STRUCT + "." + path + " of type " + goType);
    }

    static Optional<Boolean> bool(JsonNode object, String key, String path) {
        JsonNode v = field(object, key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isBoolean()) {
            throw typeError(v, path, "bool");
        }
        return Optional.of(v.booleanValue());
    }

    static Optional<String> string(JsonNode object, String key, String path) {
        JsonNode v = field(object, key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw typeError(v, path, "string");
        }
        return Optional.of(v.textValue());
    }

    /** A Go {@code int} (64 bits): integral JSON numbers only. */
    static Optional<Long> integer(JsonNode object, String key, String path) {
        JsonNode v = field(object, key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw typeError(v, path, "int");
        }
        return Optional.of(v.longValue());
    }

    static Optional<List<String>> strings(JsonNode object, String key, String path) {
        JsonNode v = field(object, key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isArray()) {
            throw typeError(v, path, "[]string");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (e.isNull()) {
                out.add("");
            } else if (e.isTextual()) {
                out.add(e.textValue());
            } else {
                throw typeError(e, path, "string");
            }
        }
        return Optional.of(List.copyOf(out));
    }

    static Optional<JsonNode> object(JsonNode object, String key, String path, String goType) {
        JsonNode v = field(object, key);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isObject()) {
            throw typeError(v, path, goType);
        }
        return Optional.of(v);
    }

    static List<JsonNode> array(JsonNode object, String key, String path, String goType) {
        JsonNode v = field(object, key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            throw typeError(v, path, goType);
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }
}
