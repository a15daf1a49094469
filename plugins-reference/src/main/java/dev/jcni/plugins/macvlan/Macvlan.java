package dev.jcni.plugins.macvlan;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.Sysctl;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NsPathNotExistException;
import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.plugins.ip.IfaceConfig;
import dev.jcni.plugins.ip.Ipam;
import dev.jcni.plugins.ip.Links;
import dev.jcni.plugins.ip.Rollback;
import dev.jcni.plugins.ip.Validate;
import dev.jcni.plugins.ip.VethPlugin;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The macvlan plugin: the container's interface is a macvlan device of a master link (given, or the
 * link of the default route), in mode bridge, private, vepa or passthru, with the IPAM plugin's
 * addresses (or none: layer 2 only). Drop-in for Go's {@code macvlan} (containernetworking/plugins
 * HEAD); differences in docs/macvlan.md.
 */
public final class Macvlan implements Plugin {
    private final Consumer<String> faults;

    /** Public no-arg constructor for the launcher and the training run. */
    public Macvlan() {
        this(Rollback.NO_FAULTS);
    }

    /** @param faults failure injection for tests: {@code link}, {@code rename}, {@code ipam}, {@code configure}, {@code result} */
    Macvlan(Consumer<String> faults) {
        this.faults = faults;
    }

    /** @param args ignored */
    public static void main(String[] args) {
        PluginMain.run(new Macvlan());
    }

    @Override
    public String about() {
        return PluginVersion.about("macvlan");
    }

    /**
     * ADD: the device made in the container's namespace under a temporary name (a name taken in the
     * host must not matter), renamed to {@code CNI_IFNAME}; then the IPAM plugin's addresses and
     * routes, or just the link up. A failure removes the device and releases the IPAM reservation.
     */
    @Override
    public Result add(Request request) throws Exception {
        NetNs netns = Links.openNetns(request.netns());
        try (NetNs ns = netns; NetNs host = NetNs.current(); NetlinkHandle h = NetlinkHandle.openAt(host);
             NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            MacvlanConfig conf = MacvlanConfig.load(request, h, c);
            String ifName = request.ifName();
            return Rollback.run(request.logger(), faults, rollback -> {
                Interface intf = create(conf, ifName, ns, h, c, rollback);
                Result result = Result.empty().withInterfaces(List.of(intf));
                if (!conf.ipamType().isEmpty()) {
                    Result ipam = Ipam.add(conf.ipamType(), request);
                    rollback.made("the IPAM reservation", () -> Ipam.del(conf.ipamType(), request));
                    rollback.step("ipam");
                    if (ipam.ips().isEmpty()) {
                        throw Errors.internal("IPAM plugin returned missing IP config");
                    }
                    List<IpConfig> ips = new ArrayList<>();
                    for (IpConfig ipc : ipam.ips()) {
                        ips.add(ipc.withInterface(0));
                    }
                    result = result.withIps(ips).withRoutes(ipam.routes());
                    for (String s : List.of("net/ipv4/conf/" + ifName + "/arp_notify", "net/ipv6/conf/" + ifName + "/ndisc_notify")) {
                        try {
                            Sysctl.set(ns, s, "1");
                        } catch (RuntimeException e) {
                            // as Go: ignored (IPv6 may be off in the container)
                        }
                    }
                    IfaceConfig.configure(ns, c, ifName, result);
                } else {
                    try {
                        c.linkSetUp(c.linkByName(ifName).index());
                    } catch (NetlinkException e) {
                        throw Errors.internal("failed to set \"" + ifName + "\" UP: " + Errors.text(e), e);
                    }
                }
                rollback.step("configure");
                // as Go: the configuration's dns, not the IPAM plugin's
                result = result.withDns(request.netConf().dns());
                rollback.step("result");
                return result;
            });
        }
    }

    private Interface create(MacvlanConfig conf, String ifName, NetNs ns, NetlinkHandle h, NetlinkHandle c, Rollback rollback) {
        NetlinkHandle where = conf.linkInContainer() ? c : h;
        Link master;
        try {
            master = where.linkByName(conf.master());
        } catch (NetlinkException | IllegalArgumentException e) {
            throw Errors.internal("failed to lookup master \"" + conf.master() + "\": " + Errors.text(e), e);
        }
        String tmp = LinkSpec.randomVethName();
        LinkSpec spec = LinkSpec.macvlan(tmp, master.index(), conf.mode());
        if (conf.mtu() > 0) {
            spec = spec.withMtu(conf.mtu());
        }
        if (conf.mac().isPresent()) {
            spec = spec.withMac(conf.mac().get());
        }
        if (!conf.linkInContainer()) {
            spec = spec.withNamespace(ns);
        }
        try {
            where.linkAdd(spec);
        } catch (NetlinkException e) {
            throw Errors.internal("failed to create macvlan: " + Errors.text(e), e);
        }
        // whatever the name is now, the device is in the container: it goes by its index
        int index = c.linkByName(tmp).index();
        rollback.made("the macvlan device " + ifName, () -> c.findLinkByIndex(index).ifPresent(l -> c.linkDel(l.index())));
        rollback.step("link");
        if (conf.bcQueueLen() > 0) {
            try {
                MacvlanAttrs.setBcQueueLen(c, index, conf.bcQueueLen());
            } catch (NetlinkException e) {
                throw Errors.internal("failed to set bcqueuelen of the macvlan: " + Errors.text(e), e);
            }
        }
        try {
            c.linkSetName(index, ifName);
        } catch (NetlinkException e) {
            throw Errors.internal("failed to rename macvlan to \"" + ifName + "\": " + Errors.text(e), e);
        }
        rollback.step("rename");
        Link made = c.linkByIndex(index);
        return Interface.container(ifName, VethPlugin.macText(made), ns.path());
    }

    /** DEL: the IPAM reservation, then the device; nothing there (no netns, no device) is fine. */
    @Override
    public void del(Request request) {
        String ipamType;
        try {
            ipamType = MacvlanConfig.ipamType(request);
        } catch (RuntimeException e) {
            throw Errors.internal("failed to load netConf: " + Errors.text(e), e);
        }
        if (!ipamType.isEmpty()) {
            Ipam.del(ipamType, request);
        }
        if (request.netns().isEmpty()) {
            return;
        }
        try (NetNs ns = NetNs.get(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            c.findLinkByName(request.ifName()).ifPresent(l -> {
                try {
                    c.linkDel(l.index());
                } catch (NetlinkException e) {
                    if (e.errno() != Errno.ENODEV) {
                        throw e;
                    }
                }
            });
        } catch (NsPathNotExistException e) {
            // the namespace is gone, and the device with it
        } catch (NetlinkException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    @Override
    public void check(Request request) throws Exception {
        NetNs netns = Links.openNetns(request.netns());
        try (NetNs ns = netns; NetNs host = NetNs.current(); NetlinkHandle h = NetlinkHandle.openAt(host);
             NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            MacvlanConfig conf = MacvlanConfig.load(request, h, c);
            if (!conf.ipamType().isEmpty()) {
                Ipam.check(conf.ipamType(), request);
            }
            if (!request.netConf().hasPrevResult()) {
                throw Errors.internal("required prevResult missing");
            }
            Result prev = request.prevResult().orElseThrow();
            Interface intf = Interface.host("", "");
            for (Interface i : prev.interfaces()) {
                if (i.name().equals(request.ifName()) && i.sandbox().equals(request.netns())) {
                    intf = i;
                }
            }
            if (!request.netns().equals(intf.sandbox())) {
                throw Errors.internal("sandbox in prevResult " + intf.sandbox() + " doesn't match configured netns: " + request.netns());
            }
            NetlinkHandle where = conf.linkInContainer() ? c : h;
            if (where.findLinkByName(conf.master()).isEmpty()) {
                throw Errors.internal("failed to lookup master \"" + conf.master() + "\": Link not found");
            }
            validateInterface(c, intf, conf.mode());
            Validate.interfaceIps(c, request.ifName(), prev.ips());
            Validate.routes(c, prev.routes());
        }
    }

    /** Go's {@code validateCniContainerInterface}. */
    static void validateInterface(NetlinkHandle c, Interface intf, int mode) {
        if (intf.name().isEmpty()) {
            throw Errors.internal("container interface name missing in prevResult: ");
        }
        Link l = c.findLinkByName(intf.name())
                .orElseThrow(() -> Errors.internal("container Interface name in prevResult: " + intf.name() + " not found"));
        if (intf.sandbox().isEmpty()) {
            throw Errors.internal("error: Container interface " + l.name() + " should not be in host namespace");
        }
        if (!l.kind().filter("macvlan"::equals).isPresent()) {
            throw Errors.internal("error: Container interface " + l.name() + " not of type macvlan");
        }
        int actual = MacvlanAttrs.mode(c, l.index());
        if (actual != mode) {
            throw Errors.internal("container macvlan mode " + MacvlanConfig.modeName(actual) + " does not match expected value: "
                    + MacvlanConfig.modeName(mode));
        }
        if (!intf.mac().isEmpty() && !intf.mac().equals(VethPlugin.macText(l))) {
            throw Errors.internal("interface " + intf.name() + " Mac " + intf.mac() + " doesn't match container Mac: " + VethPlugin.macText(l));
        }
    }

    @Override
    public void status(Request request) {
        String ipamType = MacvlanConfig.ipamType(request);
        if (!ipamType.isEmpty()) {
            Ipam.status(ipamType, request);
        }
    }
}
