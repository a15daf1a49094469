package dev.jcni.plugins.loopback;

import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NsPathNotExistException;
import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.plugins.ip.Links;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The loopback plugin: brings {@code lo} up in the container's namespace on ADD and down on DEL.
 * {@code CNI_IFNAME} is ignored (the interface is always {@code lo}). Without a {@code prevResult}
 * the result names {@code lo} (MAC {@code 00:00:00:00:00:00}, the namespace as sandbox) with its
 * first IPv4 and first IPv6 address (normally {@code 127.0.0.1/8} and {@code ::1/128}); with one,
 * the {@code prevResult} is passed through. Drop-in for Go's {@code loopback}
 * (containernetworking/plugins HEAD behaviour); differences in docs/loopback.md.
 */
public final class Loopback implements Plugin {
    /** The interface this plugin handles, whatever {@code CNI_IFNAME} says. */
    static final String LO = "lo";
    /** The MAC a loopback device reports. */
    static final String ZERO_MAC = "00:00:00:00:00:00";

    /** Public no-arg constructor for the launcher and the training run. */
    public Loopback() {
    }

    /** @param args ignored */
    public static void main(String[] args) {
        PluginMain.run(new Loopback());
    }

    @Override
    public String about() {
        return PluginVersion.about("loopback");
    }

    /**
     * ADD: {@code lo} up; its addresses must all be loopback addresses; the result (or the
     * {@code prevResult}, passed through).
     */
    @Override
    public Result add(Request request) {
        request.prevResult(); // a malformed prevResult fails before the kernel is touched (code 6)
        List<IpConfig> ips = new ArrayList<>();
        try (NetNs ns = Links.openNetns(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            Link lo = lo(c);
            c.linkSetUp(lo.index());
            for (int family : new int[] {Family.V4, Family.V6}) {
                List<Address> addrs = c.addrList(lo.index(), family);
                for (Address a : addrs) {
                    if (!a.prefix().address().isLoopbackAddress()) {
                        throw Errors.internal("loopback interface found with non-loopback address \""
                                + Ip.format(a.prefix().address()) + "\"");
                    }
                }
                if (!addrs.isEmpty()) {
                    ips.add(IpConfig.of(addrs.get(0).prefix()).withInterface(0));
                }
            }
        } catch (NetlinkException e) {
            throw Errors.internal(Errors.text(e), e);
        }
        Optional<Result> prev = request.prevResult();
        if (prev.isPresent()) {
            return prev.get();
        }
        return Result.empty().withInterfaces(List.of(new Interface(LO, ZERO_MAC, 0, request.netns(), "", "")))
                .withIps(ips);
    }

    /** DEL: {@code lo} down; nothing to do without a namespace or when it is gone. */
    @Override
    public void del(Request request) {
        if (request.netns().isEmpty()) {
            return;
        }
        try (NetNs ns = NetNs.get(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            c.linkSetDown(lo(c).index());
        } catch (NsPathNotExistException e) {
            // the namespace is gone, and its lo with it
        } catch (NetlinkException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    /** CHECK: {@code lo} is up. No {@code prevResult} is needed. */
    @Override
    public void check(Request request) {
        try (NetNs ns = Links.openNetns(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            if (!lo(c).isUp()) {
                throw Errors.internal("loopback interface is down");
            }
        } catch (NetlinkException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    private static Link lo(NetlinkHandle c) {
        return c.findLinkByName(LO).orElseThrow(() -> Errors.internal("Link not found"));
    }

}
