package dev.jcni.plugins.hostlocal;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The round-robin candidate order of the Go plugin: start right after the last reserved address
 * when it lies in the set (else at the first range's start), walk each range to its end, go on with
 * the next range (cyclically), and stop after one full cycle: the last reserved address itself is the
 * final candidate. Gateways are skipped, as in Go; so are (beyond Go) network and IPv4 broadcast
 * addresses, which only an explicit {@code rangeStart}/{@code rangeEnd} can bring into a range.
 */
final class RangeIterator {
    /** A candidate address and the range it came from. */
    record Candidate(InetAddress address, AddressRange range) {
    }

    private final List<AddressRange> ranges;
    private int index;
    private InetAddress current;
    private InetAddress first;

    private RangeIterator(List<AddressRange> ranges, int index, InetAddress current, InetAddress first) {
        this.ranges = ranges;
        this.index = index;
        this.current = current;
        this.first = first;
    }

    /**
     * @param set the range set
     * @param lastReserved the content of {@code last_reserved_ip.<N>}, when it parsed
     * @return an iterator positioned before the first candidate
     */
    static RangeIterator of(RangeSet set, Optional<InetAddress> lastReserved) {
        List<AddressRange> ranges = set.ranges();
        if (lastReserved.isPresent()) {
            for (int i = 0; i < ranges.size(); i++) {
                if (ranges.get(i).contains(lastReserved.get())) {
                    return new RangeIterator(ranges, i, lastReserved.get(), null);
                }
            }
        }
        return new RangeIterator(ranges, 0, null, ranges.get(0).rangeStart());
    }

    /** @return the next candidate, or empty when the cycle is complete */
    Optional<Candidate> next() {
        while (true) {
            AddressRange r = ranges.get(index);
            if (current == null) {
                current = r.rangeStart();
                first = current;
            } else {
                if (current.equals(r.rangeEnd())) {
                    index = (index + 1) % ranges.size();
                    r = ranges.get(index);
                    current = r.rangeStart();
                } else {
                    current = GoCompat.next(current);
                }
                if (first == null) {
                    first = current;
                } else if (current.equals(first)) {
                    return Optional.empty();
                }
            }
            if (!current.equals(r.gateway()) && !r.isNetworkOrBroadcast(current)) {
                return Optional.of(new Candidate(current, r));
            }
        }
    }
}
