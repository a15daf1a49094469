package dev.jcni.plugins.hostlocal;

import dev.jcni.sdk.types.Ip;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A validated range set: ranges of one family that do not overlap. One address is allocated per
 * range set.
 *
 * @param ranges the ranges, at least one
 */
record RangeSet(List<AddressRange> ranges) {

    RangeSet {
        ranges = List.copyOf(ranges);
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("empty range set");
        }
    }

    /**
     * Validates every range and the set as a whole, with Go's checks and texts.
     *
     * @param specs the ranges as written
     * @return the set
     * @throws IllegalArgumentException {@code empty range set}, a range's error, {@code mixed address
     *     families}, {@code subnets <a> and <b> overlap}
     */
    static RangeSet of(List<AddressRange.Spec> specs) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("empty range set");
        }
        List<AddressRange> out = new ArrayList<>();
        for (AddressRange.Spec spec : specs) {
            AddressRange r = AddressRange.of(spec);
            if (!out.isEmpty() && out.get(0).isIpv4() != r.isIpv4()) {
                throw new IllegalArgumentException("mixed address families");
            }
            out.add(r);
        }
        for (int i = 0; i < out.size(); i++) {
            for (int j = i + 1; j < out.size(); j++) {
                if (out.get(i).overlaps(out.get(j))) {
                    throw new IllegalArgumentException("subnets " + out.get(i) + " and " + out.get(j) + " overlap");
                }
            }
        }
        return new RangeSet(out);
    }

    /** @return true for an IPv4 set */
    boolean isIpv4() {
        return ranges.get(0).isIpv4();
    }

    /** @return the first range holding the address */
    Optional<AddressRange> rangeFor(InetAddress addr) {
        for (AddressRange r : ranges) {
            if (r.contains(addr)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    boolean contains(InetAddress addr) {
        return rangeFor(addr).isPresent();
    }

    /** @return true when a range of this set overlaps a range of the other */
    boolean overlaps(RangeSet other) {
        for (AddressRange a : ranges) {
            for (AddressRange b : other.ranges) {
                if (a.overlaps(b)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return {@code <start>-<end>[,<start>-<end>...]}, as Go prints a range set */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (AddressRange r : ranges) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r);
        }
        return sb.toString();
    }

    /** @return {@code <ip> not in range set <set>} */
    String notInSet(InetAddress addr) {
        return Ip.format(addr) + " not in range set " + this;
    }
}
