package dev.jcni.examples;

import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.util.List;

/**
 * A deliberately broken plugin, for docs/testing.md: ADD makes a link named {@code CNI_IFNAME} in the
 * container's namespace, but DEL forgets to remove it, and DEL fails when the namespace is gone
 * (it opens the namespace first). The conformance check must say exactly that.
 */
public final class LeakyPlugin implements Plugin {

    @Override
    public Result add(Request request) {
        try (NetNs ns = NetNs.get(request.netns()); NetlinkHandle nl = NetlinkHandle.openAt(ns)) {
            nl.linkAdd(LinkSpec.bridge(request.ifName()));
        }
        return Result.empty().withInterfaces(List.of(Interface.container(request.ifName(), "", request.netns())));
    }

    @Override
    public void check(Request request) {
    }

    @Override
    public void del(Request request) {
        // BUG 1: the namespace may be gone at DEL time; DEL must still succeed
        NetNs.get(request.netns()).close();
        // BUG 2: the link ADD made is never removed
    }
}
