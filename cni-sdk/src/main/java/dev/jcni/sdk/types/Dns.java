package dev.jcni.sdk.types;

import java.util.List;
import java.util.Objects;

/**
 * DNS settings, as in results and in the {@code dns} key of a plugin configuration.
 *
 * @param nameservers name server addresses, in order of preference
 * @param domain the local domain, "" when not set
 * @param search search domains
 * @param options resolver options
 */
public record Dns(List<String> nameservers, String domain, List<String> search, List<String> options) {

    /** The empty value. */
    public static final Dns EMPTY = new Dns(List.of(), "", List.of(), List.of());

    /** Copies the lists. */
    public Dns {
        nameservers = List.copyOf(nameservers);
        Objects.requireNonNull(domain, "domain");
        search = List.copyOf(search);
        options = List.copyOf(options);
    }

    /** @return true when nothing is set */
    public boolean isEmpty() {
        return nameservers.isEmpty() && domain.isEmpty() && search.isEmpty() && options.isEmpty();
    }
}
