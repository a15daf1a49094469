package dev.jcni.plugins.ip;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.Sysctl;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.types.MacAddress;
import java.util.Optional;

/**
 * The veth pair of a container, as Go's {@code ip.SetupVeth}: the container end named
 * {@code CNI_IFNAME} (with the requested MAC), its peer created straight in the host namespace
 * as {@code veth} + 8 hex digits, both with the configured MTU (0: kernel default) and the kernel's
 * default queue length. The host end is set up with {@code accept_ra=0}; the container end is
 * left down.
 */
public final class Veth {
    private Veth() {
    }

    /** How often a random host name is tried before giving up (Go: 10). */
    static final int ATTEMPTS = 10;

    /**
     * The created pair.
     *
     * @param host the host end as read after creation
     * @param container the container end as read after creation
     */
    public record Pair(Link host, Link container) {
        /** @return the host end's MAC text, "" when none */
        public String hostMac() {
            return VethPlugin.macText(host);
        }

        /** @return the container end's MAC text, "" when none */
        public String containerMac() {
            return VethPlugin.macText(container);
        }
    }

    /**
     * Creates the pair.
     *
     * @param c a handle in the container's namespace
     * @param h a handle in the host namespace
     * @param hostNs the host namespace
     * @param ifName the container end's name
     * @param mtu the MTU of both ends, 0 for the kernel default
     * @param mac the container end's MAC
     * @param rollback where the pair's removal is registered, as soon as the pair exists
     * @return the pair
     * @throws dev.jcni.sdk.types.CniException code 999 with Go's messages
     */
    public static Pair setup(NetlinkHandle c, NetlinkHandle h, NetNs hostNs, String ifName, int mtu, Optional<MacAddress> mac,
            Rollback rollback) {
        for (int i = 0; i < ATTEMPTS; i++) {
            String peer = LinkSpec.randomVethName();
            LinkSpec spec = LinkSpec.veth(ifName, peer).withPeerNamespace(hostNs);
            if (mtu > 0) {
                spec = spec.withMtu(mtu);
            }
            if (mac.isPresent()) {
                spec = spec.withMac(mac.get());
            }
            try {
                c.linkAdd(spec);
            } catch (NetlinkException e) {
                if (e.errno() == Errno.EEXIST) {
                    if (h.findLinkByName(peer).isPresent()) {
                        continue; // the random name is taken in the host: try another
                    }
                    throw Errors.internal("container veth name (\"" + ifName + "\") peer provided (\"" + peer + "\") already exists");
                }
                throw Errors.internal("failed to make veth pair: " + Errors.text(e), e);
            }
            rollback.made("the veth pair " + ifName + "/" + peer, new Runnable() { // not a lambda: a cold call meets none
                @Override
                public void run() {
                    Optional<Link> l = c.findLinkByName(ifName);
                    if (l.isPresent()) {
                        c.linkDel(l.get().index());
                    }
                }
            });
            rollback.step("veth");
            Link container;
            try {
                container = c.linkByName(ifName);
            } catch (NetlinkException e) {
                throw Errors.internal(Errors.text(e), e);
            }
            Link host;
            try {
                host = h.linkByName(peer);
                h.linkSetUp(host.index());
            } catch (NetlinkException e) {
                throw Errors.internal("failed to set \"" + peer + "\" up: " + Errors.text(e), e);
            }
            try {
                Sysctl.set(hostNs, "net/ipv6/conf/" + peer + "/accept_ra", "0");
            } catch (RuntimeException e) {
                // as Go: ignored (IPv6 may be disabled)
            }
            return new Pair(h.linkByIndex(host.index()), container);
        }
        throw Errors.internal("failed to find a unique veth name");
    }
}
