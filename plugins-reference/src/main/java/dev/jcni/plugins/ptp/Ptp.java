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
import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.firewall.IpMasq;
import dev.jcni.plugins.ip.DnsConf;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.plugins.ip.Forwarding;
import dev.jcni.plugins.ip.IfaceConfig;
import dev.jcni.plugins.ip.Ipam;
import dev.jcni.plugins.ip.Links;
import dev.jcni.plugins.ip.Rollback;
import dev.jcni.plugins.ip.Validate;
import dev.jcni.plugins.ip.Veth;
import dev.jcni.plugins.ip.VethPlugin;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.Result;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The ptp plugin: a veth pair per container, routed (no bridge). The container gets its IPAM
 * address with the subnet routed through the gateway, which is put as a /32 (/128) on the host end;
 * the host routes the container's address to its veth. Drop-in for Go's {@code ptp}
 * (containernetworking/plugins HEAD behaviour); differences in docs/ptp.md.
 */
public final class Ptp implements Plugin {
    private final Consumer<String> faults;

    /** Public no-arg constructor for the launcher and the training run. */
    public Ptp() {
        this(Rollback.NO_FAULTS);
    }

    /** @param faults failure injection for tests: called at each named point of ADD (see {@link Rollback#step}) */
    Ptp(Consumer<String> faults) {
        this.faults = faults;
    }

    /** @param args ignored */
    public static void main(String[] args) {
        PluginMain.run(new Ptp());
    }

    @Override
    public String about() {
        return PluginVersion.about("ptp");
    }

    /**
     * ADD. Everything it makes for this container registers its undo at once; on failure the
     * {@link Rollback} removes it again, newest first: masquerading, the veth pair (with the
     * addresses and routes on both ends), the IPAM reservation.
     */
    @Override
    public Result add(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        String ifName = request.ifName();
        NetNs netns = Links.openNetns(request.netns());
        try (NetNs ns = netns; NetNs host = NetNs.current(); NetlinkHandle h = NetlinkHandle.openAt(host);
             NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            // anonymous classes, not lambdas: a cold JVM sets up the lambda machinery (a hundred classes,
            // several ms) at its first lambda, and a cold ptp call meets none
            return Rollback.run(request.logger(), faults, new Rollback.Work<Result, Exception>() {
                @Override
                public Result run(Rollback rollback) throws Exception {
                    Result ipam = Ipam.add(conf.ipamType(), request);
                    rollback.made("the IPAM reservation", new Runnable() {
                        @Override
                        public void run() {
                            Ipam.del(conf.ipamType(), request);
                        }
                    });
                    rollback.step("ipam");
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
                    Veth.Pair pair = Veth.setup(c, h, host, ifName, conf.mtu(), Optional.<MacAddress>empty(), rollback);
                    List<IpConfig> ips = new ArrayList<>();
                    for (IpConfig ipc : ipam.ips()) {
                        ips.add(ipc.withInterface(1));
                    }
                    Result result = ipam.withIps(ips).withInterfaces(List.of(Interface.host(pair.host().name(), pair.hostMac()),
                            Interface.container(ifName, pair.containerMac(), request.netns())));
                    IfaceConfig.configure(ns, c, ifName, result);
                    rollback.step("configure");
                    containerRoutes(c, pair.container().index(), ips);
                    rollback.step("container-routes");
                    hostSide(h, pair.host(), ips);
                    rollback.step("host-side");
                    if (conf.ipMasq()) {
                        List<IpPrefix> prefixes = new ArrayList<>();
                        for (IpConfig ipc : ips) {
                            prefixes.add(ipc.address());
                        }
                        rollback.made("the masquerading", new Runnable() {
                            @Override
                            public void run() {
                                IpMasq.teardown(prefixes, conf.name(), ifName, request.containerId());
                            }
                        });
                        try {
                            IpMasq.setup(conf.ipMasqBackend(), prefixes, conf.name(), ifName, request.containerId());
                        } catch (IllegalArgumentException | IllegalStateException e) {
                            throw Errors.internal(Errors.text(e), e);
                        }
                        rollback.step("masq");
                    }
                    if (DnsConf.isSet(request.netConf())) {
                        result = result.withDns(request.netConf().dns());
                    }
                    rollback.step("result");
                    return result;
                }
            });
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
        Ipam.del(conf.ipamType(), request);
        Optional<List<IpPrefix>> addrs = VethPlugin.deleteContainerLink(request);
        if (conf.ipMasq()) {
            VethPlugin.teardownMasq(conf.name(), request, addrs.orElse(List.of()));
        }
    }

    @Override
    public void check(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        NetNs netns = Links.openNetns(request.netns());
        try (NetNs ns = netns; NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            Ipam.check(conf.ipamType(), request);
            if (!request.netConf().hasPrevResult()) {
                throw Errors.internal("ptp: Required prevResult missing");
            }
            Result prev = request.prevResult().orElseThrow();
            VethPlugin.validateContainer(c, VethPlugin.containerInterface(prev, request), CONTAINER_TEXTS);
            Validate.interfaceIps(c, request.ifName(), prev.ips());
            Validate.routes(c, prev.routes());
        }
    }

    /** Go ptp's texts of the container checks. */
    private static final VethPlugin.ContainerTexts CONTAINER_TEXTS = new VethPlugin.ContainerTexts(
            "Container interface name missing in prevResult: ", "ptp: Container Interface name in prevResult: ",
            "ptp: Error: Container interface ", "veth/p2p", "ptp: ");

    @Override
    public void status(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        Ipam.status(conf.ipamType(), request);
    }

    /** Beyond Go: IPAM GC, then the masquerading of attachments that are no longer valid. */
    @Override
    public void gc(Request request) throws Exception {
        PtpConfig conf = PtpConfig.load(request);
        VethPlugin.gc(conf.ipamType(), conf.name(), request);
    }
}
