package dev.jcni.plugins.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.Map;

/**
 * Runs one configuration through an implementation (jcni's packaged plugin or Go's v1.1.1 from
 * /usr/lib/cni) and records everything observable, normalised: the result (MACs and veth names
 * masked), the container's links, addresses and routes, the host's bridge and routes, the
 * host-local store and the firewall lines. Both implementations run one after the other on the same
 * names (network, bridge, container id, subnets), so the snapshots must be equal.
 */
public final class Parity {
    private Parity() {
    }

    /**
     * Which implementation: jcni's plugin with Go's host-local ({@code JCNI}), jcni's plugin with jcni's
     * host-local ({@code JCNI_STACK}: every Go plugin replaced), or Go's plugin with Go's host-local.
     */
    public enum Impl {
        JCNI, JCNI_STACK, GO;

        public Dist.Run run(String plugin, String command, Map<String, String> env, String conf) {
            if (this == GO) {
                return Fixture.go(plugin, command, env, conf);
            }
            Map<String, String> e = new java.util.LinkedHashMap<>(env);
            e.put("CNI_PATH", this == JCNI_STACK ? Dist.bin().toString() : Fixture.GO.toString());
            return Fixture.jcni(plugin, command, e, conf);
        }
    }

    /** Everything observable after an ADD. */
    public record Snapshot(Result result, List<String> container, List<String> host, Map<String, String> store, List<String> iptables,
            List<String> nft) {
    }

    static Result normalise(Result r) {
        List<Interface> ifs = new ArrayList<>();
        for (Interface i : r.interfaces()) {
            ifs.add(new Interface(i.name().replaceAll("^veth[0-9a-f]{8}$", "vethX"), "", i.mtu(), i.sandbox().isEmpty() ? "" : "NETNS",
                    i.socketPath(), i.pciID()));
        }
        return r.withInterfaces(ifs);
    }

    /**
     * ADD, snapshot, DEL, and the check that DEL left nothing of the attachment.
     *
     * @param impl the implementation
     * @param f the fixture
     * @param plugin bridge or ptp
     * @param conf the configuration
     * @return the snapshot taken after ADD
     */
    public static Snapshot addSnapshotDel(Impl impl, Fixture f, String plugin, String conf) {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env(f.net + "-ctr", ns, "eth0");
        Result r = impl.run(plugin, "ADD", env, conf).result();
        Snapshot s = snapshot(f, plugin, ns, r);
        impl.run(plugin, "DEL", env, conf).assertQuietSuccess();
        assertNothingLeft(f, plugin, ns, impl + " DEL");
        Kernel.exec("ip", "link", "del", f.bridge);
        f.clearStore();
        return s;
    }

    /**
     * The parity check of one configuration: ADD, snapshot, DEL with Go's plugin and with jcni's, then
     * compares result, container, host, store, iptables and nft state, and the cross cases (Go ADD →
     * jcni DEL and the reverse) leave nothing.
     *
     * @param jcniImpl jcni's plugin with Go's host-local, or the whole jcni stack
     * @param plugin {@code bridge} or {@code ptp}
     * @param config the configuration for a fixture
     */
    public static void compareWithGo(Impl jcniImpl, String plugin, Function<Fixture, String> config) {
        try (Fixture f = new Fixture()) {
            f.cniPath = Fixture.GO.toString(); // the namespaces' env; each Impl sets its own CNI_PATH
            String conf = config.apply(f);
            Snapshot go = addSnapshotDel(Impl.GO, f, plugin, conf);
            Snapshot jcni = addSnapshotDel(jcniImpl, f, plugin, conf);
            assertEquals(go.result(), jcni.result(), "result");
            assertEquals(go.container(), jcni.container(), "container");
            assertEquals(go.host(), jcni.host(), "host");
            assertEquals(go.store(), jcni.store(), "host-local store");
            assertEquals(go.iptables(), jcni.iptables(), "iptables");
            assertEquals(go.nft(), jcni.nft(), "nft");
            cross(Impl.GO, jcniImpl, f, plugin, conf);
            cross(jcniImpl, Impl.GO, f, plugin, conf);
        }
    }

    /**
     * ADD by one implementation, DEL by the other.
     *
     * @param add who adds
     * @param del who deletes
     * @param f the fixture
     * @param plugin bridge or ptp
     * @param conf the configuration
     */
    public static void cross(Impl add, Impl del, Fixture f, String plugin, String conf) {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env(f.net + "-ctr", ns, "eth0");
        add.run(plugin, "ADD", env, conf).result();
        del.run(plugin, "DEL", env, conf).assertQuietSuccess();
        assertNothingLeft(f, plugin, ns, add + " ADD then " + del + " DEL");
        Kernel.exec("ip", "link", "del", f.bridge);
        f.clearStore();
    }

    static Snapshot snapshot(Fixture f, String plugin, TestNetns ns, Result r) {
        List<String> host = new ArrayList<>(State.bridge(f.bridge));
        host.addAll(State.hostRoutesAndAddrs(f.prefix4, f.prefix6));
        return new Snapshot(normalise(r), State.container(ns), host, f.store(), f.iptablesLines(),
                f.nftLines().stream().map(l -> l.replaceAll("veth[0-9a-f]{8}", "vethX")).toList());
    }

    static void assertNothingLeft(Fixture f, String plugin, TestNetns ns, String what) {
        assertTrue(ns.exec("ip", "link", "show", "eth0").exitCode() != 0, what + ": eth0 is gone");
        assertEquals(List.of(), State.hostRoutesAndAddrs(f.prefix4, f.prefix6).stream().filter(l -> !l.contains(f.bridge)).toList(),
                what + ": host routes and addresses (the bridge keeps its gateway address, as with Go)");
        assertEquals(List.of(), State.bridge(f.bridge).stream().filter(l -> l.startsWith("port")).toList(), what + ": bridge ports");
        assertEquals(List.of(), f.store().keySet().stream().filter(k -> k.startsWith("10.") || k.startsWith("fd00")).toList(),
                what + ": store");
        assertEquals(List.of(), f.iptablesLines(), what + ": iptables");
        assertEquals(List.of(), f.nftLines(), what + ": nft");
    }
}
