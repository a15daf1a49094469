package dev.jcni.sdk.types;

import java.util.Objects;

/**
 * An attachment of a container to a network: the pair a runtime passes in GC's
 * {@code cni.dev/valid-attachments} ({@code {"containerID": ..., "ifname": ...}}).
 *
 * @param containerId the container id
 * @param ifname the interface name in the container
 */
public record Attachment(String containerId, String ifname) {
    /** Checks that no component is null. */
    public Attachment {
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(ifname, "ifname");
    }
}
