package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * kill -9 during ADD: a plugin process of a configuration list (run by jcni's runtime side, each
 * plugin exec'd as containerd or CRI-O exec them) is killed at a random point of its ADD; afterwards
 * the runtime's DEL, then GC with an empty list of valid attachments, leave nothing of the attachment:
 * no link in the namespace or on the bridge, no host address or route, no address reservation (nor a
 * temporary file of one), no iptables or nft chain or rule (masquerading, spoof check, port
 * forwarding), no result cache entry.
 *
 * <p>The random delay runs from the moment the victim process appears (its launcher) and is uniform
 * over 0 to 1.25 times the victim's lifetime in an uninterrupted run measured first, so that most trials
 * kill it somewhere in its start-up or its kernel work and some let it finish (then DEL undoes a whole
 * ADD). CI runs {@code crashTrials} trials per victim (3, to fit the CI time budget); the soak script 100, the figure.
 */
@KernelTest
class CrashIT {
    /** The plugin killed, the list it is part of, and how to find its process. */
    enum Victim {
        BRIDGE("bridge", "Bridge", Network.Main.BRIDGE, false),
        PTP("ptp", "Ptp", Network.Main.PTP, false),
        PORTMAP("portmap", "Portmap", Network.Main.PTP, false),
        /** host-local as a process of its own, exec'd by bridge (a delegate of another distribution is). */
        HOST_LOCAL("host-local", "HostLocal", Network.Main.BRIDGE, true);

        final String plugin;
        final String mainClass;
        final Network.Main main;
        final boolean execHostLocal;

        Victim(String plugin, String mainClass, Network.Main main, boolean execHostLocal) {
            this.plugin = plugin;
            this.mainClass = mainClass;
            this.main = main;
            this.execHostLocal = execHostLocal;
        }
    }

    /** One ADD with a killer beside it: what the killer saw and how the ADD ended. */
    record Trial(Killer.Outcome kill, boolean addSucceeded, String addError) {
    }

    static Trial addWhileKilling(Network net, RuntimeConf rt, Victim v, long delayMillis) {
        AtomicBoolean over = new AtomicBoolean();
        CompletableFuture<Killer.Outcome> killer = CompletableFuture.supplyAsync(
                () -> Killer.kill(v.plugin, v.mainClass, rt.containerId(), delayMillis, over::get, 300_000));
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
        return new Trial(killer.join(), ok, error);
    }

    @ParameterizedTest
    @EnumSource(Victim.class)
    void killedAtARandomPointOfAddThenDelAndGcLeaveNothing(Victim v) {
        int trials = Calls.size("crashTrials", 5, 100);
        try (Network net = new Network(v.main, v.execHostLocal)) {
            // calibration: an uninterrupted ADD (the victim's lifetime), DEL, GC
            TestNetns first = net.netns();
            RuntimeConf rt0 = net.attachment(first);
            Trial calibration = addWhileKilling(net, rt0, v, -1);
            assertTrue(calibration.addSucceeded(), calibration.addError());
            assertTrue(calibration.kill().seen(), "the victim's process was not found");
            net.cni.delNetworkList(net.list, rt0);
            net.cni.gcNetworkList(net.list, List.of());
            assertEquals(List.of(), net.leftovers(first, rt0), "after an uninterrupted ADD, DEL and GC");
            long life = Math.max(calibration.kill().lifeMillis(), 50);

            int killed = 0;
            int addsThatSucceeded = 0;
            List<Long> delays = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int i = 0; i < trials; i++) {
                TestNetns ns = net.netns();
                RuntimeConf rt = net.attachment(ns);
                long delay = ThreadLocalRandom.current().nextLong(life * 5 / 4 + 1);
                delays.add(delay);
                Trial t = addWhileKilling(net, rt, v, delay);
                String what = "trial " + i + ", " + v.plugin + " killed " + delay + " ms after it started (" + t + ")";
                assertTrue(t.kill().seen(), what + ": the victim's process was not found");
                // a SIGKILL sent while the victim was already exiting (its answer written) changes nothing:
                // the ADD succeeded, and counts as finished first
                killed += t.kill().killed() && !t.addSucceeded() ? 1 : 0;
                addsThatSucceeded += t.addSucceeded() ? 1 : 0;
                assertTrue(t.addSucceeded() || t.kill().killed(), what + ": an ADD fails only when its plugin was killed");
                net.cni.delNetworkList(net.list, rt);
                net.cni.gcNetworkList(net.list, List.of());
                assertEquals(List.of(), net.leftovers(ns, rt), what + ": left after DEL and GC");
                ns.close();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            Calls.figure("kill -9 " + v.plugin, trials + " trials (" + killed + " killed during ADD, " + (trials - killed)
                    + " finished first; " + addsThatSucceeded + " ADDs succeeded), delays 0-" + (life * 5 / 4) + " ms of a "
                    + life + " ms lifetime; after DEL and GC: nothing left in any trial; " + ms + " ms wall");
        }
    }
}
