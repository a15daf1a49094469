package dev.jcni.sdk.types;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.version.SpecVersions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A network configuration list ({@code .conflist}): a named network and the chain of plugins that
 * attach containers to it. Parsed with the rules and error texts of Go's
 * {@code libcni.NetworkConfFromBytes}. Immutable.
 */
public final class NetConfList {
    private final String cniVersion;
    private final Optional<List<String>> cniVersions;
    private final String name;
    private final boolean disableCheck;
    private final boolean disableGC;
    private final boolean loadOnlyInlinedPlugins;
    private final List<NetConf> plugins;
    private final byte[] bytes;

    private NetConfList(String cniVersion, Optional<List<String>> cniVersions, String name, boolean disableCheck,
                        boolean disableGC, boolean loadOnlyInlinedPlugins, List<NetConf> plugins, byte[] bytes) {
        this.cniVersion = cniVersion;
        this.cniVersions = cniVersions;
        this.name = name;
        this.disableCheck = disableCheck;
        this.disableGC = disableGC;
        this.loadOnlyInlinedPlugins = loadOnlyInlinedPlugins;
        this.plugins = List.copyOf(plugins);
        this.bytes = bytes;
    }

    /**
     * Parses a configuration list. The list's version is negotiated from {@code cniVersion} and
     * {@code cniVersions} (see {@link SpecVersions#negotiate(String, List)}). A list may have no
     * {@code plugins} key when its plugins come from the sibling folder (see the runtime's loader).
     *
     * @param json UTF-8 JSON
     * @return the list
     * @throws IllegalArgumentException with Go's messages, e.g.
     *     {@code error parsing configuration list: no name},
     *     {@code error parsing configuration list: invalid value "yes" for disableCheck},
     *     {@code failed to parse plugin config 0: error parsing configuration: missing 'type'}
     */
    public static NetConfList fromJson(byte[] json) {
        JsonNode raw;
        try {
            raw = Json.parse(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("error parsing configuration list: " + Json.describe(e));
        }
        if (!raw.isObject()) {
            throw new IllegalArgumentException("error parsing configuration list: json: cannot unmarshal "
                    + Json.jsonTypeName(raw) + " into Go value of type map[string]interface {}");
        }
        JsonNode rawName = raw.get("name");
        if (rawName == null) {
            throw new IllegalArgumentException("error parsing configuration list: no name");
        }
        if (!rawName.isTextual()) {
            throw new IllegalArgumentException("error parsing configuration list: invalid name type " + Json.goTypeName(rawName));
        }
        String cniVersion = "";
        JsonNode rawVersion = raw.get("cniVersion");
        if (rawVersion != null) {
            if (!rawVersion.isTextual()) {
                throw new IllegalArgumentException("error parsing configuration list: invalid cniVersion type "
                        + Json.goTypeName(rawVersion));
            }
            cniVersion = rawVersion.textValue();
        }
        Optional<List<String>> versions = Optional.empty();
        JsonNode rawVersions = raw.get("cniVersions");
        if (rawVersions != null) {
            if (!rawVersions.isArray()) {
                throw new IllegalArgumentException("error parsing configuration list: invalid type for cniVersions: []interface {}");
            }
            List<String> vs = new ArrayList<>();
            for (int i = 0; i < rawVersions.size(); i++) {
                JsonNode v = rawVersions.get(i);
                if (!v.isTextual()) {
                    throw new IllegalArgumentException("error parsing configuration list: invalid type for cniVersions index "
                            + i + ": " + Json.goTypeName(v));
                }
                vs.add(v.textValue());
            }
            versions = Optional.of(List.copyOf(vs));
            try {
                cniVersion = SpecVersions.negotiate(cniVersion, vs);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("error parsing configuration list: " + e.getMessage(), e);
            }
        }
        boolean disableCheck = readBool(raw, "disableCheck");
        boolean disableGC = readBool(raw, "disableGC");
        boolean loadOnlyInlined = readBool(raw, "loadOnlyInlinedPlugins");
        JsonNode rawPlugins = raw.get("plugins");
        List<NetConf> plugins = new ArrayList<>();
        if (rawPlugins == null) {
            if (loadOnlyInlined) {
                throw new IllegalArgumentException(
                        "error parsing configuration list: `loadOnlyInlinedPlugins` is true, and no 'plugins' key");
            }
        } else {
            if (!rawPlugins.isArray()) {
                throw new IllegalArgumentException("error parsing configuration list: invalid 'plugins' type "
                        + Json.goTypeName(rawPlugins));
            }
            if (rawPlugins.isEmpty()) {
                throw new IllegalArgumentException("error parsing configuration list: no plugins in list");
            }
            for (int i = 0; i < rawPlugins.size(); i++) {
                try {
                    plugins.add(pluginFromTree(rawPlugins.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("failed to parse plugin config " + i + ": " + e.getMessage(), e);
                }
            }
        }
        return new NetConfList(cniVersion, versions, rawName.textValue(), disableCheck, disableGC, loadOnlyInlined,
                plugins, json.clone());
    }

    /**
     * Parses one plugin object of a list (or a legacy {@code .conf} file), which must have a {@code type}.
     *
     * @param json UTF-8 JSON
     * @return the plugin configuration
     * @throws IllegalArgumentException {@code error parsing configuration: missing 'type'} and JSON errors
     */
    public static NetConf pluginFromJson(byte[] json) {
        try {
            return pluginFromTree(Json.parse(json));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("error parsing configuration: " + Json.describe(e));
        }
    }

    private static NetConf pluginFromTree(JsonNode n) {
        NetConf conf;
        try {
            conf = NetConf.fromJson(Json.write(n));
        } catch (CniException e) {
            throw new IllegalArgumentException("error parsing configuration: " + e.getMessage(), e);
        }
        if (conf.type().isEmpty()) {
            throw new IllegalArgumentException("error parsing configuration: missing 'type'");
        }
        return conf;
    }

    private static boolean readBool(JsonNode raw, String key) {
        JsonNode v = raw.get(key);
        if (v == null) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("error parsing configuration list: invalid type " + Json.goTypeName(v) + " for " + key);
        }
        String s = v.textValue().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("error parsing configuration list: invalid value "
                    + dev.jcni.sdk.internal.GoText.quote(s) + " for " + key);
        };
    }

    /**
     * Upconverts a single plugin configuration (legacy {@code .conf}) to a one-plugin list, as Go's
     * {@code ConfListFromConf}.
     *
     * @param conf the plugin configuration
     * @return the list
     */
    public static NetConfList fromSingle(NetConf conf) {
        com.fasterxml.jackson.databind.node.ObjectNode o = Json.object();
        o.put("cniVersion", conf.cniVersion());
        o.put("name", conf.name());
        try {
            o.putArray("plugins").add(Json.parse(conf.toJson()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return fromJson(Json.writeSorted(o));
    }

    /**
     * A copy with more plugins appended (the sibling-folder plugins of the loader).
     *
     * @param more plugin configurations
     * @return the copy
     */
    public NetConfList withAppendedPlugins(List<NetConf> more) {
        List<NetConf> all = new ArrayList<>(plugins);
        all.addAll(more);
        return new NetConfList(cniVersion, cniVersions, name, disableCheck, disableGC, loadOnlyInlinedPlugins, all, bytes);
    }

    /** @return the negotiated version of the list ("" when none was given) */
    public String cniVersion() {
        return cniVersion;
    }

    /** @return {@code cniVersions} as given, when present */
    public Optional<List<String>> cniVersions() {
        return cniVersions;
    }

    /** @return the network name */
    public String name() {
        return name;
    }

    /** @return {@code disableCheck} */
    public boolean disableCheck() {
        return disableCheck;
    }

    /** @return {@code disableGC} */
    public boolean disableGC() {
        return disableGC;
    }

    /** @return {@code loadOnlyInlinedPlugins} */
    public boolean loadOnlyInlinedPlugins() {
        return loadOnlyInlinedPlugins;
    }

    /** @return the plugins, in chain order */
    public List<NetConf> plugins() {
        return plugins;
    }

    /** @return the bytes the list was parsed from (written to the result cache) */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return Json.text(bytes);
    }
}
