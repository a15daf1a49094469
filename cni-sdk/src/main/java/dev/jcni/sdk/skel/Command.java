package dev.jcni.sdk.skel;

import java.util.Optional;

/** The CNI verbs ({@code CNI_COMMAND}). */
public enum Command {
    /** Attach a container. */
    ADD,
    /** Detach a container. */
    DEL,
    /** Verify an attachment. */
    CHECK,
    /** Release resources of attachments no longer valid. */
    GC,
    /** Report readiness. */
    STATUS,
    /** Report supported versions. */
    VERSION;

    /**
     * @param name the {@code CNI_COMMAND} value (case-sensitive, as Go)
     * @return the command, or empty for an unknown one
     */
    public static Optional<Command> of(String name) {
        for (Command c : values()) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
