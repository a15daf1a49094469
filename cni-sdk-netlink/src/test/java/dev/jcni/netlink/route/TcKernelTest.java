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
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * tbf and ingress qdiscs, the ifb link and the u32 redirect filter against the kernel, with
 * {@code tc -j} (iproute2) as the independent observer.
 */
@KernelTest
class TcKernelTest {

    private static JsonNode tc(Sandbox s, String... args) {
        return s.tcJson(args);
    }

    private static Link veth(Sandbox s) {
        String peer = Kernel.uniqueName("tcp");
        s.nl.linkAdd(LinkSpec.veth("tc0", peer).withUp(true));
        s.nl.linkSetUp(s.nl.linkByName(peer).index());
        return s.nl.linkByName("tc0");
    }

    @Test
    void tbfAsTcSeesItAndAsItIsListedBack() {
        try (Sandbox s = Sandbox.create()) {
            Link l = veth(s);
            Tbf t = Tbf.of(1_000_000, 10_000, 25_000, PacketClock.system());
            s.nl.qdiscAdd(Qdisc.tbf(l.index(), t));

            JsonNode q = tc(s, "qdisc", "show", "dev", "tc0").get(0);
            assertEquals("tbf", q.get("kind").asText());
            assertEquals("1:", q.get("handle").asText());
            assertTrue(q.get("root").asBoolean());
            assertEquals(1_000_000, q.at("/options/rate").asLong());
            assertEquals(10_000, q.at("/options/burst").asLong(), q.toString());
            assertEquals(25_000, q.at("/options/lat").asLong(), q.toString());

            List<Qdisc> listed = s.nl.qdiscList(l.index());
            assertEquals(List.of(Qdisc.tbf(l.index(), t)), listed);
            assertThrows(NetlinkException.class, () -> s.nl.qdiscAdd(Qdisc.tbf(l.index(), t)), "EEXIST");

            s.nl.qdiscDel(Qdisc.tbf(l.index(), t));
            assertFalse(s.nl.qdiscList(l.index()).stream().anyMatch(x -> x.kind().equals("tbf")));
        }
    }

    @Test
    void rateAbove32BitsRoundTrips() {
        try (Sandbox s = Sandbox.create()) {
            Link l = veth(s);
            Tbf t = Tbf.of(6_000_000_000L, 1_000_000, 25_000, PacketClock.system());
            s.nl.qdiscAdd(Qdisc.tbf(l.index(), t));
            assertEquals(Optional.of(t), s.nl.qdiscList(l.index()).get(0).tbf());
            assertEquals(6_000_000_000L, tc(s, "qdisc", "show", "dev", "tc0").get(0).at("/options/rate").asLong());
        }
    }

    @Test
    void ifbIngressQdiscAndRedirectFilter() {
        try (Sandbox s = Sandbox.create()) {
            Link l = veth(s);
            s.nl.linkAdd(LinkSpec.ifb("ifbt0").withMtu(1400).withTxQueueLen(0).withUp(true));
            Link ifb = s.nl.linkByName("ifbt0");
            assertEquals(Optional.of("ifb"), ifb.kind());
            assertEquals(1400, ifb.mtu());
            assertEquals(0, ifb.txQueueLen());
            assertTrue(ifb.isUp());

            s.nl.qdiscAdd(Qdisc.ingress(l.index()));
            int parent = Qdisc.handle(0xffff, 0);
            s.nl.filterAdd(TcFilter.matchAll(l.index(), parent, 1, Qdisc.handle(1, 1),
                    List.of(TcFilter.Mirred.egressRedirect(ifb.index()))));

            assertTrue(s.nl.qdiscList(l.index()).contains(Qdisc.ingress(l.index())));
            List<TcFilter> filters = s.nl.filterList(l.index(), parent);
            TcFilter f = filters.stream().filter(x -> !x.actions().isEmpty()).findFirst().orElseThrow();
            assertEquals(List.of(TcFilter.Mirred.egressRedirect(ifb.index())), f.actions());
            assertEquals(1, f.priority());
            assertEquals(TcFilter.ETH_P_ALL, f.protocol());
            assertEquals(Qdisc.handle(1, 1), f.classId());

            JsonNode tcF = tc(s, "filter", "show", "dev", "tc0", "ingress");
            String text = tcF.toString();
            assertTrue(text.contains("\"to_dev\":\"ifbt0\"") && text.contains("\"mirred_action\":\"redirect\"")
                    && text.contains("\"flowid\":\"1:1\""), text);

            s.nl.qdiscDel(Qdisc.ingress(l.index()));
            assertFalse(s.nl.qdiscList(l.index()).contains(Qdisc.ingress(l.index())));
            NetlinkException e = assertThrows(NetlinkException.class, () -> s.nl.qdiscDel(Qdisc.ingress(l.index())));
            assertTrue(e.errno() == Errno.EINVAL || e.errno() == Errno.ENOENT, e.getMessage());
        }
    }
}
