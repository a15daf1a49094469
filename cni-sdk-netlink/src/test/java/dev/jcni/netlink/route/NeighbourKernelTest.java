package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

@KernelTest
class NeighbourKernelTest {
    @Test
    void addListReplaceDelete() {
        try (Sandbox s = Sandbox.create()) {
            int a = AddressKernelTest.upVeth(s, "a0", "b0");
            s.nl.addrAdd(Address.of(a, IpPrefix.parse("10.20.0.2/24")));
            MacAddress mac = MacAddress.parse("02:42:ac:11:00:09");
            Neighbour n = Neighbour.permanent(a, Ip.parse("10.20.0.9"), mac);
            s.nl.neighAdd(n);
            JsonNode o = s.ipJson("neigh", "show", "dev", "a0").get(0);
            assertEquals("10.20.0.9", o.get("dst").asText());
            assertEquals(mac.toString(), o.get("lladdr").asText());
            assertEquals("PERMANENT", o.get("state").get(0).asText());

            Neighbour got = s.nl.neighList(a, Family.V4).stream()
                    .filter(x -> x.ip().equals(Optional.of(Ip.parse("10.20.0.9")))).findFirst().orElseThrow();
            assertEquals(Optional.of(mac), got.mac());
            assertEquals(Neighbour.NUD_PERMANENT, got.state());
            assertEquals(Family.V4, got.family());

            NetlinkException dup = assertThrows(NetlinkException.class, () -> s.nl.neighAdd(n));
            assertEquals(Errno.EEXIST, dup.errno());
            MacAddress mac2 = MacAddress.parse("02:42:ac:11:00:0a");
            s.nl.neighSet(Neighbour.permanent(a, Ip.parse("10.20.0.9"), mac2));
            assertEquals(mac2.toString(), s.ipJson("neigh", "show", "dev", "a0").get(0).get("lladdr").asText());

            s.nl.neighAdd(Neighbour.permanent(a, Ip.parse("fd00:20::9"), mac));
            assertTrue(s.nl.neighList(0, Family.V6).stream().anyMatch(x -> x.ip().equals(
                    Optional.of(Ip.parse("fd00:20::9")))));

            s.nl.neighDel(n);
            assertTrue(s.nl.neighList(a, Family.V4).stream().noneMatch(x -> x.ip().equals(n.ip())));
        }
    }
}
