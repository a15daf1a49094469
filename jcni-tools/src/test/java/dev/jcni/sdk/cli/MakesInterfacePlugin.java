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

/** Makes a veth pair in the container, one end named CNI_IFNAME; DEL removes it. */
public final class MakesInterfacePlugin implements Plugin {
    public static void main(String[] args) {
        PluginMain.run(new MakesInterfacePlugin());
    }

    @Override
    public Result add(Request r) {
        try (NetNs ns = NetNs.get(r.netns()); NetlinkHandle nl = NetlinkHandle.openAt(ns)) {
            nl.linkAdd(LinkSpec.veth(r.ifName(), "peer-" + r.ifName()));
        }
        return Result.empty().withInterfaces(List.of(Interface.container(r.ifName(), "", r.netns())));
    }

    @Override
    public void check(Request r) {
    }

    @Override
    public void del(Request r) {
        if (r.netns().isEmpty()) {
            return;
        }
        try (NetNs ns = NetNs.get(r.netns()); NetlinkHandle nl = NetlinkHandle.openAt(ns)) {
            nl.linkDel(r.ifName());
        } catch (RuntimeException e) {
            // already gone
        }
    }
}

