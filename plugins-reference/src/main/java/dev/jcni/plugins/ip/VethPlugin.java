package dev.jcni.plugins.ip;

import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NsPathNotExistException;
import dev.jcni.plugins.firewall.IpMasq;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import java.util.List;
import java.util.Optional;

/**
 * What the two veth plugins (bridge and ptp) do alike: the container link's removal in DEL, the
 * masquerade teardown and GC, the container interface's lookup and validation in CHECK.
 */
public final class VethPlugin {
    private VethPlugin() {
    }

    /**
     * @param l a link
     * @return its MAC as results write it, "" when it has none
     */
    public static String macText(Link l) {
        return l.mac().isPresent() ? l.mac().get().toString() : "";
    }

    /**
     * DEL's kernel part (Go's {@code ip.DelLinkByNameAddr} inside {@code CNI_NETNS}): removes the
     * container interface (and so its veth peer).
     *
     * @param request the call
     * @return the interface's global unicast addresses; empty when there was nothing to remove (no
     *     {@code CNI_NETNS}, the namespace is gone, or no such interface)
     * @throws dev.jcni.sdk.types.CniException code 999 when the kernel refuses
     */
    public static Optional<List<IpPrefix>> deleteContainerLink(Request request) {
        if (request.netns().isEmpty()) {
            return Optional.empty();
        }
        try (NetNs ns = NetNs.get(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            return Links.delByNameAddr(c, request.ifName());
        } catch (NsPathNotExistException e) {
            return Optional.empty();
        } catch (NetlinkException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    /**
     * Removes an attachment's masquerading: by its addresses, or (beyond Go, plugins#810) by the
     * network name and container id when the addresses are unknown.
     *
     * @param network the network name
     * @param request the call
     * @param addresses the container's addresses, empty when unknown
     */
    public static void teardownMasq(String network, Request request, List<IpPrefix> addresses) {
        try {
            IpMasq.teardown(addresses, network, request.ifName(), request.containerId());
        } catch (RuntimeException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    /**
     * GC (beyond Go): the IPAM plugin's GC, then the masquerading of attachments no longer valid.
     *
     * @param ipamType the IPAM plugin
     * @param network the network name
     * @param request the call
     */
    public static void gc(String ipamType, String network, Request request) {
        Ipam.gc(ipamType, request);
        try {
            IpMasq.gc(network, request.netConf().validAttachments());
        } catch (RuntimeException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    /**
     * CHECK: the container interface of {@code prevResult} (name {@code CNI_IFNAME}, sandbox
     * {@code CNI_NETNS}), which must be there.
     *
     * @param prev the previous result
     * @param request the call
     * @return the interface; one with no name when {@code prevResult} has none
     * @throws dev.jcni.sdk.types.CniException code 999 {@code Sandbox in prevResult X doesn't match configured netns: Y}
     */
    public static Interface containerInterface(Result prev, Request request) {
        Interface found = Interface.host("", "");
        for (Interface i : prev.interfaces()) {
            if (i.name().equals(request.ifName()) && i.sandbox().equals(request.netns())) {
                found = i;
            }
        }
        if (!request.netns().equals(found.sandbox())) {
            throw Errors.internal("Sandbox in prevResult " + found.sandbox() + " doesn't match configured netns: " + request.netns());
        }
        return found;
    }

    /**
     * The texts of one plugin's container validation (Go's bridge and ptp word it differently).
     *
     * @param noName the interface of prevResult has no name
     * @param notFound prefix of {@code <name> not found}
     * @param notInSandbox prefix of {@code <name> should not be in host namespace}, or "" to use the
     *     generic {@code Interface <name> is expected to be in a sandbox}
     * @param notVeth the kind text after {@code not of type }
     * @param macPrefix prefix of {@code Interface <name> Mac <mac> doesn't match container Mac: <mac>}
     */
    public record ContainerTexts(String noName, String notFound, String notInSandbox, String notVeth, String macPrefix) {
    }

    /**
     * CHECK: the container interface exists in the container, is a veth and has the MAC of {@code prevResult}.
     *
     * @param c a handle in the container's namespace
     * @param intf the interface of prevResult
     * @param t the plugin's texts
     * @return the link
     */
    public static Link validateContainer(NetlinkHandle c, Interface intf, ContainerTexts t) {
        if (intf.name().isEmpty()) {
            throw Errors.internal(t.noName());
        }
        Optional<Link> found = c.findLinkByName(intf.name());
        if (found.isEmpty()) {
            throw Errors.internal(t.notFound() + intf.name() + " not found");
        }
        Link l = found.get();
        if (intf.sandbox().isEmpty()) {
            throw Errors.internal(t.notInSandbox().isEmpty() ? "Interface " + intf.name() + " is expected to be in a sandbox"
                    : t.notInSandbox() + l.name() + " should not be in host namespace");
        }
        if (!l.kind().orElse("").equals("veth")) {
            throw Errors.internal("Error: Container interface " + l.name() + " not of type " + t.notVeth());
        }
        if (!intf.mac().isEmpty() && !intf.mac().equals(macText(l))) {
            throw Errors.internal(t.macPrefix() + "Interface " + intf.name() + " Mac " + intf.mac() + " doesn't match container Mac: "
                    + macText(l));
        }
        return l;
    }
}
