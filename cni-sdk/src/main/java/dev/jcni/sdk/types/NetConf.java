package dev.jcni.sdk.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.Decode;
import dev.jcni.sdk.internal.GoJson;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.JsonValues;
import dev.jcni.sdk.internal.ResultCodec;
import dev.jcni.sdk.internal.ResultFamily;
import dev.jcni.sdk.version.SpecVersions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A plugin configuration: the JSON object a plugin reads on stdin. The standard keys are typed;
 * every other key is kept as it came and written back by {@link #toJson()}, so a configuration
 * travels through jcni unchanged. Immutable: the {@code with...} methods return copies.
 *
 * <p>Standard keys are matched exactly as the spec spells them. Their types are checked when the
 * configuration is read ({@code cniVersion}, {@code name}, {@code type} strings; {@code capabilities}
 * an object of booleans; {@code ipMasq} a boolean; {@code ipam}, {@code dns}, {@code args},
 * {@code runtimeConfig} and {@code prevResult} objects; {@code cni.dev/valid-attachments} a list of
 * attachments). The contents of {@code args}, {@code runtimeConfig} and {@code prevResult} are decoded
 * when asked for.
 */
public final class NetConf {
    /** The GC key listing the attachments still valid. */
    public static final String VALID_ATTACHMENTS = "cni.dev/valid-attachments";
    /** The GC key's legacy name, which runtimes also send (cni#1101). */
    public static final String LEGACY_ATTACHMENTS = "cni.dev/attachments";

    private final ObjectNode node;
    /** The text it was read from, for binding (keys in document order, duplicates included); null when built. */
    private final byte[] source;
    private final String cniVersion;
    private final String name;
    private final String type;
    private final Map<String, Boolean> capabilities;
    private final boolean ipMasq;
    private final Optional<Ipam> ipam;
    private final Dns dns;
    private final List<Attachment> validAttachments;

    private NetConf(ObjectNode node, byte[] source) {
        this.node = node;
        this.source = source;
        this.cniVersion = Decode.string(node, "cniVersion", "cniVersion");
        this.name = Decode.string(node, "name", "name");
        this.type = Decode.string(node, "type", "type");
        Map<String, Boolean> caps = new LinkedHashMap<>();
        Optional<JsonNode> capNode = Decode.object(node, "capabilities", "capabilities");
        if (capNode.isPresent()) {
            for (java.util.Iterator<Map.Entry<String, JsonNode>> it = capNode.get().fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isBoolean()) {
                    throw new Decode.DecodeException("cannot unmarshal " + Json.jsonTypeName(e.getValue())
                            + " into capabilities." + e.getKey() + " of type bool");
                }
                caps.put(e.getKey(), e.getValue().booleanValue());
            }
        }
        this.capabilities = Collections.unmodifiableMap(caps);
        this.ipMasq = Decode.bool(node, "ipMasq", "ipMasq");
        Optional<JsonNode> ipamNode = Decode.object(node, "ipam", "ipam");
        this.ipam = ipamNode.isPresent()
                ? Optional.of(new Ipam(Decode.string(ipamNode.get(), "type", "ipam.type"), JsonValues.members(ipamNode.get())))
                : Optional.empty();
        this.dns = ResultCodec.decodeDns(node);
        Decode.object(node, "args", "args");
        Decode.object(node, "runtimeConfig", "runtimeConfig");
        Decode.object(node, "prevResult", "prevResult");
        List<Attachment> atts = new ArrayList<>();
        int i = 0;
        for (JsonNode a : Decode.array(node, VALID_ATTACHMENTS, VALID_ATTACHMENTS)) {
            String p = VALID_ATTACHMENTS + "[" + i++ + "]";
            if (!a.isObject()) {
                throw new Decode.DecodeException("cannot unmarshal " + Json.jsonTypeName(a) + " into " + p + " of type object");
            }
            atts.add(new Attachment(Decode.string(a, "containerID", p + ".containerID"), Decode.string(a, "ifname", p + ".ifname")));
        }
        this.validAttachments = List.copyOf(atts);
    }

    /**
     * Reads a plugin configuration.
     *
     * @param json UTF-8 JSON
     * @return the configuration
     * @throws CniException code 6 when it is not a JSON object or a standard key has the wrong type
     */
    public static NetConf fromJson(byte[] json) {
        JsonNode n;
        try {
            n = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, Json.describe(e));
        }
        return fromTree(n, json.clone());
    }

    private static NetConf fromTree(JsonNode n) {
        return fromTree(n, null);
    }

    private static NetConf fromTree(JsonNode n, byte[] source) {
        if (!n.isObject()) {
            throw new CniException(ErrorCodes.DECODING_FAILURE,
                    "cannot unmarshal " + Json.jsonTypeName(n) + " into a network configuration of type object");
        }
        try {
            return new NetConf((ObjectNode) n, source);
        } catch (Decode.DecodeException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, e.getMessage());
        }
    }

    /**
     * Builds a configuration from plain Java values.
     *
     * @param values key → value (maps, lists, strings, numbers, booleans, jcni records)
     * @return the configuration
     * @throws CniException code 6 when a standard key has the wrong type
     */
    public static NetConf of(Map<String, ?> values) {
        ObjectNode o = Json.object();
        values.forEach((k, v) -> o.set(k, GoJson.encode(v)));
        return fromTree(o);
    }

    /** @return {@code cniVersion}, "" when absent (which means {@value SpecVersions#DEFAULT}) */
    public String cniVersion() {
        return cniVersion;
    }

    /** @return {@code cniVersion}, or {@value SpecVersions#DEFAULT} when absent or empty */
    public String effectiveCniVersion() {
        return cniVersion.isEmpty() ? SpecVersions.DEFAULT : cniVersion;
    }

    /** @return {@code name}, "" when absent */
    public String name() {
        return name;
    }

    /** @return {@code type}, "" when absent */
    public String type() {
        return type;
    }

    /** @return {@code capabilities}: capability name → enabled */
    public Map<String, Boolean> capabilities() {
        return capabilities;
    }

    /** @return {@code ipMasq}, false when absent */
    public boolean ipMasq() {
        return ipMasq;
    }

    /** @return {@code ipam}, when present */
    public Optional<Ipam> ipam() {
        return ipam;
    }

    /** @return {@code dns}, empty when absent */
    public Dns dns() {
        return dns;
    }

    /** @return {@code args}, empty when absent */
    public Args args() {
        return Args.of(node.get("args"));
    }

    /** @return {@code runtimeConfig}, empty when absent */
    public RuntimeConfig runtimeConfig() {
        return RuntimeConfig.of(node.get("runtimeConfig"));
    }

    /** @return {@code cni.dev/valid-attachments} (GC) */
    public List<Attachment> validAttachments() {
        return validAttachments;
    }

    /** @return true when {@code cni.dev/valid-attachments} is present (GC with a list, even an empty one) */
    public boolean hasValidAttachments() {
        return node.has(VALID_ATTACHMENTS) && !node.get(VALID_ATTACHMENTS).isNull();
    }

    /** @return true when a {@code prevResult} object is present */
    public boolean hasPrevResult() {
        return node.has("prevResult") && node.get("prevResult").isObject();
    }

    /**
     * The {@code prevResult}, parsed as Go's {@code version.ParsePrevResult} does and converted to the
     * current model: it must be of the configuration version's family (a prevResult without
     * {@code cniVersion} takes the configuration's).
     *
     * @return the previous result in version {@value SpecVersions#CURRENT}, or empty when absent
     * @throws CniException code 6: {@code could not parse prevResult: result type supports [1.0.0 1.1.0]
     *     but unmarshalled CNIVersion is "0.2.0"} and the like
     */
    public Optional<Result> prevResult() {
        if (!hasPrevResult()) {
            return Optional.empty();
        }
        JsonNode raw = node.get("prevResult");
        String own = raw.path("cniVersion").isTextual() ? raw.get("cniVersion").textValue() : "";
        String effective = own.isEmpty() ? cniVersion : own;
        try {
            ResultFamily family = ResultFamily.of(cniVersion);
            if (!family.versions().contains(effective)) {
                throw new Decode.DecodeException("result type supports " + GoText.list(family.versions())
                        + " but unmarshalled CNIVersion is " + GoText.quote(effective));
            }
            return Optional.of(ResultCodec.decode(raw, effective).convertTo(SpecVersions.CURRENT));
        } catch (Decode.DecodeException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, "could not parse prevResult: " + e.getMessage());
        } catch (CniException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, "could not convert result to current version: " + e.msg());
        }
    }

    /**
     * Any key as plain Java values: objects are {@code Map<String,Object>}, arrays {@code List<Object>},
     * then {@link String}, {@link Boolean}, {@link Long} (or {@link java.math.BigInteger}) and
     * {@link java.math.BigDecimal}; a JSON null inside them is the empty {@link Optional}. A key that
     * is absent or JSON null gives the empty {@code Optional}.
     *
     * @param key the key
     * @return its value
     */
    public Optional<Object> get(String key) {
        return JsonValues.get(node, key);
    }

    /** @return the keys, in the order they came */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return Collections.unmodifiableList(out);
    }

    /**
     * Binds the whole configuration to a record of the plugin author's, the way Go's
     * {@code encoding/json} fills a struct: keys in document order, each matched to a component by
     * its name exactly or else ignoring case (a later key overwrites an earlier one); unknown keys
     * are ignored; JSON null empties an {@code Optional}, {@code List} or {@code Map} and leaves any
     * other component at its zero value; a value of the wrong JSON type is an error ({@code 1.5} into
     * an {@code int}, {@code 5} into a {@code String}, a string into a {@code boolean}, a number out of
     * the Java type's range).
     *
     * <p>Component types: {@code String}, {@code boolean}, {@code int}, {@code long}, {@code double}
     * (and their boxes, which bind as the primitives: never null), {@code BigDecimal}, enums (by
     * constant name), {@code List<T>}, {@code Map<String, T>}, records, {@code Optional<T>} (absent or
     * null: empty), {@code OptionalInt}, {@code OptionalLong}, jcni's types ({@link IpPrefix},
     * {@link MacAddress}, {@link java.net.InetAddress} from their text; {@link Route}, {@link Dns},
     * {@link IpRange}, {@link PortMapping}... as objects) and {@code Object} for any JSON as plain values
     * (see {@link #get(String)}). An absent key gives the zero value ({@code ""}, {@code false},
     * {@code 0}, empty); the types without one ({@code IpPrefix}, {@code MacAddress},
     * {@code InetAddress}, enums, records holding them) must then be {@code Optional}, or the binding
     * fails naming the missing key.
     *
     * @param type the record class (public, or in a package open to module {@code dev.jcni.sdk})
     * @param <T> the type
     * @return the bound value
     * @throws CniException code 6 naming the key path, e.g. {@code cannot unmarshal string into
     *     ipam.ranges[0][0].subnet of type string}
     * @throws IllegalArgumentException when a component's type has no JSON binding
     */
    public <T> T bind(Class<T> type) {
        try {
            return GoJson.bind(bindingSource(), type);
        } catch (GoJson.BindError e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, e.getMessage());
        }
    }

    /**
     * Binds the configuration over defaults, as Go plugins unmarshal into a struct filled
     * beforehand: a key that is absent or JSON null keeps the default's value. Otherwise as
     * {@link #bind(Class)}.
     *
     * @param type the record class
     * @param defaults the values for what the configuration does not set
     * @param <T> the type
     * @return the bound value
     * @throws CniException code 6 naming the key path
     */
    public <T> T bind(Class<T> type, T defaults) {
        try {
            return GoJson.bind(bindingSource(), type, defaults);
        } catch (GoJson.BindError e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, e.getMessage());
        }
    }

    private byte[] bindingSource() {
        return source != null ? source : Json.write(node);
    }

    /**
     * A copy with a key set (added at the end, or replaced in place).
     *
     * @param key the key
     * @param value plain Java values or jcni records
     * @return the copy
     * @throws CniException code 6 when a standard key gets the wrong type
     */
    public NetConf with(String key, Object value) {
        ObjectNode copy = node.deepCopy();
        copy.set(key, GoJson.encode(value));
        return fromTree(copy);
    }

    /**
     * A copy with a key set to JSON text.
     *
     * @param key the key
     * @param json UTF-8 JSON
     * @return the copy
     * @throws CniException code 6 when the text is not JSON or a standard key gets the wrong type
     */
    public NetConf withJson(String key, byte[] json) {
        ObjectNode copy = node.deepCopy();
        try {
            copy.set(key, Json.parse(json));
        } catch (JsonProcessingException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, Json.describe(e));
        }
        return fromTree(copy);
    }

    /**
     * A copy with {@code prevResult} set to a result, in the result's own version.
     *
     * @param result the result
     * @return the copy
     */
    public NetConf withPrevResult(Result result) {
        ObjectNode copy = node.deepCopy();
        copy.set("prevResult", ResultCodec.encode(result));
        return fromTree(copy);
    }

    /**
     * A copy without a key.
     *
     * @param key the key
     * @return the copy
     */
    public NetConf without(String key) {
        ObjectNode copy = node.deepCopy();
        copy.remove(key);
        return fromTree(copy);
    }

    /** @return the compact JSON, keys in the order they came */
    public byte[] toJson() {
        return Json.write(node);
    }

    /** @return the compact JSON with keys sorted recursively, as Go's libcni re-marshals configurations */
    public byte[] toSortedJson() {
        return Json.writeSorted(node);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetConf c && Json.semanticEquals(node, c.node);
    }

    @Override
    public int hashCode() {
        return Json.semanticHash(node);
    }

    /** @return the compact JSON text */
    @Override
    public String toString() {
        return Json.text(toJson());
    }
}
