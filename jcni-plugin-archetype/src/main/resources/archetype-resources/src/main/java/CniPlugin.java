## the plugin's class: the artifactId in CamelCase (acme-cni: AcmeCni); archetype-post-generate.groovy names the file
#set( $className = "" )#foreach( $w in $artifactId.split("[^A-Za-z0-9]+") )#if( $w.length() > 0 )#set( $className = "${className}${w.substring(0,1).toUpperCase()}${w.substring(1)}" )#end#end##
package ${package};

import dev.jcni.netlink.route.Sysctl;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A chained CNI plugin: after the plugin that made the container's interface (ptp, bridge, ...), it
 * sets {@code net.*} sysctls inside the container's network namespace and passes the previous result
 * on unchanged. {@code {ifname}} in a name stands for the container's interface.
 *
 * <pre>{@code
 * { "type": "${artifactId}",
 *   "sysctl": { "net.ipv4.conf.{ifname}.arp_notify": "1", "net.ipv4.ping_group_range": "0 2147483647" } }
 * }</pre>
 */
public final class ${className} implements Plugin {

    /**
     * The plugin's own keys; the standard ones ({@code name}, {@code cniVersion}, {@code prevResult}...)
     * are on {@code request.netConf()}.
     *
     * @param sysctl sysctl name to value; only {@code net.*} names (they belong to the network
     *     namespace; any other would change the host)
     */
    public record Config(Map<String, String> sysctl) {
    }

    /**
     * @param args ignored: a CNI plugin reads the environment and stdin
     */
    public static void main(String[] args) {
        PluginMain.run(new ${className}());
    }

    @Override
    public Result add(Request request) {
        Map<String, String> wanted = sysctls(request);
        Result prev = chained(request);
        if (!wanted.isEmpty()) {
            try (NetNs ns = NetNs.get(request.netns())) {
                wanted.forEach((name, value) -> Sysctl.set(ns, name, value));
            }
            request.logger().log(System.Logger.Level.INFO, "set " + wanted.size() + " sysctl(s) in " + request.netns());
        }
        return prev;
    }

    @Override
    public void check(Request request) {
        Map<String, String> wanted = sysctls(request);
        chained(request);
        if (wanted.isEmpty()) {
            return;
        }
        try (NetNs ns = NetNs.get(request.netns())) {
            wanted.forEach((name, value) -> {
                String actual = Sysctl.get(ns, name);
                if (!words(actual).equals(words(value))) {
                    throw new CniException(ErrorCodes.INTERNAL, "sysctl " + name + " is " + actual + ", want " + value);
                }
            });
        }
    }

    @Override
    public void del(Request request) {
        // The values live and die with the container's namespace: nothing to undo.
    }

    @Override
    public String about() {
        return "CNI ${artifactId} plugin (made from jcni-plugin-archetype)";
    }

    /** The configured sysctls, {@code {ifname}} replaced; code 7 for a name outside {@code net.}. */
    private static Map<String, String> sysctls(Request request) {
        Config config = request.config(Config.class);
        Map<String, String> out = new LinkedHashMap<>();
        if (config.sysctl() == null) {
            return out;
        }
        config.sysctl().forEach((name, value) -> {
            if (!name.startsWith("net.") && !name.startsWith("net/")) {
                throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "invalid sysctl " + name,
                        "only net.* sysctls belong to the container's network namespace");
            }
            out.put(name.replace("{ifname}", request.ifName()), value);
        });
        return out;
    }

    /** A value as the kernel compares it: the kernel prints several numbers separated by tabs. */
    private static String words(String value) {
        return String.join(" ", value.strip().split("\\s+"));
    }

    private static Result chained(Request request) {
        return request.prevResult().orElseThrow(() -> new CniException(ErrorCodes.INVALID_NETWORK_CONFIG,
                "must be called as chained plugin", "no prevResult in the configuration"));
    }
}
