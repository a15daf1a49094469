package dev.jcni.plugins.portmap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.plugins.firewall.Iptables;
import dev.jcni.plugins.firewall.Nft;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Ip;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The portmap plugin's configuration, read and checked in the order and with the texts of Go's
 * {@code parseConfig}, then jcni's few extra checks (see docs/portmap.md).
 */
final class PortmapConfig {
    /** The mark bit used when {@code markMasqBit} is absent (Kubernetes uses 14 and 15). */
    static final int DEFAULT_MARK_BIT = 13;

    /** The firewall backends. */
    enum Backend {
        /** iptables / ip6tables, table {@code nat}. */
        IPTABLES("iptables"),
        /** nft, tables {@code ip cni_hostport} and {@code ip6 cni_hostport}. */
        NFTABLES("nftables");

        private final String text;

        Backend(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Which firewall tools work here (Go: {@code SupportsIPTables}, {@code SupportsNFTables}). */
    interface BackendProbe {
        /** @return true when iptables can look at {@code filter/INPUT} */
        boolean iptablesUsable();

        /** @return true when nft can check a transaction */
        boolean nftablesUsable();

        /** @return the probe of this machine */
        static BackendProbe system() {
            return new BackendProbe() {
                @Override
                public boolean iptablesUsable() {
                    return Iptables.find(false).map(Iptables::usable).orElse(false);
                }

                @Override
                public boolean nftablesUsable() {
                    return Nft.find().map(Nft::usable).orElse(false);
                }
            };
        }
    }

    private final String network;
    private final Optional<String> requestedBackend;
    private final boolean snat;
    private final int markMasqBit;
    private final Optional<String> externalSetMarkChain;
    private final List<String> conditionsV4;
    private final List<String> conditionsV6;
    private final boolean masqAll;
    private final List<Mapping> mappings;
    private final BackendProbe probe;
    private Backend backend;

    private PortmapConfig(String network, Optional<String> requestedBackend, boolean snat, int markMasqBit,
            Optional<String> externalSetMarkChain, List<String> conditionsV4, List<String> conditionsV6, boolean masqAll,
            List<Mapping> mappings, BackendProbe probe, Backend backend) {
        this.network = network;
        this.requestedBackend = requestedBackend;
        this.snat = snat;
        this.markMasqBit = markMasqBit;
        this.externalSetMarkChain = externalSetMarkChain;
        this.conditionsV4 = conditionsV4;
        this.conditionsV6 = conditionsV6;
        this.masqAll = masqAll;
        this.mappings = mappings;
        this.probe = probe;
        this.backend = backend;
    }

    /**
     * Reads and checks the configuration.
     *
     * @param root the whole configuration object
     * @param network the network name (already checked by the skel)
     * @param probe which backends work, asked only when the backend is not given and matters
     * @param afterDecode run between decoding and checking, as Go parses {@code prevResult} there
     * @return the configuration
     * @throws CniException code 6 for a value of the wrong JSON type, code 7 for an invalid value
     */
    static PortmapConfig parse(JsonNode root, String network, BackendProbe probe, Runnable afterDecode) {
        Optional<String> backend = GoJson.string(root, "backend", "backend");
        Optional<Boolean> snat = GoJson.bool(root, "snat", "snat");
        Optional<List<String>> condV4 = GoJson.strings(root, "conditionsV4", "conditionsV4");
        Optional<List<String>> condV6 = GoJson.strings(root, "conditionsV6", "conditionsV6");
        boolean masqAll = GoJson.bool(root, "masqAll", "masqAll").orElse(false);
        Optional<Long> markBit = GoJson.integer(root, "markMasqBit", "markMasqBit");
        Optional<String> external = GoJson.string(root, "externalSetMarkChain", "externalSetMarkChain");
        List<RawMapping> raw = new ArrayList<>();
        Optional<JsonNode> rc = GoJson.object(root, "runtimeConfig", "runtimeConfig", "struct");
        if (rc.isPresent()) {
            for (JsonNode n : GoJson.array(rc.get(), "portMappings", "runtimeConfig.portMappings", "[]main.PortMapEntry")) {
                if (n.isNull()) {
                    raw.add(new RawMapping(0, 0, "", ""));
                    continue;
                }
                if (!n.isObject()) {
                    throw GoJson.typeError(n, "runtimeConfig.portMappings", "main.PortMapEntry");
                }
                String p = "runtimeConfig.portMappings.";
                raw.add(new RawMapping(GoJson.integer(n, "hostPort", p + "hostPort").orElse(0L),
                        GoJson.integer(n, "containerPort", p + "containerPort").orElse(0L),
                        GoJson.string(n, "protocol", p + "protocol").orElse(""),
                        GoJson.string(n, "hostIP", p + "hostIP").orElse("")));
            }
        }
        afterDecode.run();

        if (markBit.isPresent() && external.isPresent()) {
            throw invalid("Cannot specify externalSetMarkChain and markMasqBit");
        }
        long bit = markBit.orElse((long) DEFAULT_MARK_BIT);
        if (bit < 0 || bit > 31) {
            throw invalid("MasqMarkBit must be between 0 and 31");
        }
        PortmapConfig c = new PortmapConfig(network, backend, snat.orElse(true), (int) bit, external,
                condV4.orElse(List.of()), condV6.orElse(List.of()), masqAll, List.of(), probe, null);
        c.checkBackend(condV4, condV6);
        for (RawMapping m : raw) {
            if (m.containerPort() <= 0) {
                throw invalid("Invalid container port number: " + m.containerPort());
            }
            if (m.hostPort() <= 0) {
                throw invalid("Invalid host port number: " + m.hostPort());
            }
        }
        // beyond Go: what Go would pass on to the firewall tool and fail with half the rules made
        if (external.isPresent() && external.get().isEmpty()) {
            throw invalid("externalSetMarkChain must not be empty");
        }
        List<Mapping> mappings = new ArrayList<>();
        for (RawMapping m : raw) {
            if (m.containerPort() > 65535) {
                throw invalid("Invalid container port number: " + m.containerPort());
            }
            if (m.hostPort() > 65535) {
                throw invalid("Invalid host port number: " + m.hostPort());
            }
            String proto = m.protocol().toLowerCase(Locale.ROOT);
            if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
                throw invalid("Invalid protocol: \"" + m.protocol() + "\" (must be tcp, udp or sctp)");
            }
            Optional<InetAddress> hostIp = Optional.empty();
            if (!m.hostIp().isEmpty()) {
                hostIp = Ip.tryParse(m.hostIp());
                if (hostIp.isEmpty()) {
                    throw invalid("Invalid host IP: \"" + m.hostIp() + "\"");
                }
            }
            mappings.add(new Mapping((int) m.hostPort(), (int) m.containerPort(), proto, hostIp));
        }
        return new PortmapConfig(network, backend, c.snat, c.markMasqBit, external, c.conditionsV4, c.conditionsV6, masqAll,
                List.copyOf(mappings), probe, c.backend);
    }

    private record RawMapping(long hostPort, long containerPort, String protocol, String hostIp) {
    }

    static CniException invalid(String msg) {
        return new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, msg);
    }

    /**
     * Go's {@code ensureBackend}: options of the other backend are an error; an unknown name too. The
     * machine is probed only when no backend is given and an option names one.
     */
    private void checkBackend(Optional<List<String>> condV4, Optional<List<String>> condV6) {
        List<String> iptablesOptions = new ArrayList<>();
        List<String> nftablesOptions = new ArrayList<>();
        if (externalSetMarkChain.isPresent()) {
            iptablesOptions.add("externalSetMarkChain");
        }
        detect(condV4).ifPresent(b -> (b == Backend.IPTABLES ? iptablesOptions : nftablesOptions).add("conditionsV4"));
        detect(condV6).ifPresent(b -> (b == Backend.IPTABLES ? iptablesOptions : nftablesOptions).add("conditionsV6"));
        String requested;
        if (requestedBackend.isPresent()) {
            requested = requestedBackend.get();
        } else if (iptablesOptions.isEmpty() && nftablesOptions.isEmpty()) {
            return; // nothing can conflict: the backend is chosen when it is needed
        } else {
            requested = backend().toString();
        }
        boolean isIptables = requested.equals(Backend.IPTABLES.toString());
        List<String> wrong = isIptables ? nftablesOptions : iptablesOptions;
        if (!wrong.isEmpty()) {
            throw invalid(requested + " backend was requested but configuration contains "
                    + (isIptables ? Backend.NFTABLES : Backend.IPTABLES) + "-specific options [" + String.join(" ", wrong) + "]");
        }
        if (isIptables) {
            backend = Backend.IPTABLES;
        } else if (requested.equals(Backend.NFTABLES.toString())) {
            backend = Backend.NFTABLES;
        } else {
            throw invalid("unrecognized backend \"" + requested + "\"");
        }
    }

    /**
     * Go's {@code detectBackendOfConditions}: a first token starting with {@code -} or {@code !} is
     * iptables syntax, any other non-empty first token nftables syntax.
     */
    static Optional<Backend> detect(Optional<List<String>> conditions) {
        if (conditions.isEmpty() || conditions.get().isEmpty() || conditions.get().get(0).isEmpty()) {
            return Optional.empty();
        }
        char c = conditions.get().get(0).charAt(0);
        return Optional.of(c == '-' || c == '!' ? Backend.IPTABLES : Backend.NFTABLES);
    }

    /**
     * The backend: the one requested, else iptables unless it is unusable and nftables is usable.
     *
     * @return the backend
     */
    Backend backend() {
        if (backend == null) {
            backend = !probe.iptablesUsable() && probe.nftablesUsable() ? Backend.NFTABLES : Backend.IPTABLES;
        }
        return backend;
    }

    /** @return the network name */
    String network() {
        return network;
    }

    /** @return {@code snat} (default true) */
    boolean snat() {
        return snat;
    }

    /** @return {@code markMasqBit} (default 13) */
    int markMasqBit() {
        return markMasqBit;
    }

    /** @return {@code externalSetMarkChain} */
    Optional<String> externalSetMarkChain() {
        return externalSetMarkChain;
    }

    /**
     * @param ipv6 the family
     * @return {@code conditionsV6} or {@code conditionsV4}, empty when absent
     */
    List<String> conditions(boolean ipv6) {
        return ipv6 ? conditionsV6 : conditionsV4;
    }

    /** @return {@code masqAll} */
    boolean masqAll() {
        return masqAll;
    }

    /** @return the port mappings, in the order given */
    List<Mapping> mappings() {
        return mappings;
    }
}
