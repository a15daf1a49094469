package dev.jcni.examples;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;
import java.util.Map;

/**
 * A chained plugin that binds its own configuration record and passes the previous result on:
 * the shape of a "meta" plugin such as tuning or portmap, without the kernel work.
 */
public final class TunedPlugin implements Plugin {

    /**
     * The plugin's own keys; the standard ones stay on {@link Request#netConf()}.
     *
     * @param mtu the MTU to apply (0 = leave alone)
     * @param sysctl sysctls to set in the container
     */
    public record Config(int mtu, Map<String, String> sysctl) {
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        PluginMain.run(new TunedPlugin());
    }

    @Override
    public Result add(Request request) {
        Config config = request.config(Config.class);
        if (config.mtu() < 0) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "invalid mtu " + config.mtu());
        }
        Result prev = request.prevResult().orElseThrow(
                () -> new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "must be called as chained plugin"));
        request.logger().log(System.Logger.Level.INFO, "would set mtu " + config.mtu() + " on " + request.ifName());
        return prev;
    }

    @Override
    public void check(Request request) {
        if (request.prevResult().isEmpty()) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "Required prevResult missing");
        }
    }

    @Override
    public void del(Request request) {
    }
}
