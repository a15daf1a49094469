package dev.jcni.sdk.types;

import java.util.Objects;

/**
 * An entry of the {@code portMappings} capability.
 *
 * @param hostPort the port on the host
 * @param containerPort the port in the container
 * @param protocol {@code tcp}, {@code udp} or {@code sctp} (as given; not validated)
 * @param hostIp the host address to match, "" for any
 */
public record PortMapping(int hostPort, int containerPort, String protocol, String hostIp) {
    /** Checks that no component is null. */
    public PortMapping {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(hostIp, "hostIp");
    }
}
