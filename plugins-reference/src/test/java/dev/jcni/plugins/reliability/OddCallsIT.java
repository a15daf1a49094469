package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.portmap.PortmapTraces;
import dev.jcni.sdk.invoke.PluginException;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Repeated and odd calls, through jcni's runtime side and the packaged executables, on a list of
 * bridge or ptp (host-local, masquerading) and portmap: each call either succeeds as the spec says or
 * fails with an error JSON and a code, and DEL always ends with nothing of the attachment left.
 */
@KernelTest
class OddCallsIT {
    private Network net;

    @AfterEach
    void cleanUp() {
        if (net != null) {
            net.close();
        }
    }

    Network network(Network.Main main) {
        Calls.requireMode();
        net = new Network(main, false);
        return net;
    }

    /** A failed call: an error the plugin reported as JSON, with a code, and no stack trace. */
    static CniException assertCodedFailure(Runnable call, Set<Integer> codes) {
        CniException e = assertThrows(CniException.class, call::run);
        assertTrue(codes.contains(e.code()), "code " + e.code() + " not in " + codes + ": " + e.getMessage());
        if (e instanceof PluginException p) {
            assertTrue(p.isPluginError(), "the plugin printed an error JSON: " + p.getMessage());
            assertFalse(p.stderr().contains("\tat "), "no stack trace: " + p.stderr());
        }
        return e;
    }

    /** CI runs some calls with one of the two lists (the time budget); the soak run with both. */
    static List<Network.Main> bridgeInCi() {
        return Calls.SOAK ? List.of(Network.Main.values()) : List.of(Network.Main.BRIDGE);
    }

    /** @see #bridgeInCi() */
    static List<Network.Main> ptpInCi() {
        return Calls.SOAK ? List.of(Network.Main.values()) : List.of(Network.Main.PTP);
    }

    /** Rule (spec, DEL): DEL of a deleted attachment succeeds; three DELs in a row all do. */
    @ParameterizedTest
    @MethodSource("bridgeInCi")
    void delThreeTimes(Network.Main main) {
        Network n = network(main);
        TestNetns ns = n.netns();
        RuntimeConf rt = n.attachment(ns);
        n.cni.addNetworkList(n.list, rt);
        for (int i = 0; i < 3; i++) {
            n.cni.delNetworkList(n.list, rt);
            assertEquals(List.of(), n.leftovers(ns, rt), "after DEL " + (i + 1));
        }
    }

    /** Rule (spec, DEL): DEL of an attachment never added succeeds, and creates nothing (not even the store directory). */
    @ParameterizedTest
    @MethodSource("ptpInCi")
    void delWithoutAdd(Network.Main main) {
        Network n = network(main);
        TestNetns ns = n.netns();
        RuntimeConf rt = n.attachment(ns);
        n.cni.delNetworkList(n.list, rt);
        n.cni.delNetworkList(n.list, rt.withCapabilityArgs(Map.of()));
        assertEquals(List.of(), n.leftovers(ns, rt));
        assertFalse(Files.exists(n.f.dataDir.resolve(n.f.net)), "no store directory was made");
        assertFalse(n.f.bridgeExists(), "no bridge was made");
    }

    /**
     * Rule (spec, DEL): DEL succeeds when the namespace is gone, and still removes what lives outside
     * it: the reservation, the masquerading (found by name), the port forwarding, the cache entry.
     */
    @ParameterizedTest
    @MethodSource("ptpInCi")
    void delWithTheNamespaceGone(Network.Main main) {
        Network n = network(main);
        TestNetns ns = n.netns();
        RuntimeConf rt = n.attachment(ns);
        n.cni.addNetworkList(n.list, rt);
        assertFalse(PortmapTraces.of(n.f.net, rt.containerId()).isEmpty());
        ns.close();
        n.cni.delNetworkList(n.list, rt);
        n.cni.delNetworkList(n.list, rt);
        TestNetns empty = n.netns();
        assertEquals(List.of(), n.leftovers(empty, rt));
    }

    /** What a partial teardown removes before CHECK. */
    enum Removed { CONTAINER_INTERFACE, RESERVATION, PORT_FORWARDING }

    /**
     * Rule (spec, CHECK): CHECK of an attachment of which a part was removed behind the plugins' backs
     * fails with an error JSON and a code (never a crash), and DEL afterwards removes the rest.
     */
    @ParameterizedTest
    @EnumSource(Network.Main.class)
    void checkAfterAPartialTeardown(Network.Main main) {
        Network n = network(main);
        // CI: the container interface and the port forwarding with bridge, the reservation with ptp; the soak run: all with both
        List<Removed> removals = Calls.SOAK ? List.of(Removed.values()) : main == Network.Main.BRIDGE
                ? List.of(Removed.CONTAINER_INTERFACE, Removed.PORT_FORWARDING) : List.of(Removed.RESERVATION);
        for (Removed removed : removals) {
            TestNetns ns = n.netns();
            RuntimeConf rt = n.attachment(ns);
            n.cni.addNetworkList(n.list, rt);
            n.cni.checkNetworkList(n.list, rt);
            switch (removed) {
                case CONTAINER_INTERFACE -> ns.exec("ip", "link", "del", "eth0").ok();
                case RESERVATION -> {
                    Path dir = n.f.dataDir.resolve(n.f.net);
                    Map<String, String> r = Store.reservations(dir);
                    assertEquals(1, r.size(), r.toString());
                    Kernel.exec("rm", dir.resolve(r.keySet().iterator().next()).toString()).ok();
                }
                case PORT_FORWARDING -> PortmapTraces.remove(n.f.net, rt.containerId());
            }
            CniException e = assertCodedFailure(() -> n.cni.checkNetworkList(n.list, rt), Set.of(ErrorCodes.INTERNAL));
            assertTrue(e.getMessage().contains(removed == Removed.PORT_FORWARDING ? "type=\"portmap\"" : "type=\"" + main.name()
                    .toLowerCase(java.util.Locale.ROOT) + "\""), removed + ": " + e.getMessage());
            n.cni.delNetworkList(n.list, rt);
            assertEquals(List.of(), n.leftovers(ns, rt), "DEL after CHECK found " + removed + " removed");
        }
    }

    /**
     * Rule (spec: a runtime must not ADD the same container id and interface twice without a DEL; when
     * it does): the second ADD fails with a code, and the first attachment stays whole: its interface,
     * its one reservation (no second owner of its address) and its port forwarding; CHECK still passes.
     */
    @ParameterizedTest
    @EnumSource(Network.Main.class)
    void addTwiceWithTheSameContainerIdAndInterface(Network.Main main) {
        Network n = network(main);
        TestNetns ns = n.netns();
        RuntimeConf rt = n.attachment(ns);
        Result first = n.cni.addNetworkList(n.list, rt);
        Map<String, String> store = Store.reservations(n.f.dataDir.resolve(n.f.net));
        List<String> portmap = PortmapTraces.of(n.f.net, rt.containerId());
        assertCodedFailure(() -> n.cni.addNetworkList(n.list, rt), Set.of(ErrorCodes.INTERNAL));
        assertEquals(store, Store.reservations(n.f.dataDir.resolve(n.f.net)), "the first attachment keeps its reservation");
        assertEquals(portmap, PortmapTraces.of(n.f.net, rt.containerId()), "and its port forwarding");
        assertEquals(first, n.cni.getNetworkListCachedResult(n.list, rt).orElseThrow(), "and its cache entry");
        n.cni.checkNetworkList(n.list, rt);
        // a third container gets another address than the first
        TestNetns other = n.netns();
        RuntimeConf rt2 = n.attachment(other);
        Result second = n.cni.addNetworkList(n.list, rt2);
        assertFalse(second.ips().get(0).address().address().equals(first.ips().get(0).address().address()));
        n.cni.delNetworkList(n.list, rt2);
        n.cni.delNetworkList(n.list, rt);
        assertEquals(List.of(), n.leftovers(ns, rt));
        assertEquals(List.of(), n.leftovers(other, rt2));
    }
}
