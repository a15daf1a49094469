package dev.jcni.plugins.portmap;

import dev.jcni.sdk.types.Ip;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One validated entry of {@code runtimeConfig.portMappings}.
 *
 * @param hostPort the host port (1–65535)
 * @param containerPort the container port (1–65535)
 * @param protocol {@code tcp}, {@code udp} or {@code sctp}, lowercase
 * @param hostIp the host address to match, when one was given ({@code 0.0.0.0} and {@code ::} included)
 */
record Mapping(int hostPort, int containerPort, String protocol, Optional<InetAddress> hostIp) {
    Mapping {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(hostIp, "hostIp");
    }

    /**
     * Go's rule: a mapping with a host address is used only for container addresses of that family.
     *
     * @param ipv6 the family of the container address
     * @return true when the mapping applies to it
     */
    boolean appliesTo(boolean ipv6) {
        return hostIp.isEmpty() || Ip.isIpv4(hostIp.get()) != ipv6;
    }

    /** @return the host address to match as destination, empty for none or an unspecified address */
    Optional<String> destination() {
        return hostIp.filter(a -> !a.isAnyLocalAddress()).map(Ip::format);
    }
}
