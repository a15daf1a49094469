package dev.jcni.plugins.hostlocal;

import dev.jcni.plugins.PluginLock;
import dev.jcni.sdk.internal.Phases;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Allocation and release on one store, each under the store's lock: Go's {@code IPAllocator}.
 * Allocation failures are code 999 with Go's texts; I/O failures are {@link IOException}s.
 */
final class Allocator {
    private Allocator() {
    }

    /**
     * One address reserved by an ADD, with what is needed to take it back.
     *
     * @param rangeSetIndex the range set's index (the {@code N} of {@code last_reserved_ip.N})
     * @param address the address
     * @param range its range
     * @param previousLastReserved {@code last_reserved_ip.N} before this reservation
     */
    record Allocation(int rangeSetIndex, InetAddress address, AddressRange range, Optional<byte[]> previousLastReserved) {

        /** @return the result entry: the address with the subnet's prefix length and the range's gateway */
        IpConfig ipConfig() {
            return IpConfig.of(new IpPrefix(address, range.subnet().prefixLength()), range.gateway());
        }
    }

    /**
     * Reserves one address of a range set for an attachment: the requested one, or the next free
     * one in round-robin order.
     *
     * @throws CniException code 999: {@code requested ip <ip> is subnet's gateway}, {@code requested IP
     *     address <ip> is not available in range set <set>}, {@code <ip> has been allocated to <id>,
     *     duplicate allocation is not allowed}, {@code no IP addresses available in range set: <set>}
     */
    @SuppressWarnings("try")
    static Allocation allocate(Store store, RangeSet set, int index, String containerId, String ifname,
                               Optional<InetAddress> requested) throws IOException {
        // the claimer writes and syncs its temporary file before the lock: the sync does not hold up other
        // calls; so is last_reserved_ip's temporary file created. Both are closed after the lock (resources
        // close in reverse order), so are their removals
        try (Store.Claimer claimer = store.claimer(containerId, ifname); Store.LastReserved last = store.lastReservedReplacement();
             PluginLock lock = store.lock(); Held held = new Held()) {
            if (requested.isPresent()) {
                InetAddress ip = requested.get();
                AddressRange r = set.rangeFor(ip).orElseThrow(() -> internal(set.notInSet(ip)));
                if (ip.equals(r.gateway())) {
                    throw internal("requested ip " + Ip.format(ip) + " is subnet's gateway");
                }
                if (!claimer.claim(ip)) {
                    throw internal("requested IP address " + Ip.format(ip) + " is not available in range set " + set);
                }
                return recordLast(store, index, ip, r, store.lastReservedBytes(index), last);
            }
            for (Store.Reservation existing : store.reservations()) {
                if ((existing.isFor(containerId, ifname) || existing.isLegacyFor(containerId))
                        && set.contains(existing.address())) {
                    throw internal(Ip.format(existing.address()) + " has been allocated to " + containerId
                            + ", duplicate allocation is not allowed");
                }
            }
            Optional<byte[]> previous = store.lastReservedBytes(index);
            // no method reference: a cold call links no lambda (docs/performance.md, the cold path)
            RangeIterator it = RangeIterator.of(set, previous.isPresent() ? Store.parseLastReserved(previous.get()) : Optional.empty());
            for (Optional<RangeIterator.Candidate> c = it.next(); c.isPresent(); c = it.next()) {
                if (claimer.claim(c.get().address())) {
                    return recordLast(store, index, c.get().address(), c.get().range(), previous, last);
                }
            }
            throw internal("no IP addresses available in range set: " + set);
        }
    }

    private static Allocation recordLast(Store store, int index, InetAddress ip, AddressRange range,
                                         Optional<byte[]> previous, Store.LastReserved last) throws IOException {
        try {
            last.replace(index, Ip.format(ip).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            store.delete(store.fileFor(ip)); // Go would keep the reservation and fail: leave nothing instead
            throw e;
        }
        return new Allocation(index, ip, range, previous);
    }

    /**
     * Takes back the reservations of a failed ADD: each file only while it still holds this
     * attachment, and {@code last_reserved_ip.N} only while it still names the address (else another
     * allocation has moved it on since). Best effort: the ADD is failing already.
     */
    @SuppressWarnings("try")
    static void rollback(Store store, List<Allocation> done, String containerId, String ifname) {
        for (int i = done.size() - 1; i >= 0; i--) {
            Allocation a = done.get(i);
            try (PluginLock lock = store.lock()) {
                Path file = store.fileFor(a.address());
                byte[] content = Files.readAllBytes(file);
                if (GoCompat.trimSpace(new String(content, StandardCharsets.UTF_8)).equals(Store.keyFor(containerId, ifname))) {
                    store.delete(file);
                }
                Optional<byte[]> now = store.lastReservedBytes(a.rangeSetIndex());
                if (now.isPresent() && Arrays.equals(now.get(), Ip.format(a.address()).getBytes(StandardCharsets.UTF_8))) {
                    if (a.previousLastReserved().isPresent()) {
                        store.writeLastReserved(a.rangeSetIndex(), a.previousLastReserved().get());
                    } else {
                        store.deleteLastReserved(a.rangeSetIndex());
                    }
                }
            } catch (IOException e) {
                // best effort; the error being reported is the allocation failure
            }
        }
    }

    /**
     * Go's {@code ReleaseByID}, under the lock: deletes every reservation of the container and
     * interface; when there is none, every legacy reservation holding only the container id.
     *
     * @return the failures, as texts (empty when all went well)
     */
    @SuppressWarnings("try")
    static List<String> release(Store store, String containerId, String ifname) throws IOException {
        List<String> errors = new ArrayList<>();
        try (PluginLock lock = store.lock(); Held held = new Held()) {
            List<Store.Reservation> all = store.reservations();
            boolean found = false;
            for (Store.Reservation r : all) {
                if (r.isFor(containerId, ifname)) {
                    found |= delete(store, r, errors);
                }
            }
            if (!found) {
                for (Store.Reservation r : all) {
                    if (r.isLegacyFor(containerId)) {
                        delete(store, r, errors);
                    }
                }
            }
        }
        return errors;
    }

    private static boolean delete(Store store, Store.Reservation r, List<String> errors) {
        try {
            return store.delete(r.file());
        } catch (IOException e) {
            errors.add(GoCompat.ioText("remove", r.file(), e));
            return false;
        }
    }

    /**
     * CHECK's lookup under the lock: a reservation of the container and interface, else a legacy one
     * of the container.
     */
    @SuppressWarnings("try")
    static boolean holdsAny(Store store, String containerId, String ifname) throws IOException {
        try (PluginLock lock = store.lock()) {
            List<Store.Reservation> all = store.reservations();
            return all.stream().anyMatch(r -> r.isFor(containerId, ifname))
                    || all.stream().anyMatch(r -> r.isLegacyFor(containerId));
        }
    }

    /** Sums, for the call's phases ({@link Phases}), how long the store's lock is held; close it before the lock. */
    private static final class Held implements AutoCloseable {
        private final long start = Phases.start();

        @Override
        public void close() {
            Phases.add("host-local store lock held", start);
        }
    }

    private static CniException internal(String msg) {
        return new CniException(ErrorCodes.INTERNAL, msg);
    }
}
