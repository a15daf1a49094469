package dev.jcni.sdk.types;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.Decode;
import dev.jcni.sdk.internal.GoJson;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.JsonValues;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@code runtimeConfig} of a plugin configuration: the capability arguments the runtime passed,
 * with typed access to the well-known capabilities of CONVENTIONS.md. Each accessor decodes its key
 * on demand, so a malformed capability the plugin does not use does no harm; a malformed one it does
 * use gives a {@link CniException} with code 6. Immutable.
 */
public final class RuntimeConfig {
    /** The capability names of CONVENTIONS.md (and the CRI pod-annotations convention). */
    public static final String PORT_MAPPINGS = "portMappings";
    /** Capability {@code ipRanges}. */
    public static final String IP_RANGES = "ipRanges";
    /** Capability {@code bandwidth}. */
    public static final String BANDWIDTH = "bandwidth";
    /** Capability {@code dns}. */
    public static final String DNS = "dns";
    /** Capability {@code ips}. */
    public static final String IPS = "ips";
    /** Capability {@code mac}. */
    public static final String MAC = "mac";
    /** Capability {@code infinibandGUID}. */
    public static final String INFINIBAND_GUID = "infinibandGUID";
    /** Capability {@code deviceID}. */
    public static final String DEVICE_ID = "deviceID";
    /** Capability {@code aliases}. */
    public static final String ALIASES = "aliases";
    /** Capability {@code cgroupPath}. */
    public static final String CGROUP_PATH = "cgroupPath";
    /** Capability {@code io.kubernetes.cri.pod-annotations} (a containerd/CRI-O convention). */
    public static final String POD_ANNOTATIONS = "io.kubernetes.cri.pod-annotations";

    private static final RuntimeConfig EMPTY = new RuntimeConfig(Json.object());

    private final ObjectNode node;

    private RuntimeConfig(ObjectNode node) {
        this.node = node;
    }

    /** @return a runtime config without keys */
    public static RuntimeConfig empty() {
        return EMPTY;
    }

    static RuntimeConfig of(JsonNode node) {
        return node == null || !node.isObject() ? EMPTY : new RuntimeConfig(node.deepCopy());
    }

    /**
     * Builds a runtime config from plain values, e.g. {@code Map.of("portMappings", List.of(...))}.
     *
     * @param values capability name → value (maps, lists, strings, numbers, booleans, or jcni records)
     * @return the runtime config
     */
    public static RuntimeConfig of(Map<String, ?> values) {
        ObjectNode o = Json.object();
        values.forEach((k, v) -> o.set(k, GoJson.encode(v)));
        return new RuntimeConfig(o);
    }

    /** @return true when no capability argument is present */
    public boolean isEmpty() {
        return node.isEmpty();
    }

    /** @return the capability names present */
    public List<String> keys() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return Collections.unmodifiableList(out);
    }

    /**
     * @param key a capability name
     * @return its value as plain Java values (see {@link NetConf#get(String)})
     */
    public Optional<Object> get(String key) {
        return JsonValues.get(node, key);
    }

    /** @return every key as plain Java values */
    public Map<String, Object> values() {
        return JsonValues.members(node);
    }

    /** @return the compact JSON text of the whole object */
    public String toJsonString() {
        return Json.text(Json.write(node));
    }

    JsonNode node() {
        return node;
    }

    private <T> T decode(String key, Supplier<T> f) {
        try {
            return f.get();
        } catch (Decode.DecodeException | IllegalArgumentException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE,
                    "failed to decode runtimeConfig." + key + ": " + e.getMessage());
        }
    }

    /** @return the {@code portMappings} capability, empty when absent */
    public List<PortMapping> portMappings() {
        return decode(PORT_MAPPINGS, () -> {
            List<PortMapping> out = new ArrayList<>();
            int i = 0;
            for (JsonNode n : Decode.array(node, PORT_MAPPINGS, PORT_MAPPINGS)) {
                String p = PORT_MAPPINGS + "[" + i++ + "]";
                out.add(new PortMapping(Decode.integer(n, "hostPort", p + ".hostPort"),
                        Decode.integer(n, "containerPort", p + ".containerPort"),
                        Decode.string(n, "protocol", p + ".protocol"), Decode.string(n, "hostIP", p + ".hostIP")));
            }
            return List.copyOf(out);
        });
    }

    /** @return the {@code ipRanges} capability: one range set per address to allocate */
    public List<List<IpRange>> ipRanges() {
        return decode(IP_RANGES, () -> decodeRangeSets(node, IP_RANGES));
    }

    /**
     * Decodes range sets (an array of arrays of ranges), as in host-local's {@code ranges}.
     *
     * @param parent the object holding the key
     * @param key the key
     * @return the range sets
     */
    static List<List<IpRange>> decodeRangeSets(JsonNode parent, String key) {
        List<List<IpRange>> sets = new ArrayList<>();
        int i = 0;
        for (JsonNode set : Decode.array(parent, key, key)) {
            String sp = key + "[" + i++ + "]";
            if (!set.isArray()) {
                throw new Decode.DecodeException("cannot unmarshal " + Json.jsonTypeName(set) + " into " + sp + " of type array");
            }
            List<IpRange> ranges = new ArrayList<>();
            int j = 0;
            for (JsonNode r : set) {
                String rp = sp + "[" + j++ + "]";
                ranges.add(new IpRange(Decode.prefix(r, "subnet", rp + ".subnet")
                        .orElseThrow(() -> new Decode.DecodeException(rp + ": missing subnet")),
                        Decode.ip(r, "rangeStart", rp + ".rangeStart"), Decode.ip(r, "rangeEnd", rp + ".rangeEnd"),
                        Decode.ip(r, "gateway", rp + ".gateway")));
            }
            sets.add(List.copyOf(ranges));
        }
        return List.copyOf(sets);
    }

    /** @return the {@code bandwidth} capability */
    public Optional<Bandwidth> bandwidth() {
        return decode(BANDWIDTH, () -> Decode.object(node, BANDWIDTH, BANDWIDTH).map(b -> new Bandwidth(
                Decode.longValue(b, "ingressRate", "bandwidth.ingressRate"),
                Decode.longValue(b, "ingressBurst", "bandwidth.ingressBurst"),
                Decode.longValue(b, "egressRate", "bandwidth.egressRate"),
                Decode.longValue(b, "egressBurst", "bandwidth.egressBurst"))));
    }

    /** @return the {@code dns} capability ({@code servers}, {@code searches}, {@code options}) */
    public Optional<RuntimeDns> dns() {
        return decode(DNS, () -> Decode.object(node, DNS, DNS).map(d -> new RuntimeDns(
                Decode.strings(d, "servers", "dns.servers"), Decode.strings(d, "searches", "dns.searches"),
                Decode.strings(d, "options", "dns.options"))));
    }

    /** @return the {@code ips} capability */
    public List<IpRequest> ips() {
        return decode(IPS, () -> Decode.strings(node, IPS, IPS).stream().map(IpRequest::parse).toList());
    }

    /** @return the {@code mac} capability, as text */
    public Optional<String> mac() {
        return decode(MAC, () -> Decode.optionalString(node, MAC, MAC));
    }

    /** @return the {@code infinibandGUID} capability */
    public Optional<String> infinibandGuid() {
        return decode(INFINIBAND_GUID, () -> Decode.optionalString(node, INFINIBAND_GUID, INFINIBAND_GUID));
    }

    /** @return the {@code deviceID} capability */
    public Optional<String> deviceId() {
        return decode(DEVICE_ID, () -> Decode.optionalString(node, DEVICE_ID, DEVICE_ID));
    }

    /** @return the {@code aliases} capability */
    public List<String> aliases() {
        return decode(ALIASES, () -> Decode.strings(node, ALIASES, ALIASES));
    }

    /** @return the {@code cgroupPath} capability */
    public Optional<String> cgroupPath() {
        return decode(CGROUP_PATH, () -> Decode.optionalString(node, CGROUP_PATH, CGROUP_PATH));
    }

    /** @return the {@code io.kubernetes.cri.pod-annotations} capability */
    public Map<String, String> podAnnotations() {
        return decode(POD_ANNOTATIONS, () -> {
            Map<String, String> out = new LinkedHashMap<>();
            Decode.object(node, POD_ANNOTATIONS, POD_ANNOTATIONS).ifPresent(o -> o.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw new Decode.DecodeException("cannot unmarshal " + Json.jsonTypeName(e.getValue()) + " into "
                            + POD_ANNOTATIONS + "." + e.getKey() + " of type string");
                }
                out.put(e.getKey(), e.getValue().textValue());
            }));
            return Collections.unmodifiableMap(out);
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuntimeConfig r && Json.semanticEquals(node, r.node);
    }

    @Override
    public int hashCode() {
        return Json.semanticHash(node);
    }

    @Override
    public String toString() {
        return toJsonString();
    }
}
