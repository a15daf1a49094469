package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Allocation and release on a real store: Go's rules, and the properties an allocator must have. */
class AllocatorTest {

    static RangeSet set(String subnet) {
        return new RangeSet(List.of(RangeIteratorTest.range(subnet, null, null, null)));
    }

    static InetAddress ip(String s) {
        return Ip.parse(s);
    }

    static Path tempDir() {
        try {
            return Files.createTempDirectory("jcni-host-local-prop");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String allocate(Store store, RangeSet set, String id) throws IOException {
        return Ip.format(Allocator.allocate(store, set, 0, id, "eth0", Optional.empty()).address());
    }

    @Test
    void allocatesRoundRobinAndRecordsTheLastReservedAddress(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        RangeSet set = set("10.0.0.0/29");
        assertEquals("10.0.0.2", allocate(store, set, "a"));
        assertEquals("10.0.0.3", allocate(store, set, "b"));
        assertEquals("10.0.0.3", Files.readString(dir.resolve("net/last_reserved_ip.0")));
        Allocator.release(store, "a", "eth0");
        assertEquals("10.0.0.4", allocate(store, set, "c"), "a released address is not reused before the cycle comes back to it");
    }

    @Test
    void theResultHasTheSubnetPrefixAndTheRangeGateway(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        RangeSet set = new RangeSet(List.of(RangeIteratorTest.range("10.0.0.0/24", "10.0.0.100", "10.0.0.110", "10.0.0.254")));
        var a = Allocator.allocate(store, set, 0, "a", "eth0", Optional.empty());
        assertEquals("10.0.0.100/24", a.ipConfig().address().toString());
        assertEquals(Optional.of(ip("10.0.0.254")), a.ipConfig().gateway());
        assertTrue(a.ipConfig().interfaceIndex().isEmpty());
    }

    @Test
    void exhaustionFailsWithGoText(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        RangeSet set = set("10.0.0.0/30");
        assertEquals("10.0.0.2", allocate(store, set, "a"));
        CniException e = assertThrows(CniException.class, () -> allocate(store, set, "b"));
        assertEquals("no IP addresses available in range set: 10.0.0.1-10.0.0.2", e.msg());
        assertEquals(999, e.code());
        assertEquals(List.of("10.0.0.2", "last_reserved_ip.0", "lock"), Exec.storeFiles(dir.resolve("net")),
                "a failed allocation leaves no file");
    }

    @Test
    void aSecondAllocationForTheSameAttachmentInTheSameSetIsADuplicate(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        RangeSet set = set("10.0.0.0/24");
        allocate(store, set, "a");
        CniException e = assertThrows(CniException.class, () -> allocate(store, set, "a"));
        assertEquals("10.0.0.2 has been allocated to a, duplicate allocation is not allowed", e.msg());
        assertEquals("10.0.0.3", Ip.format(Allocator.allocate(store, set, 0, "a", "eth1", Optional.empty()).address()),
                "another interface of the same container is another attachment");
    }

    @Test
    void aLegacyIdOnlyReservationCountsAsADuplicate(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        Files.writeString(dir.resolve("net/10.0.0.7"), "a\n");
        CniException e = assertThrows(CniException.class, () -> allocate(store, set("10.0.0.0/24"), "a"));
        assertEquals("10.0.0.7 has been allocated to a, duplicate allocation is not allowed", e.msg());
    }

    @Test
    void aReservationInAnotherRangeSetIsNoDuplicate(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        allocate(store, set("10.0.0.0/24"), "a");
        assertEquals("10.0.1.2", allocate(store, set("10.0.1.0/24"), "a"));
    }

    @Test
    void aRequestedAddressIsReservedEvenOutOfOrderAndMovesTheRoundRobin(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        RangeSet set = set("10.0.0.0/24");
        var a = Allocator.allocate(store, set, 0, "a", "eth0", Optional.of(ip("10.0.0.50")));
        assertEquals(ip("10.0.0.50"), a.address());
        assertEquals("10.0.0.51", allocate(store, set, "b"));
    }

    @Test
    void aTakenRequestedAddressFailsWithGoText(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        RangeSet set = set("10.0.0.0/24");
        Allocator.allocate(store, set, 0, "a", "eth0", Optional.of(ip("10.0.0.50")));
        CniException e = assertThrows(CniException.class,
                () -> Allocator.allocate(store, set, 0, "b", "eth0", Optional.of(ip("10.0.0.50"))));
        assertEquals("requested IP address 10.0.0.50 is not available in range set 10.0.0.1-10.0.0.254", e.msg());
    }

    @Test
    void releaseRemovesTheAttachmentsFilesAndOnlyThose(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        RangeSet set = set("10.0.0.0/24");
        allocate(store, set, "a");
        allocate(store, set("10.0.1.0/24"), "a");
        allocate(store, set, "b");
        Allocator.allocate(store, set, 0, "a", "eth1", Optional.empty());
        assertEquals(List.of(), Allocator.release(store, "a", "eth0"));
        assertEquals(List.of("10.0.0.3", "10.0.0.4", "last_reserved_ip.0", "lock"), Exec.storeFiles(dir.resolve("net")));
    }

    @Test
    void releaseFallsBackToLegacyIdOnlyFilesWhenNoneMatchesIdAndIfname(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        Files.writeString(dir.resolve("net/10.0.0.7"), "a");
        Files.writeString(dir.resolve("net/10.0.0.8"), "  a \n");
        Files.writeString(dir.resolve("net/10.0.0.9"), "b");
        Allocator.release(store, "a", "eth0");
        assertEquals(List.of("10.0.0.9", "lock"), Exec.storeFiles(dir.resolve("net")));
    }

    @Test
    void releaseKeepsLegacyFilesWhenAnIdAndIfnameFileMatched(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        Files.writeString(dir.resolve("net/10.0.0.7"), "a");
        Files.writeString(dir.resolve("net/10.0.0.8"), "a\r\neth0");
        Allocator.release(store, "a", "eth0");
        assertEquals(List.of("10.0.0.7", "lock"), Exec.storeFiles(dir.resolve("net")));
        Allocator.release(store, "a", "eth0");
        assertEquals(List.of("lock"), Exec.storeFiles(dir.resolve("net")), "a second release (Go's next range set) takes the legacy one");
    }

    @Test
    void filesNotNamedByAnAddressAreNeverReservations(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        Files.writeString(dir.resolve("net/notes"), "a\r\neth0");
        Files.writeString(dir.resolve("net/last_reserved_ip.0"), "a");
        Allocator.release(store, "a", "eth0");
        assertEquals(List.of("last_reserved_ip.0", "lock", "notes"), Exec.storeFiles(dir.resolve("net")));
    }

    @Test
    void rollbackRemovesTheReservationAndRestoresTheLastReservedAddress(@TempDir Path dir) throws Exception {
        Store store = Store.create(dir, "net");
        RangeSet set = set("10.0.0.0/24");
        allocate(store, set, "a");
        var b = Allocator.allocate(store, set, 0, "b", "eth0", Optional.empty());
        var c = Allocator.allocate(store, set("10.0.1.0/24"), 1, "b", "eth0", Optional.empty());
        Allocator.rollback(store, List.of(b, c), "b", "eth0");
        assertEquals(List.of("10.0.0.2", "last_reserved_ip.0", "lock"), Exec.storeFiles(dir.resolve("net")));
        assertEquals("10.0.0.2", Files.readString(dir.resolve("net/last_reserved_ip.0")));
    }

    // ---- properties ----

    @Provide
    Arbitrary<String> smallSubnets() {
        return Arbitraries.oneOf(
                Arbitraries.integers().between(26, 30).map(n -> "10.7.0.0/" + n),
                Arbitraries.integers().between(122, 126).map(n -> "2001:db8:7::/" + n));
    }

    @Property(tries = 15)
    void allocatingUntilExhaustedGivesEveryUsableAddressOnceThenTheExhaustionError(@ForAll("smallSubnets") String subnet,
                                                                                     @ForAll @IntRange(min = 0, max = 70) int lastPos) throws Exception {
        Path dir = tempDir();
        try {
            RangeSet set = set(subnet);
            Store store = Store.create(dir, "net");
            InetAddress last = RangeIteratorTest.add(set.ranges().get(0).subnet().address(), lastPos);
            Files.writeString(dir.resolve("net/last_reserved_ip.0"), Ip.format(last));
            List<InetAddress> expected = RangeIteratorTest.usable(set.ranges().get(0));
            List<InetAddress> got = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                got.add(Allocator.allocate(store, set, 0, "c" + i, "eth0", Optional.empty()).address());
            }
            assertEquals(new HashSet<>(expected), new HashSet<>(got), "every usable address, none twice");
            assertEquals(expected.size(), new HashSet<>(got).size());
            for (InetAddress a : got) {
                AddressRange r = set.ranges().get(0);
                assertFalse(r.gateway().equals(a) || r.isNetworkOrBroadcast(a));
                assertEquals("c" + got.indexOf(a) + "\r\neth0", Files.readString(dir.resolve("net").resolve(Ip.format(a)),
                        StandardCharsets.UTF_8));
            }
            CniException e = assertThrows(CniException.class, () -> Allocator.allocate(store, set, 0, "x", "eth0", Optional.empty()));
            assertEquals("no IP addresses available in range set: " + set, e.msg());
        } finally {
            deleteTree(dir);
        }
    }

    @Property(tries = 15)
    void consecutiveAllocationsFollowTheCycleAndWrap(@ForAll("smallSubnets") String subnet) throws Exception {
        Path dir = tempDir();
        try {
            RangeSet set = set(subnet);
            Store store = Store.create(dir, "net");
            List<InetAddress> usable = RangeIteratorTest.usable(set.ranges().get(0));
            // fill, free everything, then allocate again: the second round starts after the last one of the first
            for (int i = 0; i < usable.size(); i++) {
                Allocator.allocate(store, set, 0, "c" + i, "eth0", Optional.empty());
            }
            for (int i = 0; i < usable.size(); i++) {
                Allocator.release(store, "c" + i, "eth0");
            }
            Allocator.allocate(store, set, 0, "d0", "eth0", Optional.empty());
            Allocator.release(store, "d0", "eth0");
            List<InetAddress> round = new ArrayList<>();
            for (int i = 0; i < usable.size(); i++) {
                round.add(Allocator.allocate(store, set, 0, "e" + i, "eth0", Optional.empty()).address());
            }
            List<InetAddress> expected = new ArrayList<>(usable.subList(1, usable.size()));
            expected.add(usable.get(0));
            assertEquals(expected, round, "wraps from the range end to the range start");
        } finally {
            deleteTree(dir);
        }
    }
}
