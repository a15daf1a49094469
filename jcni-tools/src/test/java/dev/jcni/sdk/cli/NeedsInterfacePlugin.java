package dev.jcni.sdk.cli;

import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.util.List;

/** Chained: needs a prevResult and the interface in the container, as a chained plugin does. */
public final class NeedsInterfacePlugin implements Plugin {
    public static void main(String[] args) {
        PluginMain.run(new NeedsInterfacePlugin());
    }

    @Override
    public Result add(Request r) {
        Result prev = r.prevResult().orElseThrow(() -> new CniException(ErrorCodes.INVALID_NETWORK_CONFIG,
                "must be called as chained plugin"));
        try (NetNs ns = NetNs.get(r.netns()); NetlinkHandle nl = NetlinkHandle.openAt(ns)) {
            nl.linkByName(r.ifName());
        } catch (RuntimeException e) {
            throw new CniException(ErrorCodes.INTERNAL, "no interface " + r.ifName() + " in " + r.netns());
        }
        return prev;
    }

    @Override
    public void check(Request r) {
    }

    @Override
    public void del(Request r) {
    }
}
