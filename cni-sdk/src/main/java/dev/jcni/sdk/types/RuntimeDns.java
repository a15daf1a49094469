package dev.jcni.sdk.types;

import java.util.List;

/**
 * The {@code dns} capability. Its keys differ from the {@link Dns} of results:
 * {@code servers}, {@code searches}, {@code options}.
 *
 * @param servers name servers
 * @param searches search domains
 * @param options resolver options
 */
public record RuntimeDns(List<String> servers, List<String> searches, List<String> options) {
    /** Copies the lists. */
    public RuntimeDns {
        servers = List.copyOf(servers);
        searches = List.copyOf(searches);
        options = List.copyOf(options);
    }
}
