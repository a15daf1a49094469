package dev.jcni.examples;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import java.util.List;

/**
 * The smallest useful plugin: it touches nothing and answers ADD with a fixed result. The skel
 * does the protocol (environment, versions, errors); this class only says what each verb does.
 * Used in docs/plugin-authors.md and by the start-up benchmark.
 */
public final class NoopPlugin implements Plugin {

    /**
     * @param args ignored; the CNI protocol uses the environment and stdin
     */
    public static void main(String[] args) {
        PluginMain.run(new NoopPlugin());
    }

    @Override
    public Result add(Request request) {
        return Result.empty()
                .withInterfaces(List.of(Interface.container(request.ifName(), "", request.netns())))
                .withIps(List.of(IpConfig.of(IpPrefix.parse("10.22.0.2/24"), Ip.parse("10.22.0.1")).withInterface(0)));
    }

    @Override
    public void check(Request request) {
    }

    @Override
    public void del(Request request) {
    }

    @Override
    public String about() {
        return "CNI noop plugin (jcni example)";
    }
}
