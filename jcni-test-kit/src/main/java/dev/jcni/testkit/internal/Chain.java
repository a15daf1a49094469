package dev.jcni.testkit.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.runtime.CniConfig;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.NetConfList;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a chained plugin expects before it runs: a training sample or a conformance configuration may be
 * a configuration list ({@code "plugins": [...]}) whose last plugin is the one under test; the plugins
 * before it are its delegate chain. {@link #add} runs their ADD on the attachment (found on
 * {@code CNI_PATH}, as a runtime does, through jcni's libcni), so that the container's interface
 * exists, and gives the last plugin's configuration with their result as {@code prevResult};
 * {@link #close} runs their DEL. A plain configuration has no chain and passes through unchanged.
 * Used by the training run (jcni-tools) and the conformance kit. Not API.
 */
public final class Chain implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Optional<NetConfList> delegates;
    private final ObjectNode plugin;
    private final CniConfig cni;
    private final Optional<Path> ownCache;
    private RuntimeConf added;

    private Chain(Optional<NetConfList> delegates, ObjectNode plugin, CniConfig cni, Optional<Path> ownCache) {
        this.delegates = delegates;
        this.plugin = plugin;
        this.cni = cni;
        this.ownCache = ownCache;
    }

    /**
     * The same with a result cache of its own (for a chain), removed by {@link #close}.
     *
     * @param json a plugin's configuration, or a configuration list ending with it
     * @param cniPath where the delegates are
     * @return the chain
     */
    public static Chain of(String json, List<String> cniPath) {
        Chain c = of(json, cniPath, Path.of("/nonexistent/jcni-chain"));
        if (!c.isChained()) {
            return c;
        }
        try {
            Path cache = Files.createTempDirectory("jcni-chain");
            return new Chain(c.delegates, c.plugin, CniConfig.create(cniPath).withCacheDir(cache), Optional.of(cache));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param json a plugin's configuration, or a configuration list ending with it
     * @param cniPath where the delegates are
     * @param cacheDir the result cache of the delegates' runs (a scratch directory)
     * @return the chain (empty for a plain configuration)
     * @throws IllegalArgumentException when the JSON is not an object or a list has no plugin
     */
    public static Chain of(String json, List<String> cniPath, Path cacheDir) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the configuration is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the configuration is not a JSON object");
        }
        CniConfig cni = CniConfig.create(cniPath).withCacheDir(cacheDir);
        JsonNode plugins = root.get("plugins");
        if (plugins == null) {
            return new Chain(Optional.empty(), (ObjectNode) root, cni, Optional.empty());
        }
        if (!plugins.isArray() || plugins.isEmpty() || !plugins.get(plugins.size() - 1).isObject()) {
            throw new IllegalArgumentException("a configuration list names the plugin under test last in \"plugins\"");
        }
        ObjectNode last = ((ObjectNode) plugins.get(plugins.size() - 1)).deepCopy();
        ObjectNode plugin = JSON.createObjectNode();
        plugin.set("cniVersion", root.path("cniVersion"));
        plugin.set("name", root.path("name"));
        plugin.setAll(last);
        Optional<NetConfList> delegates = Optional.empty();
        if (plugins.size() > 1) {
            ObjectNode list = root.deepCopy();
            ArrayNode prefix = JSON.createArrayNode();
            for (int i = 0; i < plugins.size() - 1; i++) {
                prefix.add(plugins.get(i));
            }
            list.set("plugins", prefix);
            delegates = Optional.of(NetConfList.fromJson(list.toString().getBytes(StandardCharsets.UTF_8)));
        }
        return new Chain(delegates, plugin, cni, Optional.empty());
    }

    /** @return whether plugins run before the one under test */
    public boolean isChained() {
        return delegates.isPresent();
    }

    /** @return the configuration of the plugin under test, without a prevResult from the chain */
    public String config() {
        return plugin.toString();
    }

    /**
     * Runs the chain's ADD on an attachment.
     *
     * @param containerId the container id
     * @param netns the container's namespace
     * @param ifName the container's interface
     * @return the configuration of the plugin under test, with the chain's result as {@code prevResult}
     * @throws dev.jcni.sdk.types.CniException the delegate's error, as the runtime reports it
     */
    public String add(String containerId, String netns, String ifName) {
        if (delegates.isEmpty()) {
            return config();
        }
        RuntimeConf rt = new RuntimeConf(containerId, netns, ifName, CniArgs.empty(), Map.of());
        added = rt;
        Result r = cni.addNetworkList(delegates.get(), rt);
        ObjectNode withPrev = plugin.deepCopy();
        try {
            withPrev.set("prevResult", JSON.readTree(r.toJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return withPrev.toString();
    }

    /** DEL of the chain, when {@link #add} ran it; the result cache of its own removed. */
    @Override
    public void close() {
        try {
            if (added != null && delegates.isPresent()) {
                RuntimeConf rt = added;
                added = null;
                cni.delNetworkList(delegates.get(), rt);
            }
        } finally {
            ownCache.ifPresent(Chain::deleteTree);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a scratch directory under the temporary directory: left for the system to clean
        }
    }
}
