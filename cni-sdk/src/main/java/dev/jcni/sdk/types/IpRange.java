package dev.jcni.sdk.types;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One range of an IPAM range set, as in host-local's {@code ranges} and the {@code ipRanges} capability.
 *
 * @param subnet the subnet
 * @param rangeStart the first address to hand out, if restricted
 * @param rangeEnd the last address to hand out, if restricted
 * @param gateway the gateway, if given
 */
public record IpRange(IpPrefix subnet, Optional<InetAddress> rangeStart, Optional<InetAddress> rangeEnd,
                      Optional<InetAddress> gateway) {
    /** Checks that no component is null. */
    public IpRange {
        Objects.requireNonNull(subnet, "subnet");
        Objects.requireNonNull(rangeStart, "rangeStart");
        Objects.requireNonNull(rangeEnd, "rangeEnd");
        Objects.requireNonNull(gateway, "gateway");
    }
}
