package dev.jcni.sdk.version;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a plugin answers to VERSION: {@code {"cniVersion": ..., "supportedVersions": [...]}}.
 *
 * @param cniVersion the version the answer is written in
 * @param supportedVersions the spec versions the plugin supports, matched exactly
 */
public record PluginInfo(String cniVersion, List<String> supportedVersions) {

    /** Copies the list. */
    public PluginInfo {
        Objects.requireNonNull(cniVersion, "cniVersion");
        supportedVersions = List.copyOf(supportedVersions);
    }

    /**
     * @param versions the supported versions
     * @return plugin info written in {@value SpecVersions#CURRENT}
     */
    public static PluginInfo of(String... versions) {
        return new PluginInfo(SpecVersions.CURRENT, List.of(versions));
    }

    /** @return every version of {@link SpecVersions#ALL} */
    public static PluginInfo all() {
        return new PluginInfo(SpecVersions.CURRENT, SpecVersions.ALL);
    }

    /**
     * @param version a version string
     * @return true when the plugin lists it exactly ("" counts as 0.1.0)
     */
    public boolean supports(String version) {
        return supportedVersions.contains(version.isEmpty() ? SpecVersions.DEFAULT : version);
    }

    /**
     * Go's {@code Reconciler.Check}: the configuration's version must be listed exactly.
     *
     * @param configVersion the configuration's {@code cniVersion} ("" = 0.1.0)
     * @throws CniException code 1 {@code incompatible CNI versions}, details
     *     {@code config is "<v>", plugin supports ["a" "b"]}
     */
    public void reconcile(String configVersion) {
        String v = configVersion.isEmpty() ? SpecVersions.DEFAULT : configVersion;
        if (!supportedVersions.contains(v)) {
            throw new CniException(ErrorCodes.INCOMPATIBLE_CNI_VERSION, "incompatible CNI versions",
                    "config is " + GoText.quote(v) + ", plugin supports " + GoText.quoteList(supportedVersions));
        }
    }

    /** @return the compact JSON plus a newline, as Go's skel prints it */
    public byte[] toJson() {
        ObjectNode o = Json.object();
        o.put("cniVersion", cniVersion);
        supportedVersions.forEach(o.putArray("supportedVersions")::add);
        byte[] body = Json.write(o);
        byte[] out = java.util.Arrays.copyOf(body, body.length + 1);
        out[body.length] = '\n';
        return out;
    }

    /**
     * Reads a VERSION answer as Go's {@code PluginDecoder} does: {@code cniVersion} is required; a
     * missing or empty {@code supportedVersions} means {@code ["0.1.0","0.2.0"]} when
     * {@code cniVersion} is 0.2.0, and is an error otherwise.
     *
     * @param json UTF-8 JSON
     * @return the plugin info
     * @throws IllegalArgumentException {@code decoding version info: ...}
     */
    public static PluginInfo fromJson(byte[] json) {
        JsonNode n;
        try {
            n = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("decoding version info: " + Json.describe(e));
        }
        if (!n.isObject()) {
            throw new IllegalArgumentException("decoding version info: cannot unmarshal " + Json.jsonTypeName(n)
                    + " into Go value of type version.PluginInfo");
        }
        JsonNode v = n.get("cniVersion");
        if (v != null && !v.isNull() && !v.isTextual()) {
            throw new IllegalArgumentException("decoding version info: cannot unmarshal " + Json.jsonTypeName(v)
                    + " into Go struct field pluginInfo.cniVersion of type string");
        }
        String version = v == null || v.isNull() ? "" : v.textValue();
        if (version.isEmpty()) {
            throw new IllegalArgumentException("decoding version info: missing field cniVersion");
        }
        List<String> supported = new ArrayList<>();
        JsonNode s = n.get("supportedVersions");
        if (s != null && !s.isNull()) {
            if (!s.isArray()) {
                throw new IllegalArgumentException("decoding version info: cannot unmarshal " + Json.jsonTypeName(s)
                        + " into Go struct field pluginInfo.supportedVersions of type []string");
            }
            for (JsonNode e : s) {
                if (!e.isTextual()) {
                    throw new IllegalArgumentException("decoding version info: cannot unmarshal " + Json.jsonTypeName(e)
                            + " into Go struct field pluginInfo.supportedVersions of type string");
                }
                supported.add(e.textValue());
            }
        }
        if (supported.isEmpty()) {
            if (version.equals("0.2.0")) {
                return new PluginInfo(version, List.of("0.1.0", "0.2.0"));
            }
            throw new IllegalArgumentException("decoding version info: missing field supportedVersions");
        }
        return new PluginInfo(version, supported);
    }
}
