package dev.jcni.plugins.hostlocal;

import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One validated range of a range set: the subnet (its network address) and the inclusive bounds
 * addresses are handed out from, with the gateway.
 *
 * @param subnet the subnet, host bits clear
 * @param rangeStart the first address handed out
 * @param rangeEnd the last address handed out
 * @param gateway the gateway, never handed out
 */
record AddressRange(IpPrefix subnet, InetAddress rangeStart, InetAddress rangeEnd, InetAddress gateway) {

    AddressRange {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(rangeStart, "rangeStart");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
        Objects.requireNonNull(gateway, "gateway");
    }

    /**
     * A range as it was written: every field optional.
     *
     * @param subnet {@code subnet}
     * @param rangeStart {@code rangeStart}
     * @param rangeEnd {@code rangeEnd}
     * @param gateway {@code gateway}
     */
    record Spec(Optional<GoCompat.Cidr> subnet, Optional<InetAddress> rangeStart, Optional<InetAddress> rangeEnd,
                Optional<InetAddress> gateway) {
    }

    /**
     * Validates a range and fills in the defaults (gateway and start: the network address + 1; end:
     * the last address, or for IPv4 the one before the broadcast address), with the Go plugin's
     * checks, in its order and with its texts.
     *
     * @param spec the range as written
     * @return the range
     * @throws IllegalArgumentException with Go's text
     */
    static AddressRange of(Spec spec) {
        if (spec.subnet().isEmpty()) {
            throw new IllegalArgumentException("IP <nil> not v4 nor v6");
        }
        GoCompat.Cidr cidr = spec.subnet().get();
        int addrBits = cidr.address().getAddress().length * 8;
        if (cidr.ones() > cidr.maskBits() - 2) {
            throw new IllegalArgumentException("Network " + cidr + " too small to allocate from");
        }
        if (addrBits != cidr.maskBits()) {
            throw new IllegalArgumentException("IPNet IP and Mask version mismatch");
        }
        IpPrefix given = new IpPrefix(cidr.address(), cidr.ones());
        IpPrefix network = given.network();
        if (!network.address().equals(given.address())) {
            throw new IllegalArgumentException("Network has host bits set. For a subnet mask of length " + cidr.ones()
                    + " the network address is " + Ip.format(network.address()));
        }
        InetAddress first = GoCompat.next(network.address());
        InetAddress gateway = spec.gateway().orElse(first);
        InetAddress end = spec.rangeEnd().orElse(null);
        InetAddress start;
        if (spec.rangeStart().isPresent()) {
            start = spec.rangeStart().get();
            if (!contains(network, start, end, start)) {
                throw new IllegalArgumentException("RangeStart " + Ip.format(start) + " not in network " + network);
            }
        } else {
            start = first;
        }
        if (end != null) {
            if (!contains(network, start, end, end)) {
                throw new IllegalArgumentException("RangeEnd " + Ip.format(end) + " not in network " + network);
            }
        } else {
            end = lastUsable(network);
            // beyond Go: an explicit start past the default end (e.g. the IPv4 broadcast address) would
            // make Go's iterator leave the subnet; reject it with the text Go uses for start > end
            if (GoCompat.compare(start, end) > 0) {
                throw new IllegalArgumentException("RangeStart " + Ip.format(start) + " not in network " + network);
            }
        }
        if (!GoCompat.sameFamily(gateway, network.address())) {
            // beyond Go, which would return an address with a gateway of the other family
            throw new IllegalArgumentException("Gateway " + Ip.format(gateway) + " not in the address family of network "
                    + network);
        }
        return new AddressRange(network, start, end, gateway);
    }

    private static InetAddress lastUsable(IpPrefix network) {
        InetAddress last = network.lastAddress();
        if (!network.isIpv4()) {
            return last;
        }
        byte[] b = last.getAddress();
        b[3]--;
        return Ip.fromBytes(b);
    }

    /** Go's {@code Range.Contains} while the bounds may still be unknown (null). */
    private static boolean contains(IpPrefix network, InetAddress fromOrNull, InetAddress toOrNull, InetAddress addr) {
        if (!GoCompat.sameFamily(addr, network.address()) || !network.contains(addr)) {
            return false;
        }
        if (fromOrNull != null && GoCompat.compare(addr, fromOrNull) < 0) {
            return false;
        }
        return toOrNull == null || GoCompat.compare(addr, toOrNull) <= 0;
    }

    /**
     * @param addr an address of either family
     * @return true when it lies in the subnet between the bounds
     */
    boolean contains(InetAddress addr) {
        return contains(subnet, rangeStart, rangeEnd, addr);
    }

    /** @return true when both ranges are of one family and share an address */
    boolean overlaps(AddressRange other) {
        if (!GoCompat.sameFamily(rangeStart, other.rangeStart)) {
            return false;
        }
        return contains(other.rangeStart) || contains(other.rangeEnd) || other.contains(rangeStart)
                || other.contains(rangeEnd);
    }

    /** @return true for IPv4 */
    boolean isIpv4() {
        return subnet.isIpv4();
    }

    /**
     * @param addr an address of this range
     * @return true for the subnet's network address and, in IPv4, its broadcast address
     */
    boolean isNetworkOrBroadcast(InetAddress addr) {
        return addr.equals(subnet.address()) || (isIpv4() && addr.equals(subnet.lastAddress()));
    }

    /** @return {@code <start>-<end>}, as Go prints a range */
    @Override
    public String toString() {
        return Ip.format(rangeStart) + "-" + Ip.format(rangeEnd);
    }
}
