package dev.jcni.sdk.types;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code CNI_ARGS} variable: {@code K=V;K2=V2}, parsed as Go's {@code types.LoadArgs} does.
 * Deprecated by the spec in favour of {@code args} in the configuration, but still used
 * ({@code IP=}, {@code MAC=}, {@code K8S_POD_NAME=}...).
 *
 * @param pairs the pairs, in order
 */
public record CniArgs(List<Pair> pairs) {

    /** The key that makes {@link #checkKnown(Set)} accept unknown keys. */
    public static final String IGNORE_UNKNOWN = "IgnoreUnknown";

    /**
     * One {@code K=V} pair.
     *
     * @param key the key
     * @param value the value
     */
    public record Pair(String key, String value) {
        /** Checks that no component is null. */
        public Pair {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Copies the list. */
    public CniArgs {
        pairs = List.copyOf(pairs);
    }

    /** @return no pairs */
    public static CniArgs empty() {
        return new CniArgs(List.of());
    }

    /**
     * Parses {@code K=V;K2=V2}. Every pair must split into exactly two parts on {@code =}.
     *
     * @param text the variable's value; "" gives no pairs
     * @return the pairs
     * @throws IllegalArgumentException {@code ARGS: invalid pair "<p>"}
     */
    public static CniArgs parse(String text) {
        if (text.isEmpty()) {
            return empty();
        }
        List<Pair> out = new ArrayList<>();
        for (String p : text.split(";", -1)) {
            String[] kv = p.split("=", -1);
            if (kv.length != 2) {
                throw new IllegalArgumentException("ARGS: invalid pair " + dev.jcni.sdk.internal.GoText.quote(p));
            }
            out.add(new Pair(kv[0], kv[1]));
        }
        return new CniArgs(out);
    }

    /** @return {@code K=V;K2=V2} (no escaping, as Go) */
    public String format() {
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            if (sb.length() > 0) {
                sb.append(';');
            }
            sb.append(p.key()).append('=').append(p.value());
        }
        return sb.toString();
    }

    /**
     * The value of the last pair with a key (later pairs win, as Go's field assignment).
     *
     * @param key the key (case-sensitive)
     * @return the value
     */
    public Optional<String> get(String key) {
        Optional<String> v = Optional.empty();
        for (Pair p : pairs) {
            if (p.key().equals(key)) {
                v = Optional.of(p.value());
            }
        }
        return v;
    }

    /**
     * Rejects keys a plugin does not know, unless {@code IgnoreUnknown} is true.
     *
     * @param known the keys the plugin understands ({@code IgnoreUnknown} is always known)
     * @throws IllegalArgumentException {@code ARGS: unknown args ["K=V"]} (the pairs, as Go lists them) or
     *     {@code boolean unmarshal error: invalid input <v>}
     */
    public void checkKnown(Set<String> known) {
        boolean ignore = false;
        Optional<String> ig = get(IGNORE_UNKNOWN);
        if (ig.isPresent()) {
            ignore = switch (ig.get().toLowerCase(Locale.ROOT)) {
                case "1", "true" -> true;
                case "0", "false" -> false;
                default -> throw new IllegalArgumentException("boolean unmarshal error: invalid input " + ig.get());
            };
        }
        if (ignore) {
            return;
        }
        List<String> inOrder = new ArrayList<>();
        for (Pair p : pairs) {
            if (!known.contains(p.key()) && !p.key().equals(IGNORE_UNKNOWN)) {
                inOrder.add(p.key() + "=" + p.value());
            }
        }
        if (!inOrder.isEmpty()) {
            throw new IllegalArgumentException("ARGS: unknown args " + dev.jcni.sdk.internal.GoText.quoteList(inOrder));
        }
    }

    /** @return {@link #format()} */
    @Override
    public String toString() {
        return format();
    }
}
