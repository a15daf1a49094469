package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.Link;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * kill -9 inside the kernel and store work of ADD: a plugin process of a configuration list (run by
 * jcni's runtime side, each plugin exec'd as containerd or CRI-O exec them) is frozen and killed with
 * SIGKILL at a chosen point of its ADD ({@link Killer}: SIGSTOP, read the state, SIGKILL there or
 * SIGCONT); afterwards the runtime's DEL, then GC with an empty list of valid attachments, leave
 * nothing of the attachment: no link in the namespace or on the bridge, no host address or route, no
 * address reservation (nor a temporary file of one), no iptables or nft chain or rule (masquerading,
 * spoof check, port forwarding), no result cache entry.
 *
 * <p>The points are states the test reads itself while the victim is frozen: the container's veth
 * there without an address yet, host-local's store lock held by the victim (from {@code /proc/locks}),
 * portmap's host-wide lock held, an {@code iptables}/{@code nft} child of the victim running. Each
 * trial asserts that its kill landed there: the victim was frozen in that state and killed (never a
 * kill during JVM start-up, never one after the victim's work was done), the ADD failed because its
 * plugin was killed by signal 9, and the state read at the kill is reported. A victim that ran through
 * without the point showing (a window narrower than one look) is tried again on a new attachment, at
 * most {@value #ATTEMPTS} times.
 *
 * <p>CI runs {@code crashTrials} trials per victim (3, cycling over the victim's points), the soak
 * script 100. Always cold: the victim must be a plugin process (warm, the launcher's process is the
 * shim, and the daemon's handling of a caller that goes away is WarmIT's and the warm-mode tests').
 */
@KernelTest
class CrashIT {
    /** How many victims in a row may run through a point before the trial fails. */
    static final int ATTEMPTS = 4;

    /**
     * What the test reads of an attachment, the victim frozen.
     *
     * @param containerLink {@code eth0} exists in the container's namespace
     * @param containerAddress it has an IPv4 address
     * @param reserved host-local's store holds a reservation for the attachment
     * @param storeLock the victim holds host-local's store lock
     * @param portmapLock the victim holds portmap's host-wide lock
     * @param firewall the command lines of the victim's {@code iptables}/{@code nft} children
     */
    record State(boolean containerLink, boolean containerAddress, boolean reserved, boolean storeLock, boolean portmapLock,
            List<String> firewall) {
    }

    /** A point of a victim's ADD. */
    record Point(String name, Predicate<State> at) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Point VETH_BEFORE_IPAM = new Point("its veth made, no reservation yet (spoof check, IPAM)",
            s -> s.containerLink() && !s.reserved());
    static final Point STORE_LOCKED = new Point("host-local's store locked by it", State::storeLock);
    static final Point FIREWALL = new Point("its iptables or nft command running", s -> !s.firewall().isEmpty());
    static final Point RESERVED_NO_ADDRESS = new Point("address reserved, not yet on the container's interface",
            s -> s.reserved() && !s.containerAddress());
    static final Point PORTMAP_LOCKED = new Point("portmap's host-wide lock held by it", State::portmapLock);

    /** The plugin killed, the list it is part of, how to find its process, and where to kill it. */
    enum Victim {
        BRIDGE("bridge", "Bridge", Network.Main.BRIDGE, false, List.of(VETH_BEFORE_IPAM, STORE_LOCKED, FIREWALL)),
        PTP("ptp", "Ptp", Network.Main.PTP, false, List.of(STORE_LOCKED, RESERVED_NO_ADDRESS, FIREWALL)),
        PORTMAP("portmap", "Portmap", Network.Main.PTP, false, List.of(PORTMAP_LOCKED, FIREWALL)),
        /** host-local as a process of its own, exec'd by bridge (a delegate of another distribution is). */
        HOST_LOCAL("host-local", "HostLocal", Network.Main.BRIDGE, true, List.of(STORE_LOCKED));

        final String plugin;
        final String mainClass;
        final Network.Main main;
        final boolean execHostLocal;
        final List<Point> points;

        Victim(String plugin, String mainClass, Network.Main main, boolean execHostLocal, List<Point> points) {
            this.plugin = plugin;
            this.mainClass = mainClass;
            this.main = main;
            this.execHostLocal = execHostLocal;
            this.points = points;
        }
    }

    /** One ADD with a killer beside it: what the killer saw and how the ADD ended. */
    record Trial(Killer.Outcome<State> kill, boolean addSucceeded, String addError) {
    }

    static Trial addWhileKilling(Killer killer, Network net, TestNetns ns, RuntimeConf rt, Victim v, Predicate<State> point) {
        AtomicBoolean over = new AtomicBoolean();
        Path store = net.f.dataDir.resolve(net.f.net);
        CompletableFuture<Killer.Outcome<State>> kill = CompletableFuture.supplyAsync(() -> killer.killAt(v.plugin, v.mainClass,
                rt.containerId(), p -> probe(p, ns, store, rt.containerId()), point, over::get, 300_000));
        boolean ok = false;
        String error = "";
        try {
            net.cni.addNetworkList(net.list, rt);
            ok = true;
        } catch (CniException e) {
            error = e.getMessage();
        } finally {
            over.set(true);
        }
        return new Trial(kill.join(), ok, error);
    }

    @ParameterizedTest
    @EnumSource(Victim.class)
    void killedInsideItsKernelOrStoreWorkThenDelAndGcLeaveNothing(Victim v) {
        int trials = Calls.size("crashTrials", 3, 100);
        try (Network net = new Network(v.main, v.execHostLocal, false); Killer killer = new Killer()) {
            // an uninterrupted ADD (the victim never killed, found all the same), DEL, GC: nothing left
            TestNetns first = net.netns();
            RuntimeConf rt0 = net.attachment(first);
            Trial calibration = addWhileKilling(killer, net, first, rt0, v, s -> false);
            assertTrue(calibration.addSucceeded(), calibration.addError());
            assertTrue(calibration.kill().seen(), "the victim's process was not found");
            assertFalse(calibration.kill().killed());
            delAndGcLeaveNothing(net, first, rt0, "after an uninterrupted ADD");

            Map<String, Integer> landed = new LinkedHashMap<>();
            List<String> wheres = new ArrayList<>();
            int missed = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < trials; i++) {
                Point point = v.points.get(i % v.points.size());
                Trial t = null;
                String what = "";
                for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                    TestNetns ns = net.netns();
                    RuntimeConf rt = net.attachment(ns);
                    t = addWhileKilling(killer, net, ns, rt, v, point.at());
                    what = "trial " + i + " (attempt " + attempt + "), " + v.plugin + " to be killed at \"" + point + "\": " + t;
                    assertTrue(t.kill().seen(), what + ": the victim's process was not found");
                    if (t.kill().killed()) {
                        State where = t.kill().where().orElseThrow();
                        assertTrue(point.at().test(where), what + ": killed elsewhere");
                        assertFalse(t.addSucceeded(), what + ": the ADD succeeded though its plugin was killed in its work");
                        assertTrue(t.addError().contains("killed by signal 9"), what + ": the ADD failed for another reason");
                        wheres.add(point + " -> " + where);
                    } else {
                        // it ran through between two looks: an ADD like the calibration's, then again
                        assertTrue(t.addSucceeded(), what + ": an ADD fails only when its plugin was killed");
                        missed++;
                    }
                    delAndGcLeaveNothing(net, ns, rt, what);
                    ns.close();
                    if (t.kill().killed()) {
                        break;
                    }
                }
                assertTrue(t.kill().killed(), what + ": " + ATTEMPTS + " victims in a row ran through the point without it showing");
                landed.merge(point.name(), 1, Integer::sum);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            wheres.forEach(w -> Calls.figure("kill -9 " + v.plugin + " at", w));
            Calls.figure("kill -9 " + v.plugin, trials + " trials, each killed inside its ADD's work: " + landed + " (" + missed
                    + " victims ran through a point between two looks and were tried again); after DEL and GC: nothing left in"
                    + " any trial; " + ms + " ms wall");
        }
    }

    private static void delAndGcLeaveNothing(Network net, TestNetns ns, RuntimeConf rt, String what) {
        net.cni.delNetworkList(net.list, rt);
        net.cni.gcNetworkList(net.list, List.of());
        assertEquals(List.of(), net.leftovers(ns, rt), what + ": left after DEL and GC");
    }

    // ---------------------------------------------------------------- the state, read by the test

    static State probe(ProcessHandle victim, TestNetns ns, Path store, String containerId) {
        boolean link = false;
        boolean address = false;
        try (NetNs h = NetNs.get(ns.path()); NetlinkHandle nl = NetlinkHandle.openAt(h)) {
            for (Link l : nl.linkList()) {
                if (l.name().equals("eth0")) {
                    link = true;
                    address = !nl.addrList(l.index(), Family.V4).isEmpty();
                }
            }
        }
        boolean reserved = Store.reservations(store).containsValue(Store.key(containerId, "eth0"));
        List<String> locks = flocksOf(victim.pid());
        List<String> firewall = victim.children().map(Killer::cmdline)
                .filter(c -> c.matches("(\\S*/)?(ip6?tables\\S*|nft|xtables\\S*)( .*)?")).toList();
        return new State(link, address, reserved, locks.contains(inode(store.resolve("lock"))),
                locks.contains(inode(Path.of("/run/jcni/portmap.lock"))), firewall);
    }

    /** @return the files ({@code major:minor:inode}, as {@code /proc/locks} names them) whose flock(2) lock a process holds */
    static List<String> flocksOf(long pid) {
        List<String> out = new ArrayList<>();
        try {
            for (String l : Files.readAllLines(Path.of("/proc/locks"))) {
                // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"; a waiter's line has "->"
                String[] w = l.trim().split("\\s+");
                if (w.length >= 6 && w[1].equals("FLOCK") && w[4].equals(Long.toString(pid))) {
                    out.add(w[5]);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** @return a file as {@code /proc/locks} names it ({@code major:minor:inode}, the device numbers in hex); "" when absent */
    static String inode(Path file) {
        try {
            if (!Files.exists(file)) {
                return "";
            }
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            return String.format("%02x:%02x:%s", major, minor, Files.getAttribute(file, "unix:ino"));
        } catch (IOException e) {
            return "";
        }
    }
}
