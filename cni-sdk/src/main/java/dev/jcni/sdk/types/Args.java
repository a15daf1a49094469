package dev.jcni.sdk.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.Decode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.JsonValues;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code args} key of a plugin configuration, with typed access to the {@code args.cni}
 * conventions ({@code ips}, {@code labels}). Decoded on demand; a malformed value the plugin reads
 * gives a {@link CniException} with code 6. Immutable.
 */
public final class Args {
    private static final Args EMPTY = new Args(Json.object());

    private final ObjectNode node;

    private Args(ObjectNode node) {
        this.node = node;
    }

    /** @return args without keys */
    public static Args empty() {
        return EMPTY;
    }

    static Args of(JsonNode node) {
        return node == null || !node.isObject() ? EMPTY : new Args(node.deepCopy());
    }

    /** @return true when there are no args */
    public boolean isEmpty() {
        return node.isEmpty();
    }

    /**
     * @param key a key of {@code args}
     * @return its value as plain Java values
     */
    public Optional<Object> get(String key) {
        return JsonValues.get(node, key);
    }

    /**
     * @param key a key of {@code args.cni}
     * @return its value as plain Java values
     */
    public Optional<Object> cni(String key) {
        JsonNode cni = node.get("cni");
        return JsonValues.get(node.get("cni"), key);
    }

    /** @return every key as plain Java values */
    public Map<String, Object> values() {
        return JsonValues.members(node);
    }

    private <T> T decode(String key, Supplier<T> f) {
        try {
            return f.get();
        } catch (Decode.DecodeException | IllegalArgumentException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, "failed to decode args.cni." + key + ": " + e.getMessage());
        }
    }

    private JsonNode cniNode() {
        return Decode.object(node, "cni", "args.cni").orElse(Json.object());
    }

    /** @return {@code args.cni.ips}: requested addresses */
    public List<IpRequest> ips() {
        return decode("ips", () -> Decode.strings(cniNode(), "ips", "args.cni.ips").stream().map(IpRequest::parse).toList());
    }

    /** @return {@code args.cni.labels} */
    public List<Label> labels() {
        return decode("labels", () -> {
            List<Label> out = new ArrayList<>();
            int i = 0;
            for (JsonNode l : Decode.array(cniNode(), "labels", "args.cni.labels")) {
                String p = "args.cni.labels[" + i++ + "]";
                out.add(new Label(Decode.string(l, "key", p + ".key"), Decode.string(l, "value", p + ".value")));
            }
            return List.copyOf(out);
        });
    }

    /**
     * A string under {@code args.cni}, e.g. {@code mac} for the bridge plugin.
     *
     * @param key the key
     * @return the string
     */
    public Optional<String> cniString(String key) {
        return decode(key, () -> Decode.optionalString(cniNode(), key, "args.cni." + key));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Args a && Json.semanticEquals(node, a.node);
    }

    @Override
    public int hashCode() {
        return Json.semanticHash(node);
    }

    @Override
    public String toString() {
        return Json.text(Json.write(node));
    }
}
