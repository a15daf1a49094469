package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@KernelTest
class AddressKernelTest {

    /** A veth pair a/b in the sandbox, both up; returns a's index. */
    static int upVeth(Sandbox s, String a, String b) {
        s.nl.linkAdd(LinkSpec.veth(a, b).withUp(true));
        s.nl.linkSetUp(s.nl.linkByName(b).index());
        return s.nl.linkByName(a).index();
    }

    static JsonNode addrInfo(Sandbox s, String dev, String local) {
        for (JsonNode ai : s.ipJson("addr", "show", "dev", dev).get(0).get("addr_info")) {
            if (ai.get("local").asText().equals(local)) {
                return ai;
            }
        }
        return null;
    }

    @Test
    void addListReplaceDeleteIpv4() {
        try (Sandbox s = Sandbox.create()) {
            int a = upVeth(s, "a0", "b0");
            s.nl.addrAdd(Address.of(a, IpPrefix.parse("10.10.1.2/24")));
            JsonNode ai = addrInfo(s, "a0", "10.10.1.2");
            assertEquals(24, ai.get("prefixlen").asInt());
            assertEquals("10.10.1.255", ai.get("broadcast").asText(), "broadcast computed as Go does");
            assertEquals("global", ai.get("scope").asText());

            List<Address> list = s.nl.addrList(a, Family.V4);
            assertEquals(1, list.size());
            Address got = list.get(0);
            assertEquals(IpPrefix.parse("10.10.1.2/24"), got.prefix());
            assertEquals(a, got.linkIndex());
            assertEquals(Optional.of(Ip.parse("10.10.1.255")), got.broadcast());
            assertEquals(Optional.of("a0"), got.label());
            assertTrue(got.isGlobalUnicast());
            assertEquals(Address.FOREVER, got.validLifetime());

            NetlinkException dup = assertThrows(NetlinkException.class,
                    () -> s.nl.addrAdd(Address.of(a, IpPrefix.parse("10.10.1.2/24"))));
            assertEquals(Errno.EEXIST, dup.errno());
            s.nl.addrReplace(Address.of(a, IpPrefix.parse("10.10.1.2/24")));

            s.nl.addrAdd(Address.of(a, IpPrefix.parse("10.10.2.2/24")).withScope(Scope.LINK).withLabel("a0:x")
                    .withBroadcast(Ip.parse("10.10.2.254")));
            JsonNode ai2 = addrInfo(s, "a0", "10.10.2.2");
            assertEquals("link", ai2.get("scope").asText());
            assertEquals("a0:x", ai2.get("label").asText());
            assertEquals("10.10.2.254", ai2.get("broadcast").asText());
            assertEquals(2, s.nl.addrList(a, Family.V4).size());
            assertEquals(2, s.nl.addrList(0, Family.V4).stream().filter(x -> x.linkIndex() == a).count());

            s.nl.addrDel(Address.of(a, IpPrefix.parse("10.10.1.2/24")));
            assertEquals(null, addrInfo(s, "a0", "10.10.1.2"));
            NetlinkException gone = assertThrows(NetlinkException.class,
                    () -> s.nl.addrDel(Address.of(a, IpPrefix.parse("10.10.1.2/24"))));
            assertEquals(Errno.EADDRNOTAVAIL, gone.errno());
        }
    }

    @Test
    void ipv6NodadIsNeverTentativeAndLinkLocalIsNotGlobal() {
        try (Sandbox s = Sandbox.create()) {
            int a = upVeth(s, "a0", "b0");
            s.nl.addrAdd(Address.of(a, IpPrefix.parse("fd00:10::2/64")).withFlags(Address.IFA_F_NODAD));
            JsonNode ai = addrInfo(s, "a0", "fd00:10::2");
            assertEquals(64, ai.get("prefixlen").asInt());
            assertTrue(ai.path("nodad").asBoolean(), ai.toString());
            Address got = s.nl.addrList(a, Family.V6).stream()
                    .filter(x -> x.prefix().equals(IpPrefix.parse("fd00:10::2/64"))).findFirst().orElseThrow();
            assertTrue((got.flags() & Address.IFA_F_NODAD) != 0);
            assertFalse(got.isTentative());
            assertTrue(got.isGlobalUnicast());
            s.nl.addrList(a, Family.V6).stream().filter(x -> x.prefix().address().isLinkLocalAddress())
                    .forEach(ll -> assertFalse(ll.isGlobalUnicast()));
            assertTrue(s.nl.addrList(a, Family.V4).isEmpty());
        }
    }

    @Test
    void settleWaitsForDadAndReportsTentativeState() {
        try (Sandbox s = Sandbox.create()) {
            int a = upVeth(s, "a0", "b0");
            s.nl.addrAdd(Address.of(a, IpPrefix.parse("fd00:11::2/64")));
            Address first = s.nl.addrList(a, Family.V6).stream()
                    .filter(x -> x.prefix().equals(IpPrefix.parse("fd00:11::2/64"))).findFirst().orElseThrow();
            assertTrue(first.isTentative(), "DAD has just started");
            assertTrue(addrInfo(s, "a0", "fd00:11::2").path("tentative").asBoolean());
            NetlinkException early = assertThrows(NetlinkException.class,
                    () -> s.nl.settleAddresses("a0", Duration.ZERO));
            assertEquals("link a0 still has tentative addresses after 0 seconds", early.getMessage());
            s.nl.settleAddresses("a0", Duration.ofSeconds(10));
            assertFalse(addrInfo(s, "a0", "fd00:11::2").path("tentative").asBoolean());
        }
    }

    @Test
    void dadFailureIsReported() {
        try (Sandbox s = Sandbox.create(); Sandbox peer = Sandbox.create()) {
            s.nl.linkAdd(LinkSpec.veth("a0", "b0").withPeerNamespace(peer.ns).withUp(true));
            int b = peer.nl.linkByName("b0").index();
            peer.nl.addrAdd(Address.of(b, IpPrefix.parse("fd00:12::1/64")).withFlags(Address.IFA_F_NODAD));
            peer.nl.linkSetUp(b);
            // the peer answers neighbour solicitations once its own IPv6 setup (link-local DAD) is done
            peer.nl.settleAddresses("b0", Duration.ofSeconds(10));
            int a = s.nl.linkByName("a0").index();
            s.nl.waitOperUp(a, Duration.ofSeconds(5));
            s.nl.addrAdd(Address.of(a, IpPrefix.parse("fd00:12::1/64")));
            NetlinkException e = assertThrows(NetlinkException.class,
                    () -> s.nl.settleAddresses("a0", Duration.ofSeconds(10)));
            assertEquals("link a0 has address fd00:12::1 in DADFAILED state", e.getMessage());
            assertTrue(addrInfo(s, "a0", "fd00:12::1").path("dadfailed").asBoolean());
        }
    }

    @Test
    void settleOnMissingLink() {
        try (Sandbox s = Sandbox.create()) {
            String name = Kernel.uniqueName("nol");
            assertThrows(dev.jcni.netlink.LinkNotFoundException.class,
                    () -> s.nl.settleAddresses(name, Duration.ofSeconds(1)));
        }
    }
}
