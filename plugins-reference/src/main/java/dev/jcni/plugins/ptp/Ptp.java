package dev.jcni.plugins.ptp;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.NetlinkRoute;
import dev.jcni.netlink.route.Scope;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NsPathNotExistException;
import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.firewall.IpMasq;
import dev.jcni.plugins.ip.DnsConf;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.plugins.ip.Forwarding;
import dev.jcni.plugins.ip.IfaceConfig;
import dev.jcni.plugins.ip.Ipam;
import dev.jcni.plugins.ip.Links;
import dev.jcni.plugins.ip.Validate;
import dev.jcni.plugins.ip.Veth;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The ptp plugin: a veth pair per container, routed (no bridge). The container gets its IPAM
 * address with the subnet routed through the gateway, which is put as a /32 (/128) on the host end;
 * the host routes the container's address to its veth. Drop-in for Go's {@code ptp}
 * (containernetworking/plugins HEAD behaviour); differences in docs/ptp.md.
 */
public final class Ptp implements Plugin {
    /** Public no-arg constructor for the launcher and the training run. */
    public Ptp() {
    }

    /** @param args ignored */
    public static void main(String[] args) {
        PluginMain.run(new Ptp());
    }

    @Override
    public String about() {
        return PluginVersion.about("ptp");
    }

    @Override
    public Result add(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        String ifName = request.ifName();
        NetNs netns = Links.openNetns(request.netns());
        try (NetNs ns = netns; NetNs host = NetNs.current(); NetlinkHandle h = NetlinkHandle.openAt(host);
             NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            Result ipam = Ipam.add(conf.ipamType(), request);
            boolean success = false;
            boolean linkMade = false;
            try {
                if (ipam.ips().isEmpty()) {
                    throw Errors.internal("IPAM plugin returned missing IP config");
                }
                for (IpConfig ipc : ipam.ips()) {
                    if (ipc.gateway().isEmpty()) {
                        throw Errors.internal("IPAM plugin returned no gateway for " + ipc.address() + ": ptp needs one");
                    }
                }
                try {
                    Forwarding.enableFor(ipam.ips());
                } catch (NetlinkException e) {
                    throw Errors.internal("Could not enable IP forwarding: " + Errors.text(e), e);
                }
                Veth.Pair pair = Veth.setup(c, h, host, ifName, conf.mtu(), Optional.<MacAddress>empty());
                linkMade = true;
                List<IpConfig> ips = new ArrayList<>();
                for (IpConfig ipc : ipam.ips()) {
                    ips.add(ipc.withInterface(1));
                }
                Result result = ipam.withIps(ips).withInterfaces(List.of(Interface.host(pair.host().name(), pair.hostMac()),
                        Interface.container(ifName, pair.containerMac(), request.netns())));
                IfaceConfig.configure(ns, c, ifName, result);
                containerRoutes(c, pair.container().index(), ips);
                hostSide(h, pair.host(), ips);
                if (conf.ipMasq()) {
                    List<IpPrefix> prefixes = new ArrayList<>();
                    for (IpConfig ipc : ips) {
                        prefixes.add(ipc.address());
                    }
                    try {
                        IpMasq.setup(conf.ipMasqBackend(), prefixes, conf.name(), ifName, request.containerId());
                    } catch (IllegalArgumentException | IllegalStateException e) {
                        throw Errors.internal(Errors.text(e), e);
                    }
                }
                if (DnsConf.isSet(request.netConf())) {
                    result = result.withDns(request.netConf().dns());
                }
                success = true;
                return result;
            } finally {
                if (!success) {
                    if (linkMade) {
                        // beyond Go: the veth made by this ADD goes again
                        try {
                            c.findLinkByName(ifName).ifPresent(l -> c.linkDel(l.index()));
                        } catch (RuntimeException e) {
                            request.logger().log(System.Logger.Level.WARNING, "could not remove " + ifName + ": " + Errors.text(e));
                        }
                    }
                    Ipam.delQuietly(conf.ipamType(), request);
                }
            }
        }
    }

    /** In the container: the subnet's kernel route replaced by one via the gateway, which is on-link. */
    static void containerRoutes(NetlinkHandle c, int index, List<IpConfig> ips) {
        for (IpConfig ipc : ips) {
            IpPrefix net = ipc.address().network();
            int family = ipc.isIpv4() ? Family.V4 : Family.V6;
            InetAddress gw = ipc.gateway().orElseThrow();
            InetAddress self = ipc.address().address();
            NetlinkRoute prefixRoute = NetlinkRoute.builder().family(family).dst(net)
                    .linkIndex(index).build();
            try {
                c.routeDel(prefixRoute);
            } catch (NetlinkException e) {
                throw Errors.internal("failed to delete route " + net + " dev#" + index + ": " + Errors.text(e), e);
            }
            IpPrefix gwHost = IpPrefix.host(gw);
            NetlinkRoute toGw = NetlinkRoute.builder().family(family).dst(gwHost)
                    .linkIndex(index).scope(Scope.LINK).src(self).build();
            NetlinkRoute viaGw = NetlinkRoute.builder().family(family).dst(net)
                    .linkIndex(index).scope(Scope.UNIVERSE).gateway(gw).src(self).build();
            for (NetlinkRoute r : List.of(toGw, viaGw)) {
                try {
                    c.routeAdd(r);
                } catch (NetlinkException e) {
                    throw Errors.internal("failed to add route " + r + ": " + Errors.text(e), e);
                }
            }
        }
    }

    /** On the host: the gateway address on the host veth, a host route to the container's address. */
    static void hostSide(NetlinkHandle h, Link veth, List<IpConfig> ips) {
        for (IpConfig ipc : ips) {
            int family = ipc.isIpv4() ? Family.V4 : Family.V6;
            IpPrefix gw = IpPrefix.host(ipc.gateway().orElseThrow());
            try {
                h.addrAdd(Address.of(veth.index(), gw));
            } catch (NetlinkException e) {
                throw Errors.internal("failed to add IP addr (" + gw + ") to veth: " + Errors.text(e), e);
            }
            IpPrefix self = IpPrefix.host(ipc.address().address());
            try {
                h.routeAdd(NetlinkRoute.builder().family(family).dst(self).linkIndex(veth.index())
                        .scope(Scope.HOST).build());
            } catch (NetlinkException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw Errors.internal("failed to add route on host: " + Errors.text(e), e);
                }
            }
        }
    }

    @Override
    public void del(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        String ifName = request.ifName();
        Ipam.del(conf.ipamType(), request);
        if (request.netns().isEmpty()) {
            teardownWithoutAddresses(conf, request); // beyond Go (plugins#810)
            return;
        }
        Optional<List<IpPrefix>> addrs;
        try (NetNs ns = NetNs.get(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            addrs = Links.delByNameAddr(c, ifName);
        } catch (NsPathNotExistException e) {
            teardownWithoutAddresses(conf, request);
            return;
        } catch (NetlinkException e) {
            throw Errors.internal(Errors.text(e), e);
        }
        if (!conf.ipMasq()) {
            return;
        }
        if (addrs.isPresent() && !addrs.get().isEmpty()) {
            try {
                IpMasq.teardown(addrs.get(), conf.name(), ifName, request.containerId());
            } catch (RuntimeException e) {
                throw Errors.internal(Errors.text(e), e);
            }
        } else {
            teardownWithoutAddresses(conf, request);
        }
    }

    private static void teardownWithoutAddresses(PtpConfig conf, Request request) {
        if (!conf.ipMasq()) {
            return;
        }
        try {
            IpMasq.teardown(List.of(), conf.name(), request.ifName(), request.containerId());
        } catch (RuntimeException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    @Override
    public void check(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        String ifName = request.ifName();
        String netnsPath = request.netns();
        NetNs netns = Links.openNetns(netnsPath);
        try (NetNs ns = netns; NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            Ipam.check(conf.ipamType(), request);
            if (!request.netConf().hasPrevResult()) {
                throw Errors.internal("ptp: Required prevResult missing");
            }
            Result prev = request.prevResult().orElseThrow();
            Interface contMap = Interface.host("", "");
            for (Interface i : prev.interfaces()) {
                if (i.name().equals(ifName) && i.sandbox().equals(netnsPath)) {
                    contMap = i;
                }
            }
            if (!netnsPath.equals(contMap.sandbox())) {
                throw Errors.internal("Sandbox in prevResult " + contMap.sandbox() + " doesn't match configured netns: " + netnsPath);
            }
            validateContainer(c, contMap);
            Validate.interfaceIps(c, ifName, prev.ips());
            Validate.routes(c, prev.routes());
        }
    }

    private static void validateContainer(NetlinkHandle c, Interface intf) {
        if (intf.name().isEmpty()) {
            throw Errors.internal("Container interface name missing in prevResult: ");
        }
        Optional<Link> l = c.findLinkByName(intf.name());
        if (l.isEmpty()) {
            throw Errors.internal("ptp: Container Interface name in prevResult: " + intf.name() + " not found");
        }
        if (intf.sandbox().isEmpty()) {
            throw Errors.internal("ptp: Error: Container interface " + l.get().name() + " should not be in host namespace");
        }
        if (!l.get().kind().filter("veth"::equals).isPresent()) {
            throw Errors.internal("Error: Container interface " + l.get().name() + " not of type veth/p2p");
        }
        String mac = l.get().mac().map(MacAddress::toString).orElse("");
        if (!intf.mac().isEmpty() && !intf.mac().equals(mac)) {
            throw Errors.internal("ptp: Interface " + intf.name() + " Mac " + intf.mac() + " doesn't match container Mac: " + mac);
        }
    }

    @Override
    public void status(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        Ipam.status(conf.ipamType(), request);
    }

    /** Beyond Go: IPAM GC, then the masquerading of attachments that are no longer valid. */
    @Override
    public void gc(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        Ipam.gc(conf.ipamType(), request);
        try {
            IpMasq.gc(conf.name(), request.netConf().validAttachments());
        } catch (RuntimeException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

}
