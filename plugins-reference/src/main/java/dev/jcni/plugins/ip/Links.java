package dev.jcni.plugins.ip;

import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.types.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Container links: opening the container namespace and Go's {@code ip.DelLinkByNameAddr}. */
public final class Links {
    private Links() {
    }

    /**
     * Opens the container's namespace, failing with Go's message.
     *
     * @param path {@code CNI_NETNS}
     * @return the namespace (the caller closes it)
     * @throws dev.jcni.sdk.types.CniException code 999 {@code failed to open netns "<p>": ...}
     */
    public static NetNs openNetns(String path) {
        try {
            return NetNs.get(path);
        } catch (NetlinkException e) {
            throw Errors.internal("failed to open netns \"" + path + "\": " + Errors.text(e), e);
        }
    }

    /**
     * Deletes a link and returns its global unicast addresses.
     *
     * @param c a handle in the link's namespace
     * @param ifName the link
     * @return the addresses, empty when there was no such link
     */
    public static Optional<List<IpPrefix>> delByNameAddr(NetlinkHandle c, String ifName) {
        Optional<Link> l = c.findLinkByName(ifName);
        if (l.isEmpty()) {
            return Optional.empty();
        }
        List<Address> addrs;
        try {
            addrs = c.addrList(l.get().index(), Family.ALL);
        } catch (NetlinkException e) {
            throw Errors.internal("failed to get IP addresses for \"" + ifName + "\": " + Errors.text(e), e);
        }
        try {
            c.linkDel(l.get().index());
        } catch (NetlinkException e) {
            throw Errors.internal("failed to delete \"" + ifName + "\": " + Errors.text(e), e);
        }
        List<IpPrefix> out = new ArrayList<>();
        for (Address a : addrs) {
            if (a.isGlobalUnicast()) {
                out.add(a.prefix());
            }
        }
        return Optional.of(out);
    }
}
