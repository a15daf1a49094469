package dev.jcni.plugins.bandwidth;

import dev.jcni.netlink.LinkNotFoundException;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.PacketClock;
import dev.jcni.netlink.route.Qdisc;
import dev.jcni.netlink.route.Tbf;
import dev.jcni.netlink.route.TcFilter;
import dev.jcni.netns.NetNs;
import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.firewall.Names;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.plugins.ip.Links;
import dev.jcni.plugins.ip.Rollback;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The bandwidth plugin: limits a container's traffic, as a chained plugin after one that made a
 * veth pair (ptp, bridge). Traffic into the container is shaped by a tbf qdisc on the host end of
 * the veth; traffic out of it is redirected from the host end's ingress to an ifb device whose tbf
 * shapes it. A drop-in for Go's {@code bandwidth}: same configuration, same tc state and ifb name,
 * so either implementation removes what the other made. Everything goes through netlink; {@code tc}
 * is never run. See docs/bandwidth.md.
 */
public final class Bandwidth implements Plugin {
    /** Go's {@code latencyInMillis}, in microseconds: the queue holds what the rate sends in 25 ms, plus the burst. */
    static final double LATENCY_USEC = 25_000.0;
    /** The ifb name's prefix and length (Go's {@code ifbDevicePrefix}, {@code maxIfbDeviceLength}). */
    static final String IFB_PREFIX = "bwp";
    static final int IFB_NAME_LENGTH = 15;

    private final Consumer<String> faults;

    /** The plugin. */
    public Bandwidth() {
        this(Rollback.NO_FAULTS);
    }

    /**
     * @param faults failure injection for tests, called after each piece is made: {@code ingress-tbf},
     *     {@code ifb}, {@code ingress-qdisc}, {@code filter}, {@code egress-tbf} (see {@link Rollback#step})
     */
    Bandwidth(Consumer<String> faults) {
        this.faults = faults;
    }

    /**
     * @param args ignored
     */
    public static void main(String[] args) {
        PluginMain.run(new Bandwidth());
    }

    /** As Go's: 0.3.0 and later (a 0.1.0/0.2.0 prevResult names no interfaces to shape). */
    @Override
    public PluginInfo versionInfo() {
        return PluginInfo.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
    }

    @Override
    public String about() {
        return PluginVersion.about("bandwidth");
    }

    /**
     * Go's {@code getIfbDeviceName}: {@code bwp} and the start of sha512(network + container id), 15 characters.
     *
     * @param network the network name
     * @param containerId the container id
     * @return the ifb name
     */
    static String ifbName(String network, String containerId) {
        return Names.hashWithPrefix(IFB_NAME_LENGTH, IFB_PREFIX, network + containerId);
    }

    /**
     * The tbf Go makes for a rate in bits per second and a burst in bits.
     *
     * @param rateBits the rate
     * @param burstBits the burst
     * @param clock the packet-scheduler clock
     * @return the parameters
     */
    static Tbf tbf(long rateBits, long burstBits, PacketClock clock) {
        return Tbf.of(rateBits / 8, (int) (burstBits / 8), LATENCY_USEC, clock);
    }

    private static Result prevResult(Request request, String missing) {
        return request.prevResult().orElseThrow(() -> Errors.invalidConfig(missing));
    }

    @Override
    public Result add(Request request) {
        BandwidthConfig config = BandwidthConfig.load(request);
        // Go v1.1.1 crashes (nil pointer) on an ADD without limits and without prevResult: an error here
        Result prev = prevResult(request, "must be called as chained plugin");
        Optional<BandwidthConfig.Limits> limits = config.limits().filter(l -> !l.isZero());
        if (limits.isEmpty()) {
            return prev;
        }
        BandwidthConfig.Limits l = limits.get();
        try (NetlinkHandle host = NetlinkHandle.open()) {
            Link hostLink = hostInterface(request, prev, host);
            PacketClock clock = PacketClock.system();
            return Rollback.run(request.logger(), faults, rollback -> {
                Result result = prev;
                if (l.ingress()) {
                    Qdisc q = Qdisc.tbf(hostLink.index(), tbf(l.ingressRate(), l.ingressBurst(), clock));
                    addQdisc(host, q, "create qdisc: ");
                    rollback.made("the tbf qdisc of " + hostLink.name(), () -> host.qdiscDel(q));
                    rollback.step("ingress-tbf");
                }
                if (l.egress()) {
                    String ifbName = ifbName(config.network(), request.containerId());
                    try {
                        host.linkAdd(LinkSpec.ifb(ifbName).withMtu(hostLink.mtu()).withTxQueueLen(0).withUp(true));
                    } catch (NetlinkException e) {
                        throw Errors.internal("adding link: " + Errors.text(e), e);
                    }
                    rollback.made("the ifb device " + ifbName, () -> host.linkDel(ifbName));
                    rollback.step("ifb");
                    Link ifb = host.linkByName(ifbName);
                    List<Interface> interfaces = new ArrayList<>(result.interfaces());
                    interfaces.add(Interface.host(ifbName, ifb.mac().map(Object::toString).orElse("")));
                    result = result.withInterfaces(interfaces);

                    Qdisc ingress = Qdisc.ingress(hostLink.index());
                    addQdisc(host, ingress, "create ingress qdisc: ");
                    rollback.made("the ingress qdisc of " + hostLink.name(), () -> host.qdiscDel(ingress));
                    rollback.step("ingress-qdisc");
                    try {
                        host.filterAdd(redirect(hostLink.index(), ifb.index()));
                    } catch (NetlinkException e) {
                        throw Errors.internal("add filter: " + Errors.text(e), e);
                    }
                    rollback.step("filter");
                    addQdisc(host, Qdisc.tbf(ifb.index(), tbf(l.egressRate(), l.egressBurst(), clock)),
                            "create ifb qdisc: create qdisc: ");
                    rollback.step("egress-tbf");
                }
                return result;
            });
        }
    }

    /**
     * The filter Go makes: u32 match-all on the ingress qdisc, priority 1, flow 1:1, redirecting to
     * the ifb. Go's library adds the redirect twice (once for {@code RedirIndex}, once from
     * {@code Actions}; the second, {@code pass}, never runs): the same two are made here so that
     * the tc state is Go's.
     */
    static TcFilter redirect(int hostIndex, int ifbIndex) {
        return TcFilter.matchAll(hostIndex, Qdisc.handle(0xffff, 0), 1, Qdisc.handle(1, 1),
                List.of(TcFilter.Mirred.egressRedirect(ifbIndex),
                        new TcFilter.Mirred(TcFilter.Mirred.EGRESS_REDIRECT, ifbIndex, TcFilter.Mirred.ACT_OK)));
    }

    private static void addQdisc(NetlinkHandle host, Qdisc q, String prefix) {
        try {
            host.qdiscAdd(q);
        } catch (NetlinkException e) {
            throw Errors.internal(prefix + Errors.text(e), e);
        }
    }

    /**
     * Go's {@code getHostInterface}: the host end of the container interface's veth, which must be
     * one of the previous result's host interfaces.
     */
    private static Link hostInterface(Request request, Result prev, NetlinkHandle host) {
        if (prev.interfaces().isEmpty()) {
            throw Errors.internal("no interfaces provided");
        }
        int peerIndex;
        try (NetNs ns = Links.openNetns(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            Link l = c.linkByName(request.ifName());
            peerIndex = l.peerIndex().orElseThrow(() -> Errors.internal("container interface " + request.ifName()
                    + " has no veth peer: not a veth"));
        } catch (LinkNotFoundException e) {
            throw Errors.internal("container interface " + request.ifName() + " has no veth peer: " + Errors.text(e), e);
        }
        Link link = host.findLinkByIndex(peerIndex)
                .orElseThrow(() -> Errors.internal("veth peer with index " + peerIndex + " is not in host ns"));
        for (Interface i : prev.interfaces()) {
            if (i.sandbox().isEmpty() && i.name().equals(link.name())) {
                return link;
            }
        }
        throw Errors.internal("no veth peer of container interface found in host ns");
    }

    @Override
    public void check(Request request) {
        BandwidthConfig config = BandwidthConfig.load(request);
        Result prev = prevResult(request, "must be called as a chained plugin");
        try (NetlinkHandle host = NetlinkHandle.open()) {
            Link hostLink = hostInterface(request, prev, host);
            Optional<BandwidthConfig.Limits> limits = config.limits().filter(x -> !x.isZero());
            if (limits.isEmpty()) {
                return;
            }
            BandwidthConfig.Limits l = limits.get();
            PacketClock clock = PacketClock.system();
            if (l.ingress()) {
                checkTbf(host, hostLink, tbf(l.ingressRate(), l.ingressBurst(), clock));
            }
            if (l.egress()) {
                String ifbName = ifbName(config.network(), request.containerId());
                Link ifb = host.findLinkByName(ifbName).orElseThrow(
                        () -> Errors.internal("get ifb device: Link not found"));
                checkTbf(host, ifb, tbf(l.egressRate(), l.egressBurst(), clock));
                boolean redirected = host.qdiscList(hostLink.index()).contains(Qdisc.ingress(hostLink.index()))
                        && host.filterList(hostLink.index(), Qdisc.handle(0xffff, 0)).stream()
                                .anyMatch(f -> f.actions().contains(TcFilter.Mirred.egressRedirect(ifb.index())));
                if (!redirected) {
                    throw Errors.internal("no redirect of " + hostLink.name() + " ingress to " + ifbName);
                }
            }
        }
    }

    /** The root qdisc must be a tbf with these values (Go's CHECK, without its pass on a non-tbf root). */
    private static void checkTbf(NetlinkHandle host, Link link, Tbf want) {
        Optional<Qdisc> root = host.qdiscList(link.index()).stream().filter(Qdisc::isRoot).findFirst();
        Tbf got = root.flatMap(Qdisc::tbf).orElseThrow(() -> Errors.internal("Failed to find qdisc"));
        if (got.rate() != want.rate()) {
            throw Errors.internal("Rate doesn't match");
        }
        if (got.limit() != want.limit()) {
            throw Errors.internal("Limit doesn't match");
        }
        if (got.buffer() != want.buffer()) {
            throw Errors.internal("Buffer doesn't match");
        }
    }

    @Override
    public void del(Request request) {
        BandwidthConfig config = BandwidthConfig.load(request);
        String ifbName = ifbName(config.network(), request.containerId());
        try (NetlinkHandle host = NetlinkHandle.open()) {
            Optional<Link> ifb = host.findLinkByName(ifbName);
            if (ifb.isPresent()) {
                try {
                    host.linkDel(ifb.get().index());
                } catch (NetlinkException e) {
                    if (host.findLinkByName(ifbName).isPresent()) {
                        throw Errors.internal("failed to delete \"" + ifbName + "\": " + Errors.text(e), e);
                    }
                }
            }
            removeHostQdiscs(request, host);
        }
    }

    /**
     * Beyond Go (whose DEL removes only the ifb): when the container and its veth are still there,
     * the tbf and ingress qdiscs this plugin put on the host end are removed too, so that the veth
     * is left as it was. Best effort: a container already gone took its veth with it.
     */
    private static void removeHostQdiscs(Request request, NetlinkHandle host) {
        Optional<Result> prev;
        try {
            prev = request.prevResult();
        } catch (CniException e) {
            return;
        }
        if (prev.isEmpty() || request.netns().isEmpty()) {
            return;
        }
        Link hostLink;
        try {
            hostLink = hostInterface(request, prev.get(), host);
        } catch (CniException | NetlinkException e) {
            return;
        }
        for (Qdisc q : host.qdiscList(hostLink.index())) {
            boolean ours = q.isRoot() && q.tbf().isPresent() && q.handle() == Qdisc.handle(1, 0)
                    || q.equals(Qdisc.ingress(hostLink.index()));
            if (ours) {
                try {
                    host.qdiscDel(q);
                } catch (NetlinkException e) {
                    request.logger().log(Level.WARNING, "could not remove " + q + " from " + hostLink.name() + ": "
                            + e.getMessage());
                }
            }
        }
    }
}
