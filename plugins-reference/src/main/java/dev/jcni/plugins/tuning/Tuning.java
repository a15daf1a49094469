package dev.jcni.plugins.tuning;

import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.Sysctl;
import dev.jcni.netns.NetNs;
import dev.jcni.netns.NsPathNotExistException;
import dev.jcni.plugins.PluginVersion;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.plugins.ip.Links;
import dev.jcni.plugins.ip.Rollback;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The tuning meta plugin (chained after the plugin that made {@code CNI_IFNAME}): sets sysctls of
 * the container's network namespace ({@code net.*} only; {@code IFNAME} in a key names the
 * interface) and the interface's MAC, MTU, promiscuous and all-multicast modes and transmit queue
 * length; keeps how they were in a file under {@code dataDir} and restores them on DEL; CHECK
 * compares; a failed ADD puts back what it changed. Drop-in for Go's {@code tuning}
 * (containernetworking/plugins HEAD behaviour, sharing its file); differences in docs/tuning.md.
 */
public final class Tuning implements Plugin {
    private final Path allowlist;
    private final Consumer<String> faults;

    /** Public no-arg constructor for the launcher and the training run. */
    public Tuning() {
        this(TuningConfig.DEFAULT_ALLOWLIST, Rollback.NO_FAULTS);
    }

    /**
     * @param allowlist the sysctl allowlist file (tests give their own)
     * @param faults failure injection for tests: called at each named point of ADD
     */
    Tuning(Path allowlist, Consumer<String> faults) {
        this.allowlist = allowlist;
        this.faults = faults;
    }

    /** @param args ignored */
    public static void main(String[] args) {
        PluginMain.run(new Tuning());
    }

    @Override
    public String about() {
        return PluginVersion.about("tuning");
    }

    /**
     * ADD: everything is checked first; then, in the container's namespace, the values from before
     * are saved, the sysctls written, the link attributes set (MAC, promiscuous, MTU, all-multicast,
     * queue length, Go's order); the result is the {@code prevResult} with the interface's new MAC.
     * On failure each change made is put back, newest first, and the saved file removed.
     */
    @Override
    public Result add(Request request) throws Exception {
        TuningConfig conf = TuningConfig.load(request, allowlist, true);
        if (!request.netConf().hasPrevResult()) {
            throw Errors.internal("Required prevResult missing");
        }
        Result prev = request.prevResult().orElseThrow();
        String ifName = request.ifName();
        try (NetNs ns = Links.openNetns(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            return Rollback.run(request.logger(), faults, rollback -> {
                Optional<Link> link = Optional.empty();
                if (conf.changesLink()) {
                    link = Optional.of(c.findLinkByName(ifName).orElseThrow(() ->
                            Errors.internal("failed to get \"" + ifName + "\": Link not found")));
                }
                Map<String, String> before = new LinkedHashMap<>();
                for (Path file : conf.sysctls().values()) {
                    before.putIfAbsent(file.toString(), ns.call(() -> readSysctl(file)));
                }
                Saved now = saved(conf, link, before);
                if (!now.isEmpty()) {
                    save(request, conf, now, rollback);
                }
                rollback.step("saved");
                for (Map.Entry<String, Path> s : conf.sysctls().entrySet()) {
                    Path file = s.getValue();
                    String old = before.get(file.toString());
                    rollback.made("sysctl " + file, () -> ns.run(() -> writeSysctl(file, old)));
                    ns.run(() -> writeSysctl(file, conf.values().get(s.getKey())));
                }
                rollback.step("sysctl");
                Result result = prev;
                if (link.isPresent()) {
                    Link l = link.get();
                    int index = l.index();
                    if (conf.mac().isPresent()) {
                        l.mac().ifPresent(m -> rollback.made("the MAC", () -> c.linkSetHardwareAddr(index, m)));
                        kernel(() -> c.linkSetHardwareAddr(index, conf.mac().get()), "failed to set the MAC of " + ifName);
                        result = withMac(prev, ifName, conf.macText());
                    }
                    rollback.step("mac");
                    if (conf.promisc()) {
                        rollback.made("promiscuous mode", () -> c.linkSetPromisc(index, l.isPromisc()));
                        kernel(() -> c.linkSetPromisc(index, true), "failed to set promiscuous mode on " + ifName);
                    }
                    rollback.step("promisc");
                    if (conf.mtu() != 0) {
                        rollback.made("the MTU", () -> c.linkSetMtu(index, l.mtu()));
                        kernel(() -> c.linkSetMtu(index, conf.mtu()), "failed to set the MTU of " + ifName + " to " + conf.mtu());
                    }
                    rollback.step("mtu");
                    if (conf.allmulti().isPresent()) {
                        rollback.made("all-multicast mode", () -> c.linkSetAllmulti(index, allmulti(l)));
                        kernel(() -> c.linkSetAllmulti(index, conf.allmulti().get()), "failed to set all-multicast mode on " + ifName);
                    }
                    rollback.step("allmulti");
                    if (conf.txQLen().isPresent()) {
                        rollback.made("the queue length", () -> c.linkSetTxQueueLen(index, l.txQueueLen()));
                        kernel(() -> c.linkSetTxQueueLen(index, conf.txQLen().getAsInt()),
                                "failed to set the transmit queue length of " + ifName + " to " + conf.txQLen().getAsInt());
                    }
                    rollback.step("txqlen");
                }
                rollback.step("result");
                return result;
            });
        }
    }

    /** The values of what this ADD changes, as they are now. */
    private static Saved saved(TuningConfig conf, Optional<Link> link, Map<String, String> sysctls) {
        Optional<Link> l = link;
        return new Saved(
                conf.mac().isPresent() ? l.flatMap(Link::mac).map(MacAddress::toString) : Optional.empty(),
                conf.promisc() ? l.map(Link::isPromisc) : Optional.empty(),
                conf.mtu() != 0 ? l.map(Link::mtu).orElse(0) : 0,
                conf.allmulti().isPresent() ? l.map(Tuning::allmulti) : Optional.empty(),
                conf.txQLen().isPresent() && l.isPresent() ? OptionalInt.of(l.get().txQueueLen()) : OptionalInt.empty(),
                sysctls);
    }

    /** Writes the saved values (keeping those of an earlier ADD of the same attachment); its undo puts the file back as it was. */
    private static void save(Request request, TuningConfig conf, Saved now, Rollback rollback) {
        Path file = Saved.file(conf.dataDir(), request.containerId(), request.ifName());
        try {
            Optional<byte[]> earlier = Files.exists(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
            Saved merged = earlier.flatMap(Saved::parse).map(e -> e.over(now)).orElse(now);
            Saved.write(file, merged.toJson());
            rollback.made("the saved values " + file, () -> {
                try {
                    if (earlier.isPresent()) {
                        Saved.write(file, earlier.get());
                    } else {
                        Files.deleteIfExists(file);
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e.getMessage(), e);
                }
            });
        } catch (IOException e) {
            throw new CniException(ErrorCodes.IO_FAILURE, "failed to save file " + file + ": " + Errors.text(e), "", e);
        }
    }

    private static Result withMac(Result prev, String ifName, String mac) {
        List<Interface> ifs = new ArrayList<>();
        for (Interface i : prev.interfaces()) {
            ifs.add(i.name().equals(ifName) ? i.withMac(mac) : i);
        }
        return prev.withInterfaces(ifs);
    }

    /**
     * DEL: restores what the saved file holds (MTU, MAC, promiscuous, all-multicast, queue length,
     * then the sysctls) and removes the file. Always succeeds once the configuration is read: with no
     * file there is nothing to do; without a namespace, or when the namespace or the interface is
     * gone, there is nothing left to restore and the file is removed; a restore that fails is logged
     * and the file kept for a later DEL, as Go does.
     */
    @Override
    public void del(Request request) {
        TuningConfig conf = TuningConfig.load(request, allowlist, false);
        Path file = Saved.file(conf.dataDir(), request.containerId(), request.ifName());
        if (!Files.exists(file)) {
            return;
        }
        System.Logger log = request.logger();
        Optional<Saved> saved;
        try {
            saved = Saved.parse(Files.readAllBytes(file));
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "cannot read " + file + ": " + Errors.text(e));
            return;
        }
        if (saved.isEmpty() || request.netns().isEmpty()) {
            remove(file, log);
            return;
        }
        List<String> failed = new ArrayList<>();
        try (NetNs ns = NetNs.get(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            restore(ns, c, request.ifName(), saved.get(), failed);
        } catch (NsPathNotExistException e) {
            // the namespace is gone, with the interface and its sysctls
        } catch (NetlinkException e) {
            failed.add(Errors.text(e));
        }
        if (failed.isEmpty()) {
            remove(file, log);
        } else {
            log.log(System.Logger.Level.WARNING, "tuning DEL could not restore everything (" + file + " kept): " + String.join("; ", failed));
        }
    }

    private static void restore(NetNs ns, NetlinkHandle c, String ifName, Saved s, List<String> failed) {
        Optional<Link> link = c.findLinkByName(ifName);
        if (link.isPresent()) {
            int index = link.get().index();
            if (s.mtu() != 0) {
                attempt(() -> c.linkSetMtu(index, s.mtu()), "failed to restore MTU", failed);
            }
            s.mac().ifPresent(m -> attempt(() -> c.linkSetHardwareAddr(index, MacAddress.parse(m)), "failed to restore MAC address", failed));
            s.promisc().ifPresent(p -> attempt(() -> c.linkSetPromisc(index, p), "failed to restore promiscuous mode", failed));
            s.allmulti().ifPresent(a -> attempt(() -> c.linkSetAllmulti(index, a), "failed to restore all-multicast mode", failed));
            s.txQLen().ifPresent(q -> attempt(() -> c.linkSetTxQueueLen(index, q), "failed to restore transmit queue length", failed));
        }
        List<Map.Entry<String, String>> sysctls = new ArrayList<>(s.sysctls().entrySet());
        java.util.Collections.reverse(sysctls);
        for (Map.Entry<String, String> e : sysctls) {
            Path file = Path.of(e.getKey());
            if (!file.normalize().toString().startsWith("/proc/sys/net/")) {
                failed.add("not restoring " + file + ": not a network sysctl");
                continue;
            }
            attempt(() -> ns.run(() -> {
                if (Files.exists(file)) { // a per-interface sysctl whose interface is gone has nothing to restore
                    writeSysctl(file, e.getValue());
                }
            }), "failed to restore " + file, failed);
        }
    }

    private static void attempt(Runnable r, String what, List<String> failed) {
        try {
            r.run();
        } catch (RuntimeException e) {
            failed.add(what + ": " + Errors.text(e));
        }
    }

    private static void remove(Path file, System.Logger log) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "cannot remove " + file + ": " + Errors.text(e));
        }
    }

    /** CHECK: each sysctl and each configured link attribute has the configured value (Go's texts). */
    @Override
    public void check(Request request) throws Exception {
        TuningConfig conf = TuningConfig.load(request, allowlist, true);
        if (!request.netConf().hasPrevResult()) {
            throw Errors.internal("Required prevResult missing");
        }
        request.prevResult().orElseThrow();
        String ifName = request.ifName();
        try (NetNs ns = Links.openNetns(request.netns()); NetlinkHandle c = NetlinkHandle.openAt(ns)) {
            for (Map.Entry<String, Path> s : conf.sysctls().entrySet()) {
                Path file = s.getValue();
                String want = conf.values().get(s.getKey());
                String have = ns.call(() -> readSysctl(file));
                if (!sameSysctlValue(want, have)) {
                    throw Errors.internal("Error: Tuning configured value of " + file + " is " + want + ", current value is " + have);
                }
            }
            Link l = c.findLinkByName(ifName).orElseThrow(() -> Errors.internal("Cannot find container link " + ifName));
            if (conf.mac().isPresent() && !l.mac().equals(conf.mac())) {
                throw Errors.internal("Error: Tuning configured Ethernet of " + ifName + " is " + conf.macText() + ", current value is "
                        + l.mac().map(MacAddress::toString).orElse(""));
            }
            if (conf.promisc() != l.isPromisc()) {
                throw Errors.internal("Error: Tuning link " + ifName + " configured promisc is " + conf.promisc() + ", current value is "
                        + (l.isPromisc() ? 1 : 0));
            }
            if (conf.mtu() != 0 && conf.mtu() != l.mtu()) {
                throw Errors.internal("Error: Tuning configured MTU of " + ifName + " is " + conf.mtu() + ", current value is " + l.mtu());
            }
            if (conf.allmulti().isPresent() && conf.allmulti().get() != allmulti(l)) {
                throw Errors.internal("Error: Tuning configured all-multicast mode of " + ifName + " is " + conf.allmulti().get()
                        + ", current value is " + allmulti(l));
            }
            if (conf.txQLen().isPresent() && conf.txQLen().getAsInt() != l.txQueueLen()) {
                throw Errors.internal("Error: Tuning configured Transmit Queue Length of " + ifName + " is " + conf.txQLen().getAsInt()
                        + ", current value is " + l.txQueueLen());
            }
        }
    }

    /** Values compare as the kernel prints them: white space runs (a tab in {@code ping_group_range}) are one space. */
    static boolean sameSysctlValue(String configured, String current) {
        return configured.trim().replaceAll("\\s+", " ").equals(current.trim().replaceAll("\\s+", " "));
    }

    private static boolean allmulti(Link l) {
        return (l.flags() & Link.IFF_ALLMULTI) != 0;
    }

    private static void kernel(Runnable r, String what) {
        try {
            r.run();
        } catch (NetlinkException e) {
            throw Errors.internal(what + ": " + Errors.text(e), e);
        }
    }

    /**
     * Reads a sysctl in the calling thread's namespace.
     *
     * @param file the file, under {@code /proc/sys}
     * @return the value without its trailing newline
     */
    static String readSysctl(Path file) {
        try {
            return Sysctl.get(PROC_SYS.relativize(file).toString());
        } catch (NetlinkException | IllegalArgumentException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    /**
     * Writes a sysctl in the calling thread's namespace.
     *
     * @param file the file, under {@code /proc/sys}
     * @param value the value
     */
    static void writeSysctl(Path file, String value) {
        try {
            Sysctl.set(PROC_SYS.relativize(file).toString(), value);
        } catch (NetlinkException | IllegalArgumentException e) {
            throw Errors.internal(Errors.text(e), e);
        }
    }

    private static final Path PROC_SYS = Path.of("/proc/sys");
}
