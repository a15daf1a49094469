package dev.jcni.plugins.bridge;

import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.BridgeVlan;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.OperState;
import dev.jcni.netlink.route.Sysctl;
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
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Route;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The bridge plugin: a veth pair per container, the host end a port of a Linux bridge, the
 * container end configured from IPAM (or left to L2 mode without IPAM). Drop-in for Go's
 * {@code bridge} (containernetworking/plugins HEAD behaviour, spec 0.1.0–1.1.0); the differences are
 * listed in docs/bridge.md.
 */
public final class Bridge implements Plugin {
    /** Go's port-state wait: its retries (0, 50, 500, 1000, 1000 ms) add up to this. */
    static final Duration PORT_WAIT = Duration.ofMillis(2550);

    private final Consumer<String> faults;

    /** Public no-arg constructor for the launcher and the training run. */
    public Bridge() {
        this(Rollback.NO_FAULTS);
    }

    /** @param faults failure injection for tests: called at each named point of ADD (see {@link Rollback#step}) */
    Bridge(Consumer<String> faults) {
        this.faults = faults;
    }

    /** @param args ignored */
    public static void main(String[] args) {
        PluginMain.run(new Bridge());
    }

    @Override
    public String about() {
        return PluginVersion.about("bridge");
    }

    // ------------------------------------------------------------------ ADD

    @Override
    public Result add(Request request) throws Exception {
        BridgeConfig conf = BridgeConfig.load(request);
        Optional<MacAddress> mac = conf.validateForAdd();
        if (conf.macSpoofChk()) {
            SpoofCheck.requireScriptSafe(request.ifName());
        }
        NetNs netns = Links.openNetns(request.netns());
        try (NetNs ns = netns; NetNs host = NetNs.current(); NetlinkHandle h = NetlinkHandle.openAt(host);
             NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            return Rollback.run(request.logger(), faults,
                    rollback -> new Add(request, conf, mac, ns, host, h, c, rollback).attach(request.ifName()));
        }
    }

    /**
     * One ADD. Everything it makes for this container registers its undo at once; on failure the
     * {@link Rollback} removes it again, newest first: masquerading, the IPAM reservation, the
     * spoof-check rules, the veth pair (and with it the container's addresses and routes).
     */
    private static final class Add {
        final Request request;
        final BridgeConfig conf;
        final Optional<MacAddress> mac;
        final NetNs ns;
        final NetNs host;
        final NetlinkHandle h;
        final NetlinkHandle c;
        final Rollback rollback;

        Add(Request request, BridgeConfig conf, Optional<MacAddress> mac, NetNs ns, NetNs host, NetlinkHandle h,
                NetlinkHandle c, Rollback rollback) {
            this.request = request;
            this.conf = conf;
            this.mac = mac;
            this.ns = ns;
            this.host = host;
            this.h = h;
            this.c = c;
            this.rollback = rollback;
        }

        Result attach(String ifName) {
            Link br = setupBridge(h, conf);
            rollback.step("bridge");
            Interface brIf = Interface.host(br.name(), macText(br));
            Veth.Pair pair = Veth.setup(c, h, host, ifName, conf.mtu(), mac, rollback);
            Link hostVeth = pair.host();
            attachPort(h, br, hostVeth, conf.hairpinMode(), conf.portIsolation(), conf.vlan(), conf.vlans(),
                    conf.preserveDefaultVlan());
            rollback.step("port");
            Interface hostIf = Interface.host(hostVeth.name(), pair.hostMac());
            Interface contIf = Interface.container(ifName, pair.containerMac(), request.netns());
            List<Interface> interfaces = new ArrayList<>(List.of(brIf, hostIf, contIf));
            Result result = Result.empty();

            if (conf.macSpoofChk()) {
                SpoofCheck sc = new SpoofCheck(request.containerId(), ifName);
                rollback.made("the spoof-check rules", sc::teardown);
                sc.setup(hostVeth.name(), pair.containerMac());
                rollback.step("spoofcheck");
            }

            if (conf.isLayer3()) {
                Result ipam = Ipam.add(conf.ipamType(), request);
                rollback.made("the IPAM reservation", () -> Ipam.del(conf.ipamType(), request));
                rollback.step("ipam");
                if (ipam.ips().isEmpty()) {
                    throw Errors.internal("IPAM plugin returned missing IP config");
                }
                Gateways gws = calcGateways(ipam, conf);
                result = ipam.withIps(gws.ips).withRoutes(gws.routes).withInterfaces(interfaces);
                Result forIface = result;
                if (conf.enableDad()) {
                    quietSysctl(ns, "net/ipv6/conf/" + ifName + "/enhanced_dad", "1");
                    quietSysctl(ns, "net/ipv6/conf/" + ifName + "/accept_dad", "1");
                } else {
                    quietSysctl(ns, "net/ipv6/conf/" + ifName + "/accept_dad", "0");
                }
                quietSysctl(ns, "net/ipv4/conf/" + ifName + "/arp_notify", "1");
                IfaceConfig.configure(ns, c, ifName, forIface);
                rollback.step("configure");

                if (conf.isGateway()) {
                    Interface vlanIf = null;
                    for (List<IpPrefix> family : List.of(gws.v4, gws.v6)) {
                        for (IpPrefix gw : family) {
                            if (conf.vlan() != 0) {
                                Link vif;
                                try {
                                    vif = ensureVlanInterface(h, host, br, conf.vlan(), conf.preserveDefaultVlan(), request);
                                } catch (RuntimeException e) {
                                    throw Errors.internal("failed to create vlan interface: " + Errors.text(e), e);
                                }
                                if (vlanIf == null) {
                                    vlanIf = Interface.host(vif.name(), macText(vif));
                                    interfaces.add(vlanIf);
                                }
                                try {
                                    ensureAddr(h, vif, gw, conf.forceAddress());
                                } catch (RuntimeException e) {
                                    throw Errors.internal("failed to set vlan interface for bridge with addr: " + Errors.text(e), e);
                                }
                            } else {
                                try {
                                    ensureAddr(h, br, gw, conf.forceAddress());
                                } catch (RuntimeException e) {
                                    throw Errors.internal("failed to set bridge addr: " + Errors.text(e), e);
                                }
                            }
                        }
                        if (!family.isEmpty()) {
                            try {
                                if (family == gws.v4) {
                                    Forwarding.enableIpv4();
                                } else {
                                    Forwarding.enableIpv6();
                                }
                            } catch (NetlinkException e) {
                                throw Errors.internal("failed to enable forwarding: " + Errors.text(e), e);
                            }
                        }
                    }
                }
                if (conf.ipMasq()) {
                    List<IpPrefix> ips = new ArrayList<>();
                    for (IpConfig ipc : result.ips()) {
                        ips.add(ipc.address());
                    }
                    rollback.made("the masquerading", () -> IpMasq.teardown(ips, conf.name(), ifName, request.containerId()));
                    try {
                        IpMasq.setup(conf.ipMasqBackend(), ips, conf.name(), ifName, request.containerId());
                    } catch (IllegalArgumentException | IllegalStateException e) {
                        throw Errors.internal(Errors.text(e), e);
                    }
                    rollback.step("masq");
                }
            } else if (!conf.disableContainerInterface()) {
                Link l;
                try {
                    l = c.linkByName(ifName);
                } catch (NetlinkException e) {
                    throw Errors.internal("failed to retrieve link: " + Errors.text(e), e);
                }
                try {
                    c.linkSetUp(l.index());
                } catch (NetlinkException e) {
                    throw Errors.internal("failed to set \"" + ifName + "\" up: " + Errors.text(e), e);
                }
            }

            Link hv = h.linkByIndex(hostVeth.index());
            if (!conf.disableContainerInterface()) {
                hv = waitForPort(h, hostVeth.index());
            }
            rollback.step("port-up");
            interfaces.set(1, hostIf.withMac(macText(hv)));
            Link brNow;
            try {
                brNow = h.linkByName(conf.bridge());
            } catch (NetlinkException e) {
                throw Errors.internal("could not lookup \"" + conf.bridge() + "\": " + Errors.text(e), e);
            }
            interfaces.set(0, brIf.withMac(macText(brNow)));
            rollback.step("result");
            result = result.withInterfaces(interfaces);
            if (DnsConf.isSet(request.netConf())) {
                result = result.withDns(request.netConf().dns());
            }
            return result;
        }
    }

    static String macText(Link l) {
        return VethPlugin.macText(l);
    }

    private static void quietSysctl(NetNs ns, String name, String value) {
        try {
            Sysctl.set(ns, name, value);
        } catch (RuntimeException e) {
            // as Go: ignored
        }
    }

    /**
     * Go's {@code setupBridge}/{@code ensureBridge}: create (MTU, VLAN filtering) unless it exists,
     * promiscuous on when asked, must be a bridge, {@code accept_ra=0}, up.
     */
    static Link setupBridge(NetlinkHandle h, BridgeConfig conf) {
        String name = conf.bridge();
        String prefix = "failed to create bridge \"" + name + "\": ";
        LinkSpec spec = LinkSpec.bridge(name);
        if (conf.mtu() > 0) {
            spec = spec.withMtu(conf.mtu());
        }
        if (conf.vlanFiltering()) {
            spec = spec.withVlanFiltering(true);
        }
        try {
            h.linkAdd(spec);
        } catch (NetlinkException e) {
            if (e.errno() != dev.jcni.netlink.Errno.EEXIST) {
                throw Errors.internal(prefix + "could not add \"" + name + "\": " + Errors.text(e), e);
            }
        }
        Link br;
        try {
            br = h.linkByName(name);
        } catch (NetlinkException e) {
            throw Errors.internal(prefix + "could not lookup \"" + name + "\": " + Errors.text(e), e);
        }
        if (!br.kind().filter("bridge"::equals).isPresent()) {
            throw Errors.internal(prefix + "\"" + name + "\" already exists but is not a bridge");
        }
        try {
            if (conf.promiscMode()) {
                h.linkSetPromisc(br.index(), true);
            }
        } catch (NetlinkException e) {
            throw Errors.internal(prefix + "could not set promiscuous mode on \"" + name + "\": " + Errors.text(e), e);
        }
        try {
            Sysctl.set("net/ipv6/conf/" + name + "/accept_ra", "0");
        } catch (RuntimeException e) {
            // as Go: ignored
        }
        try {
            h.linkSetUp(br.index());
        } catch (NetlinkException e) {
            throw Errors.internal(prefix + Errors.text(e), e);
        }
        return h.linkByIndex(br.index());
    }

    /** Enslaves a host veth and sets its port flags and VLANs (the host half of Go's {@code setupVeth}). */
    static void attachPort(NetlinkHandle h, Link br, Link hostVeth, boolean hairpin, boolean isolated, int vlan,
            List<Integer> trunk, boolean preserveDefaultVlan) {
        String n = hostVeth.name();
        try {
            h.linkSetMaster(hostVeth.index(), br.index());
        } catch (NetlinkException e) {
            throw Errors.internal("failed to connect \"" + n + "\" to bridge " + br.name() + ": " + Errors.text(e), e);
        }
        try {
            h.linkSetHairpin(hostVeth.index(), hairpin);
        } catch (NetlinkException e) {
            throw Errors.internal("failed to setup hairpin mode for " + n + ": " + Errors.text(e), e);
        }
        try {
            h.linkSetIsolated(hostVeth.index(), isolated);
        } catch (NetlinkException e) {
            throw Errors.internal("failed to set isolated on for " + n + ": " + Errors.text(e), e);
        }
        if (vlan == 0 && trunk.isEmpty()) {
            return;
        }
        List<Integer> existing = new ArrayList<>();
        if (!preserveDefaultVlan) {
            try {
                for (BridgeVlan v : h.bridgeVlanList().getOrDefault(hostVeth.index(), List.of())) {
                    existing.add(v.vid());
                }
            } catch (NetlinkException e) {
                throw Errors.internal("failed to remove default vlan on interface \"" + n + "\": " + Errors.text(e), e);
            }
        }
        for (VlanPlan.Op op : VlanPlan.forPort(vlan, trunk, preserveDefaultVlan, existing)) {
            try {
                if (op.add()) {
                    h.bridgeVlanAdd(hostVeth.index(), op.vid(), op.pvid(), op.untagged(), false, true);
                } else {
                    h.bridgeVlanDel(hostVeth.index(), op.vid(), false, true);
                }
            } catch (NetlinkException e) {
                String what = !op.add() ? "failed to remove default vlan on interface \"" + n + "\": "
                        : op.vid() == 1 && vlan == 0 && op.pvid() ? "failed to setup default native vlan tag on interface \"" + n + "\": "
                        : "failed to setup vlan tag on interface \"" + n + "\": ";
                throw Errors.internal(what + Errors.text(e), e);
            }
        }
    }

    /**
     * Go's {@code ensureVlanInterface}: {@code <bridge>.<vlan>}, a host-side veth whose peer is an
     * access port. Shared by the network's containers, so it stays once made; when making it fails
     * half-way, what was made goes again.
     */
    static Link ensureVlanInterface(NetlinkHandle h, NetNs host, Link br, int vlan, boolean preserveDefaultVlan,
            Request request) {
        String name = br.name() + "." + vlan;
        Optional<Link> existing = h.findLinkByName(name);
        if (existing.isPresent()) {
            return existing.get();
        }
        return Rollback.run(request.logger(), Rollback.NO_FAULTS, rollback -> {
            Veth.Pair pair = Veth.setup(h, h, host, name, br.mtu(), Optional.empty(), rollback);
            attachPort(h, br, pair.host(), false, false, vlan, List.of(), preserveDefaultVlan);
            Link gw = h.linkByName(name);
            h.linkSetUp(gw.index());
            return h.linkByIndex(gw.index());
        });
    }

    /**
     * Go's {@code ensureAddr}: an identical address is fine; another IPv4 address, or an overlapping
     * IPv6 one, is an error unless {@code forceAddress} (then it is removed); add; pin the MAC.
     *
     * <p>The MAC pinned is the one {@code link} had when it was read, before this ADD's port joined
     * (as Go, which sets the bridge's address to {@code br.Attrs().HardwareAddr} of its earlier
     * lookup): a bridge whose address is not set takes the lowest MAC of its ports, so without the
     * pin it would change with every container. A bridge that had no port when it was read has no
     * address (all zeros), which the kernel refuses to set: Go then fails with {@code could not set
     * bridge's mac} (plugins#620); jcni pins the address the bridge has now instead.
     */
    static void ensureAddr(NetlinkHandle h, Link link, IpPrefix gw, boolean force) {
        int family = gw.isIpv4() ? Family.V4 : Family.V6;
        for (Address a : h.addrList(link.index(), family)) {
            if (a.prefix().equals(gw)) {
                return;
            }
            if (family == Family.V4 || a.prefix().contains(gw.address()) || gw.contains(a.prefix().address())) {
                if (force) {
                    try {
                        h.addrDel(a);
                    } catch (NetlinkException e) {
                        throw Errors.internal("could not remove IP address from \"" + link.name() + "\": " + Errors.text(e), e);
                    }
                } else {
                    throw Errors.internal("\"" + link.name() + "\" already has an IP address different from " + gw);
                }
            }
        }
        try {
            h.addrAdd(Address.of(link.index(), gw));
        } catch (NetlinkException e) {
            if (e.errno() != dev.jcni.netlink.Errno.EEXIST) {
                throw Errors.internal("could not add IP address " + gw + " to \"" + link.name() + "\": " + Errors.text(e), e);
            }
        }
        Optional<MacAddress> pin = link.mac().filter(m -> !isZero(m));
        if (pin.isEmpty()) {
            pin = h.linkByIndex(link.index()).mac().filter(m -> !isZero(m));
        }
        if (pin.isPresent()) {
            try {
                h.linkSetHardwareAddr(link.index(), pin.get());
            } catch (NetlinkException e) {
                throw Errors.internal("could not set bridge's mac: " + Errors.text(e), e);
            }
        }
    }

    private static boolean isZero(MacAddress mac) {
        for (byte b : mac.bytes()) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** The addresses and routes of the result, and the gateway addresses per family (Go's {@code calcGateways}). */
    static final class Gateways {
        final List<IpConfig> ips = new ArrayList<>();
        final List<Route> routes = new ArrayList<>();
        final List<IpPrefix> v4 = new ArrayList<>();
        final List<IpPrefix> v6 = new ArrayList<>();
    }

    static Gateways calcGateways(Result ipam, BridgeConfig conf) {
        Gateways g = new Gateways();
        g.routes.addAll(ipam.routes());
        boolean[] defaultFound = new boolean[2];
        for (IpConfig ipc0 : ipam.ips()) {
            IpConfig ipc = ipc0.withInterface(2);
            boolean v4 = ipc.isIpv4();
            int f = v4 ? 0 : 1;
            if (ipc.gateway().isEmpty() && conf.isGateway()) {
                ipc = ipc.withGateway(nextIp(ipc.address().network().address()));
            }
            if (conf.isDefaultGateway() && !defaultFound[f]) {
                for (Route r : g.routes) {
                    if (r.gw().isPresent() && r.dst().prefixLength() == 0 && r.dst().isIpv4() == v4) {
                        defaultFound[f] = true;
                        break;
                    }
                }
                if (!defaultFound[f]) {
                    IpPrefix any = IpPrefix.parse(v4 ? "0.0.0.0/0" : "::/0");
                    g.routes.add(ipc.gateway().map(gw -> Route.of(any, gw))
                            .orElseGet(() -> Route.of(any)));
                    defaultFound[f] = true;
                }
            }
            if (conf.isGateway()) {
                IpPrefix gwNet = new IpPrefix(ipc.gateway().orElseThrow(), ipc.address().prefixLength());
                (v4 ? g.v4 : g.v6).add(gwNet);
            }
            g.ips.add(ipc);
        }
        return g;
    }

    /** Go's {@code ip.NextIP}. */
    static InetAddress nextIp(InetAddress a) {
        byte[] b = a.getAddress();
        BigInteger v = new BigInteger(1, b).add(BigInteger.ONE);
        byte[] raw = v.toByteArray();
        byte[] out = new byte[b.length];
        int n = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - n, out, out.length - n, n);
        return Ip.fromBytes(out);
    }

    /** Go's port-state wait: the host veth must be operationally up ({@link NetlinkHandle#waitOperUp}). */
    static Link waitForPort(NetlinkHandle h, int index) {
        try {
            return h.waitOperUp(index, PORT_WAIT);
        } catch (NetlinkException e) {
            if (e.errno() != dev.jcni.netlink.Errno.ETIMEDOUT) {
                throw e;
            }
            throw Errors.internal("bridge port in error state: " + operStateText(h.linkByIndex(index).operState()));
        }
    }

    static String operStateText(OperState s) {
        return s.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    // ------------------------------------------------------------------ DEL

    @Override
    public void del(Request request) throws Exception {
        BridgeConfig conf = BridgeConfig.load(request);
        Optional<List<IpPrefix>> addrs = VethPlugin.deleteContainerLink(request);
        if (conf.isLayer3()) {
            Ipam.del(conf.ipamType(), request);
        }
        if (conf.macSpoofChk()) {
            try {
                new SpoofCheck(request.containerId(), request.ifName()).teardown();
            } catch (RuntimeException e) {
                request.logger().log(System.Logger.Level.WARNING, Errors.text(e));
            }
        }
        if (conf.isLayer3() && conf.ipMasq()) {
            VethPlugin.teardownMasq(conf.name(), request, addrs.orElse(List.of()));
        }
    }

    // ------------------------------------------------------------------ CHECK

    @Override
    public void check(Request request) throws Exception {
        BridgeConfig conf = BridgeConfig.load(request);
        NetNs netns = Links.openNetns(request.netns());
        try (NetNs ns = netns; NetlinkHandle h = NetlinkHandle.open(); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            Ipam.check(conf.ipamType(), request);
            if (!request.netConf().hasPrevResult()) {
                throw Errors.internal("Required prevResult missing");
            }
            Result prev = request.prevResult().orElseThrow();
            Interface brMap = Interface.host("", "");
            for (Interface i : prev.interfaces()) {
                if (i.name().equals(conf.bridge())) {
                    brMap = i;
                }
            }
            Link br = validateBridge(h, brMap, conf);
            Interface contMap = VethPlugin.containerInterface(prev, request);
            Link cont = VethPlugin.validateContainer(c, contMap, CONTAINER_TEXTS);
            boolean vethFound = false;
            for (Interface i : prev.interfaces()) {
                if (i.name().equals(brMap.name()) || i.name().equals(contMap.name())) {
                    continue;
                }
                if (validateHostVeth(h, i, br, cont)) {
                    vethFound = true;
                    break;
                }
            }
            if (!vethFound) {
                throw Errors.internal("CNI veth created for bridge " + conf.bridge() + " was not found");
            }
            Validate.interfaceIps(c, request.ifName(), prev.ips());
            Validate.routes(c, prev.routes());
        }
    }

    /** Go bridge's texts of the container checks. */
    private static final VethPlugin.ContainerTexts CONTAINER_TEXTS = new VethPlugin.ContainerTexts("Interface name missing ",
            "Interface name ", "", "veth", "");

    /** A host-side interface of prevResult, which must exist outside any sandbox. */
    private static Link lookup(NetlinkHandle h, Interface intf) {
        if (intf.name().isEmpty()) {
            throw Errors.internal("Interface name missing ");
        }
        Optional<Link> l = h.findLinkByName(intf.name());
        if (l.isEmpty()) {
            throw Errors.internal("Interface name " + intf.name() + " not found");
        }
        if (!intf.sandbox().isEmpty()) {
            throw Errors.internal("Interface " + intf.name() + " should not be in sandbox");
        }
        return l.get();
    }

    private static Link validateBridge(NetlinkHandle h, Interface intf, BridgeConfig conf) {
        Link l = lookup(h, intf);
        if (!l.kind().filter("bridge"::equals).isPresent()) {
            throw Errors.internal("Interface " + intf.name() + " does not have link type of bridge");
        }
        if (!intf.mac().isEmpty() && !intf.mac().equals(macText(l))) {
            throw Errors.internal("Bridge interface " + intf.name() + " Mac doesn't match: " + intf.mac());
        }
        boolean promisc = l.promiscuity() != 0;
        if (promisc != conf.promiscMode()) {
            throw Errors.internal("Bridge interface " + intf.name() + " configured Promisc Mode " + conf.promiscMode()
                    + " doesn't match current state: " + promisc + " ");
        }
        return l;
    }

    private static boolean validateHostVeth(NetlinkHandle h, Interface intf, Link br, Link cont) {
        Link l = lookup(h, intf);
        if (!l.kind().filter("veth"::equals).isPresent()) {
            return false;
        }
        if (l.index() != cont.peerIndex().orElse(-1) || cont.index() != l.peerIndex().orElse(-1)) {
            return false;
        }
        if (l.masterIndex().orElse(0) != br.index()) {
            return false;
        }
        if (!intf.mac().isEmpty() && !intf.mac().equals(macText(l))) {
            throw Errors.internal("Interface " + intf.name() + " Mac doesn't match: " + intf.mac() + " not found");
        }
        return true;
    }

    // ------------------------------------------------------------------ STATUS, GC

    /** As Go: the configuration is only decoded (no VLAN or CNI_ARGS checks), then IPAM STATUS when there is IPAM. */
    @Override
    public void status(Request request) throws Exception {
        BridgeConfig.decode(request);
        String ipamType = request.netConf().ipam().map(i -> i.type()).orElse("");
        if (!ipamType.isEmpty()) {
            Ipam.status(ipamType, request);
        }
    }

    /** Beyond Go: IPAM GC, then the masquerading of attachments that are no longer valid. */
    @Override
    public void gc(Request request) throws Exception {
        BridgeConfig conf = BridgeConfig.load(request);
        if (conf.isLayer3()) {
            VethPlugin.gc(conf.ipamType(), conf.name(), request);
        }
    }
}
