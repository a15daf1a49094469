package dev.jcni.sdk.invoke;

import dev.jcni.sdk.types.CniArgs;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code CNI_*} variables of one plugin call (Go's {@code invoke.Args}).
 *
 * @param command {@code CNI_COMMAND}: ADD, DEL, CHECK, GC, STATUS or VERSION
 * @param containerId {@code CNI_CONTAINERID} ("" for GC, STATUS, VERSION)
 * @param netns {@code CNI_NETNS}
 * @param pluginArgs {@code CNI_ARGS}
 * @param ifName {@code CNI_IFNAME}
 * @param path {@code CNI_PATH}, the directories plugins are looked up in
 */
public record InvokeArgs(String command, String containerId, String netns, CniArgs pluginArgs, String ifName,
                         List<String> path) {

    /** Checks that no component is null and copies the path. */
    public InvokeArgs {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(pluginArgs, "pluginArgs");
        Objects.requireNonNull(ifName, "ifName");
        path = List.copyOf(path);
    }

    /**
     * The environment of the plugin process: a base environment (usually the caller's,
     * {@link System#getenv()}) with the six {@code CNI_*} variables of this call set, even when
     * empty, over any value the base had.
     *
     * @param base the environment to start from
     * @return a new map
     */
    public Map<String, String> asEnv(Map<String, String> base) {
        Map<String, String> env = new LinkedHashMap<>(base);
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", containerId);
        env.put("CNI_NETNS", netns);
        env.put("CNI_ARGS", pluginArgs.format());
        env.put("CNI_IFNAME", ifName);
        env.put("CNI_PATH", String.join(":", path));
        return env;
    }
}
