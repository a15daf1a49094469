package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.Ip;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The round-robin candidate order: Go's, plus never a gateway, network or broadcast address. */
class RangeIteratorTest {

    static AddressRange range(String subnet, String start, String end, String gw) {
        return AddressRange.of(new AddressRange.Spec(GoCompat.parseCidr(subnet), opt(start), opt(end), opt(gw)));
    }

    static Optional<InetAddress> opt(String s) {
        return s == null ? Optional.empty() : Optional.of(Ip.parse(s));
    }

    static List<String> cycle(RangeSet set, String lastReserved) {
        RangeIterator it = RangeIterator.of(set, opt(lastReserved));
        List<String> out = new ArrayList<>();
        for (var c = it.next(); c.isPresent(); c = it.next()) {
            out.add(Ip.format(c.get().address()));
        }
        return out;
    }

    @Test
    void withoutLastReservedTheCycleStartsAtTheFirstRangeStartAndSkipsTheGateway() {
        RangeSet set = new RangeSet(List.of(range("10.0.0.0/29", null, null, null)));
        assertEquals(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"), cycle(set, null));
    }

    @Test
    void theCycleStartsAfterTheLastReservedAndEndsWithIt() {
        RangeSet set = new RangeSet(List.of(range("10.0.0.0/29", null, null, null)));
        assertEquals(List.of("10.0.0.5", "10.0.0.6", "10.0.0.2", "10.0.0.3", "10.0.0.4"), cycle(set, "10.0.0.4"));
    }

    @Test
    void aLastReservedOutsideTheSetRestartsAtTheBeginning() {
        RangeSet set = new RangeSet(List.of(range("10.0.0.0/29", null, null, null)));
        assertEquals(cycle(set, null), cycle(set, "10.9.9.9"));
        assertEquals(cycle(set, null), cycle(set, "2001:db8::1"));
    }

    @Test
    void afterARangeEndTheNextRangeOfTheSetFollowsCyclically() {
        RangeSet set = new RangeSet(List.of(range("10.0.0.0/30", null, null, null), range("10.0.1.0/30", null, null, "10.0.1.2")));
        assertEquals(List.of("10.0.0.2", "10.0.1.1"), cycle(set, null));
        assertEquals(List.of("10.0.0.2", "10.0.1.1"), cycle(set, "10.0.1.2"), "the gateway is in the range but never a candidate");
        assertEquals(List.of("10.0.1.1", "10.0.0.2"), cycle(set, "10.0.0.2"));
    }

    @Test
    void explicitBoundsIncludingNetworkAndBroadcastStillSkipThem() {
        RangeSet set = new RangeSet(List.of(range("10.0.0.0/29", "10.0.0.0", "10.0.0.7", "10.0.0.3")));
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "10.0.0.4", "10.0.0.5", "10.0.0.6"), cycle(set, null));
    }

    @Test
    void ipv6KeepsTheLastAddressButNotTheNetworkAddress() {
        RangeSet set = new RangeSet(List.of(range("2001:db8::/126", "2001:db8::", null, null)));
        assertEquals(List.of("2001:db8::2", "2001:db8::3"), cycle(set, null));
    }

    @Test
    void aRangeOfOnlyTheGatewayHasNoCandidate() {
        RangeSet set = new RangeSet(List.of(range("10.0.0.0/24", "10.0.0.1", "10.0.0.1", null)));
        assertEquals(List.of(), cycle(set, null));
        assertEquals(List.of(), cycle(set, "10.0.0.1"));
    }

    // ---- properties over generated ranges ----

    /** A generated range set with the addresses it may hand out, and a last reserved address. */
    record Case(RangeSet set, List<InetAddress> usable, Optional<InetAddress> last) {
    }

    static InetAddress add(InetAddress base, long n) {
        byte[] b = base.getAddress();
        BigInteger v = new BigInteger(1, b).add(BigInteger.valueOf(n));
        byte[] raw = v.toByteArray();
        byte[] out = new byte[b.length];
        for (int i = 0; i < Math.min(raw.length, out.length); i++) {
            out[out.length - 1 - i] = raw[raw.length - 1 - i];
        }
        return Ip.fromBytes(out);
    }

    static Arbitrary<AddressRange> ranges(boolean v4, long block) {
        // subnets of 4 to 64 addresses inside a block chosen by the caller, so that sets do not overlap
        return Combinators.combine(Arbitraries.integers().between(2, 6), Arbitraries.longs().between(0, 1000),
                        Arbitraries.integers().between(0, 100), Arbitraries.integers().between(0, 100),
                        Arbitraries.integers().between(-1, 63))
                .as((bits, pos, a, b, gwPos) -> {
                    int size = 1 << bits;
                    InetAddress base = add(v4 ? Ip.parse("10.0.0.0") : Ip.parse("2001:db8::"), block * 65536 + pos * 64);
                    int lo = Math.min(a, b) % size;
                    int hi = Math.max(lo, Math.max(a, b) % size);
                    String subnet = Ip.format(base) + "/" + ((v4 ? 32 : 128) - bits);
                    Optional<InetAddress> gw = gwPos < 0 ? Optional.empty() : Optional.of(add(base, gwPos % size));
                    return AddressRange.of(new AddressRange.Spec(GoCompat.parseCidr(subnet), Optional.of(add(base, lo)),
                            Optional.of(add(base, hi)), gw));
                });
    }

    static List<InetAddress> usable(AddressRange r) {
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress a = r.rangeStart(); ; a = GoCompat.next(a)) {
            boolean broadcast = r.isIpv4() && a.equals(r.subnet().lastAddress());
            if (!a.equals(r.gateway()) && !a.equals(r.subnet().address()) && !broadcast) {
                out.add(a);
            }
            if (a.equals(r.rangeEnd())) {
                return out;
            }
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.of(true, false).flatMap(v4 -> Combinators.combine(
                ranges(v4, 0), ranges(v4, 1), Arbitraries.integers().between(1, 2), Arbitraries.integers().between(-1, 200))
                .as((r1, r2, n, lastPos) -> {
                    List<AddressRange> rs = n == 1 ? List.of(r1) : List.of(r1, r2);
                    RangeSet set = new RangeSet(rs);
                    List<InetAddress> all = new ArrayList<>();
                    rs.forEach(r -> all.addAll(usable(r)));
                    Optional<InetAddress> last = lastPos < 0 ? Optional.empty()
                            : Optional.of(add(rs.get(lastPos % rs.size()).subnet().address(), lastPos % 70));
                    return new Case(set, all, last);
                }));
    }

    @Property(tries = 300)
    void aCycleOffersEveryUsableAddressExactlyOnce(@ForAll("cases") Case c) {
        List<InetAddress> got = new ArrayList<>();
        RangeIterator it = RangeIterator.of(c.set(), c.last());
        for (var x = it.next(); x.isPresent(); x = it.next()) {
            got.add(x.get().address());
        }
        assertEquals(new HashSet<>(c.usable()), new HashSet<>(got));
        assertEquals(got.size(), new HashSet<>(got).size(), "no address twice");
    }

    @Property(tries = 300)
    void neverOffersAGatewayNetworkOrBroadcastAddress(@ForAll("cases") Case c) {
        RangeIterator it = RangeIterator.of(c.set(), c.last());
        for (var x = it.next(); x.isPresent(); x = it.next()) {
            AddressRange r = x.get().range();
            InetAddress a = x.get().address();
            assertFalse(a.equals(r.gateway()), "gateway");
            assertFalse(a.equals(r.subnet().address()), "network address");
            assertFalse(r.isIpv4() && a.equals(r.subnet().lastAddress()), "broadcast address");
            assertTrue(r.contains(a));
        }
    }

    @Property(tries = 300)
    void theOrderIsRoundRobinFromTheLastReserved(@ForAll("cases") Case c) {
        List<InetAddress> got = new ArrayList<>();
        RangeIterator it = RangeIterator.of(c.set(), c.last());
        for (var x = it.next(); x.isPresent(); x = it.next()) {
            got.add(x.get().address());
        }
        // the set's usable addresses in set order, rotated to begin right after the last reserved one
        List<InetAddress> order = c.usable();
        int startAt = 0;
        if (c.last().isPresent() && c.set().contains(c.last().get())) {
            InetAddress last = c.last().get();
            int rangeIdx = c.set().ranges().indexOf(c.set().rangeFor(last).get());
            startAt = 0;
            for (int i = 0; i < order.size(); i++) {
                InetAddress a = order.get(i);
                int ri = c.set().ranges().indexOf(c.set().rangeFor(a).get());
                if (ri < rangeIdx || (ri == rangeIdx && GoCompat.compare(a, last) <= 0)) {
                    startAt = i + 1;
                }
            }
        }
        List<InetAddress> expected = new ArrayList<>(order.subList(startAt % Math.max(order.size(), 1), order.size()));
        expected.addAll(order.subList(0, startAt % Math.max(order.size(), 1)));
        assertEquals(expected, got);
    }

    @Property(tries = 200)
    void defaultsAreNetworkPlusOneToTheAddressBeforeTheBroadcast(@ForAll("v4Subnets") String subnet) {
        AddressRange r = range(subnet, null, null, null);
        InetAddress net = r.subnet().address();
        assertEquals(GoCompat.next(net), r.gateway());
        assertEquals(GoCompat.next(net), r.rangeStart());
        assertEquals(GoCompat.next(r.rangeEnd()), r.subnet().lastAddress());
        assertFalse(r.contains(net));
        assertFalse(r.contains(r.subnet().lastAddress()));
        assertTrue(r.contains(r.rangeStart()) && r.contains(r.rangeEnd()));
    }

    @Provide
    Arbitrary<String> v4Subnets() {
        return Combinators.combine(Arbitraries.bytes().array(byte[].class).ofSize(4).map(Ip::fromBytes), Arbitraries.integers().between(1, 30))
                .as((ip, len) -> new dev.jcni.sdk.types.IpPrefix(ip, len).network().toString());
    }

    @Test
    void overlapIsDecidedOnTheBoundsNotTheSubnets() {
        AddressRange low = range("10.0.0.0/24", "10.0.0.10", "10.0.0.20", null);
        AddressRange high = range("10.0.0.0/24", "10.0.0.21", "10.0.0.30", null);
        assertFalse(low.overlaps(high), "same subnet, disjoint bounds: Go accepts both in one set");
        assertTrue(low.overlaps(range("10.0.0.0/24", "10.0.0.20", "10.0.0.22", null)));
        assertFalse(low.overlaps(range("2001:db8::/64", null, null, null)));
        Set<String> shown = Set.of(low.toString());
        assertEquals(Set.of("10.0.0.10-10.0.0.20"), shown);
    }
}
