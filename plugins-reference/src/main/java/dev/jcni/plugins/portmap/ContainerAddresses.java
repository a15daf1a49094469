package dev.jcni.plugins.portmap;

import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import java.util.List;
import java.util.Optional;

/**
 * The container's addresses that ports are forwarded to: the first IPv4 and the first IPv6 address of
 * {@code prevResult}, with Go's rule for interfaces: an address whose interface index points at an
 * interface of another name, or at one without a sandbox (a host interface), is skipped; an address
 * without an index, or with an index out of range, is taken.
 *
 * @param v4 the IPv4 address with its prefix length
 * @param v6 the IPv6 address with its prefix length
 */
record ContainerAddresses(Optional<IpPrefix> v4, Optional<IpPrefix> v6) {

    /**
     * @param prev the previous result
     * @param ifName {@code CNI_IFNAME}
     * @return the addresses
     */
    static ContainerAddresses of(Result prev, String ifName) {
        IpPrefix v4 = null;
        IpPrefix v6 = null;
        List<Interface> interfaces = prev.interfaces();
        for (IpConfig ip : prev.ips()) {
            boolean isV4 = ip.address().isIpv4();
            if ((isV4 && v4 != null) || (!isV4 && v6 != null)) {
                continue;
            }
            if (ip.interfaceIndex().isPresent()) {
                int i = ip.interfaceIndex().getAsInt();
                if (i >= 0 && i < interfaces.size()
                        && (!interfaces.get(i).name().equals(ifName) || interfaces.get(i).sandbox().isEmpty())) {
                    continue;
                }
            }
            if (isV4) {
                v4 = ip.address();
            } else {
                v6 = ip.address();
            }
        }
        return new ContainerAddresses(Optional.ofNullable(v4), Optional.ofNullable(v6));
    }

    /** @return the addresses present, IPv4 first */
    List<IpPrefix> all() {
        return v4.isPresent() ? (v6.isPresent() ? List.of(v4.get(), v6.get()) : List.of(v4.get()))
                : v6.map(List::of).orElse(List.of());
    }
}
