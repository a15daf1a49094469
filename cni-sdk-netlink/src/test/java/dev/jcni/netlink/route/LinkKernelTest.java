package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.LinkNotFoundException;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.MacAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@KernelTest
class LinkKernelTest {
    private NetNs callerNs;

    @BeforeEach
    void rememberNamespace() {
        callerNs = NetNs.current();
    }

    @AfterEach
    void namespaceUnchanged() {
        try {
            assertTrue(callerNs.isCurrent(), "the calling thread's namespace must not change");
        } finally {
            callerNs.close();
        }
    }

    static String vethName() {
        return Kernel.uniqueName("veth");
    }

    @Test
    void vethWithPeerPlacedDirectlyInAnotherNamespace() {
        try (Sandbox container = Sandbox.create(); Sandbox host = Sandbox.create()) {
            String peer = vethName();
            MacAddress mac = MacAddress.parse("0a:58:0a:01:02:03");
            container.nl.linkAdd(LinkSpec.veth("eth0", peer).withMtu(1400).withMac(mac).withPeerNamespace(host.ns));

            JsonNode eth0 = container.ipLink("eth0");
            assertEquals(1400, eth0.get("mtu").asInt());
            assertEquals("0a:58:0a:01:02:03", eth0.get("address").asText());
            assertEquals("veth", eth0.at("/linkinfo/info_kind").asText());
            JsonNode hostEnd = host.ipLink(peer);
            assertEquals(1400, hostEnd.get("mtu").asInt());
            assertTrue(host.ipJson("link", "show").toString().contains(peer));
            assertFalse(container.ipJson("link", "show").toString().contains(peer));

            Link l = container.nl.linkByName("eth0");
            assertEquals(eth0.get("ifindex").asInt(), l.index());
            assertEquals(Optional.of("veth"), l.kind());
            assertEquals(Optional.of(mac), l.mac());
            assertEquals(1400, l.mtu());
            assertEquals(hostEnd.get("ifindex").asInt(), l.peerIndex().getAsInt(), "peer ifindex via IFLA_LINK");
            assertEquals(eth0.get("link_netnsid").asInt(), l.linkNetnsId().getAsInt());
            Link h = host.nl.linkByName(peer);
            assertEquals(l.index(), h.peerIndex().getAsInt());
        }
    }

    @Test
    void vethPeerWithItsOwnMacAndMtu() {
        try (Sandbox s = Sandbox.create()) {
            String a = vethName();
            String b = vethName();
            s.nl.linkAdd(LinkSpec.veth(a, b).withMtu(1500).withPeerMtu(1300)
                    .withPeerMac(MacAddress.parse("02:00:00:00:00:bb")).withTxQueueLen(500));
            JsonNode jb = s.ipLink(b);
            assertEquals(1300, jb.get("mtu").asInt());
            assertEquals("02:00:00:00:00:bb", jb.get("address").asText());
            assertEquals(500, jb.get("txqlen").asInt());
            assertEquals(1500, s.ipLink(a).get("mtu").asInt());
            Link la = s.nl.linkByName(a);
            Link lb = s.nl.linkByName(b);
            assertEquals(lb.index(), la.peerIndex().getAsInt());
            assertTrue(la.linkNetnsId().isEmpty(), "peer in the same namespace: no netnsid");
            assertEquals(500, la.txQueueLen());
        }
    }

    @Test
    void upDownMtuMacRenamePromisc() {
        try (Sandbox s = Sandbox.create()) {
            String a = vethName();
            String b = vethName();
            s.nl.linkAdd(LinkSpec.veth(a, b));
            int ia = s.nl.linkByName(a).index();
            int ib = s.nl.linkByName(b).index();

            s.nl.linkSetUp(ia);
            s.nl.linkSetUp(ib);
            assertTrue(s.ipLink(a).get("flags").toString().contains("\"UP\""));
            assertTrue(s.nl.linkByIndex(ia).isUp());
            Link up = s.nl.waitOperUp(ia, Duration.ofSeconds(5));
            assertEquals(OperState.UP, up.operState());
            assertEquals("UP", s.ipLink(a).get("operstate").asText());

            s.nl.linkSetDown(ib);
            assertFalse(s.ipLink(b).get("flags").toString().contains("\"UP\""));
            assertFalse(s.nl.linkByIndex(ib).isUp());
            NetlinkException timeout = assertThrows(NetlinkException.class,
                    () -> s.nl.waitOperUp(ib, Duration.ofMillis(120)));
            assertEquals(Errno.ETIMEDOUT, timeout.errno());
            assertTrue(timeout.getMessage().contains("link " + b + " operstate is DOWN"), timeout.getMessage());

            s.nl.linkSetMtu(ia, 1234);
            assertEquals(1234, s.ipLink(a).get("mtu").asInt());

            MacAddress mac = MacAddress.parse("02:11:22:33:44:55");
            s.nl.linkSetHardwareAddr(ia, mac);
            assertEquals(mac.toString(), s.ipLink(a).get("address").asText());

            s.nl.linkSetPromisc(ia, true);
            assertTrue(s.ipLink(a).get("flags").toString().contains("PROMISC"));
            assertTrue(s.nl.linkByIndex(ia).isPromisc());
            s.nl.linkSetPromisc(ia, false);
            assertFalse(s.ipLink(a).get("flags").toString().contains("PROMISC"));

            s.nl.linkSetDown(ia);
            String renamed = vethName();
            s.nl.linkSetName(ia, renamed);
            assertEquals(ia, s.ipLink(renamed).get("ifindex").asInt());
            assertTrue(s.nl.findLinkByName(a).isEmpty());
        }
    }

    @Test
    void listGetAndDelete() {
        try (Sandbox s = Sandbox.create()) {
            String a = vethName();
            String b = vethName();
            s.nl.linkAdd(LinkSpec.veth(a, b));
            List<Link> all = s.nl.linkList();
            JsonNode observed = s.ipJson("link", "show");
            assertEquals(observed.size(), all.size());
            for (JsonNode o : observed) {
                Link l = all.stream().filter(x -> x.index() == o.get("ifindex").asInt()).findFirst().orElseThrow();
                assertEquals(o.get("ifname").asText(), l.name());
                assertEquals(o.get("mtu").asInt(), l.mtu());
                assertEquals(o.get("operstate").asText(), l.operState().name());
            }
            Link lo = s.nl.linkByName("lo");
            assertEquals(1, lo.index());
            assertTrue(lo.kind().isEmpty());
            assertTrue(lo.parentIndex().isEmpty());
            assertEquals("lo", s.nl.linkByIndex(1).name());

            s.nl.linkDel(a);
            assertTrue(s.nl.findLinkByName(a).isEmpty());
            assertTrue(s.nl.findLinkByName(b).isEmpty(), "deleting one veth end deletes both");
            assertEquals(1, s.ipJson("link", "show").size());
        }
    }

    @Test
    void errorsAreTypedWithErrnoAndReadableMessages() {
        try (Sandbox s = Sandbox.create()) {
            String a = vethName();
            s.nl.linkAdd(LinkSpec.veth(a, vethName()));
            NetlinkException exists = assertThrows(NetlinkException.class,
                    () -> s.nl.linkAdd(LinkSpec.veth(a, vethName())));
            assertEquals(Errno.EEXIST, exists.errno());
            assertEquals(Optional.of("EEXIST"), exists.errnoName());
            assertTrue(exists.getMessage().startsWith("RTM_NEWLINK veth \"" + a + "\": EEXIST (File exists)"),
                    exists.getMessage());

            NetlinkException missing = assertThrows(NetlinkException.class, () -> s.nl.linkDel(4242));
            assertEquals(Errno.ENODEV, missing.errno());
            assertTrue(missing.getMessage().startsWith("RTM_DELLINK 4242: ENODEV (No such device)"),
                    missing.getMessage());

            LinkNotFoundException nf = assertThrows(LinkNotFoundException.class, () -> s.nl.linkDel("nosuchlink0"));
            assertEquals("Link not found: nosuchlink0", nf.getMessage());
            assertEquals("nosuchlink0", nf.link());
            assertThrows(LinkNotFoundException.class, () -> s.nl.linkByIndex(4242));
            assertTrue(s.nl.findLinkByIndex(4242).isEmpty());

            // an extended ack: the kernel explains a bad MTU
            int ia = s.nl.linkByName(a).index();
            NetlinkException badMtu = assertThrows(NetlinkException.class, () -> s.nl.linkSetMtu(ia, 10));
            assertEquals(Errno.EINVAL, badMtu.errno());
            assertTrue(badMtu.extAck().isPresent(), "kernel sends an extended ack for a too-small MTU");
            assertTrue(badMtu.getMessage().endsWith(": " + badMtu.extAck().get()), badMtu.getMessage());
        }
    }

    @Test
    void bridgeMasterNomasterAndPortFlags() {
        try (Sandbox s = Sandbox.create()) {
            Link br = s.nl.ensureBridge(LinkSpec.bridge("br0").withMtu(1450));
            assertEquals(br, s.nl.ensureBridge(LinkSpec.bridge("br0")), "EEXIST tolerated, same bridge");
            assertEquals("bridge", s.ipLink("br0").at("/linkinfo/info_kind").asText());
            assertEquals(Optional.of("bridge"), br.kind());
            String a = vethName();
            s.nl.linkAdd(LinkSpec.veth(a, vethName()));
            int ia = s.nl.linkByName(a).index();
            NetlinkException notBridge = assertThrows(NetlinkException.class,
                    () -> s.nl.ensureBridge(LinkSpec.bridge(a)));
            assertEquals(Errno.EEXIST, notBridge.errno());

            s.nl.linkSetMaster(ia, br.index());
            JsonNode port = s.ipLink(a);
            assertEquals("br0", port.get("master").asText());
            Link l = s.nl.linkByIndex(ia);
            assertEquals(br.index(), l.masterIndex().getAsInt());
            assertEquals(Optional.of("bridge"), l.slaveKind());
            assertEquals(new BridgePort(0, false, true, false), l.bridgePort().orElseThrow());

            s.nl.linkSetHairpin(ia, true);
            s.nl.linkSetIsolated(ia, true);
            s.nl.linkSetLearning(ia, false);
            JsonNode data = s.ipLink(a).at("/linkinfo/info_slave_data");
            assertTrue(data.get("hairpin").asBoolean());
            assertTrue(data.get("isolated").asBoolean());
            assertFalse(data.get("learning").asBoolean());
            assertEquals(new BridgePort(0, true, false, true), s.nl.linkByIndex(ia).bridgePort().orElseThrow());
            s.nl.linkSetHairpin(ia, false);
            assertFalse(s.ipLink(a).at("/linkinfo/info_slave_data/hairpin").asBoolean());

            s.nl.linkSetNoMaster(ia);
            assertTrue(s.ipLink(a).path("master").isMissingNode());
            assertTrue(s.nl.linkByIndex(ia).masterIndex().isEmpty());
            assertTrue(s.nl.linkByIndex(ia).bridgePort().isEmpty());
        }
    }

    @Test
    void aHandleKeepsWorkingInItsNamespaceFromAnyThread() throws Exception {
        try (Sandbox s = Sandbox.create()) {
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    s.nl.linkAdd(LinkSpec.bridge("fromthread"));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            other.start();
            other.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }
            assertEquals("bridge", s.ipLink("fromthread").at("/linkinfo/info_kind").asText());
            assertTrue(Kernel.exec("ip", "link", "show", "fromthread").exitCode() != 0, "not in the host namespace");
        }
    }

    @Test
    void moveToAnotherNamespace() {
        try (Sandbox s = Sandbox.create(); Sandbox other = Sandbox.create()) {
            String a = vethName();
            String b = vethName();
            s.nl.linkAdd(LinkSpec.veth(a, b));
            s.nl.linkSetNs(s.nl.linkByName(b).index(), other.ns);
            assertTrue(s.nl.findLinkByName(b).isEmpty());
            assertEquals(b, other.ipLink(b).get("ifname").asText());
            Link moved = other.nl.linkByName(b);
            assertTrue(moved.linkNetnsId().isPresent());
        }
    }

    @Test
    void createDirectlyInAnotherNamespace() {
        try (Sandbox s = Sandbox.create(); Sandbox other = Sandbox.create()) {
            s.nl.linkAdd(LinkSpec.bridge("brx").withNamespace(other.ns).withUp(true));
            assertTrue(s.nl.findLinkByName("brx").isEmpty());
            assertTrue(other.nl.linkByName("brx").isUp());
        }
    }

    @Test
    void macvlanOnAParent() {
        try (Sandbox s = Sandbox.create()) {
            String a = vethName();
            s.nl.linkAdd(LinkSpec.veth(a, vethName()));
            int parent = s.nl.linkByName(a).index();
            s.nl.linkAdd(LinkSpec.macvlan("mv0", parent, LinkSpec.MACVLAN_MODE_BRIDGE).withMtu(1400));
            JsonNode mv = s.ipLink("mv0");
            assertEquals("macvlan", mv.at("/linkinfo/info_kind").asText());
            assertEquals("bridge", mv.at("/linkinfo/info_data/mode").asText());
            assertEquals(a, mv.get("link").asText());
            Link l = s.nl.linkByName("mv0");
            assertEquals(parent, l.parentIndex().getAsInt());
            assertTrue(l.peerIndex().isEmpty(), "peerIndex is for veths");
        }
    }

    @Test
    void dummyLink() {
        try (Sandbox s = Sandbox.create()) {
            s.addOrSkip(LinkSpec.dummy("dummy0"), "dummy link type");
            assertEquals("dummy", s.ipLink("dummy0").at("/linkinfo/info_kind").asText());
            assertEquals(Optional.of("dummy"), s.nl.linkByName("dummy0").kind());
        }
    }

    @Test
    void vlanLink() {
        try (Sandbox s = Sandbox.create()) {
            String a = vethName();
            s.nl.linkAdd(LinkSpec.veth(a, vethName()));
            int parent = s.nl.linkByName(a).index();
            s.addOrSkip(LinkSpec.vlan("vl100", parent, 100), "vlan link type");
            assertEquals(100, s.ipLink("vl100").at("/linkinfo/info_data/id").asInt());
            assertEquals(100, s.nl.linkByName("vl100").vlanId().getAsInt());
        }
    }

    @Test
    void bridgeWithVlanFiltering() {
        try (Sandbox s = Sandbox.create()) {
            s.addOrSkip(LinkSpec.bridge("brv").withVlanFiltering(true), "bridge vlan_filtering");
            assertEquals(1, s.ipLink("brv").at("/linkinfo/info_data/vlan_filtering").asInt());
            assertEquals(Optional.of(true), s.nl.linkByName("brv").vlanFiltering());
        }
    }

    @Test
    void bridgeWithoutVlanFilteringReportsItOff() {
        try (Sandbox s = Sandbox.create()) {
            Link br = s.nl.ensureBridge(LinkSpec.bridge("brn"));
            assertEquals(s.ipLink("brn").at("/linkinfo/info_data/vlan_filtering").asInt() != 0,
                    br.vlanFiltering().orElse(false));
        }
    }
}
