package dev.jcni.plugins.portmap;

import dev.jcni.plugins.firewall.Iptables;
import dev.jcni.plugins.firewall.Nft;
import dev.jcni.sdk.internal.GoJson;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Ip;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
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
     * The JSON shape of Go's {@code PortMapConf} (the keys portmap reads beside the standard ones),
     * bound by the SDK's Go-compatible JSON reading: keys matched case-insensitively, the last one
     * winning; null leaves the default; a wrong JSON type is Go's {@code UnmarshalTypeError}.
     */
    record Conf(Optional<String> backend, Optional<Boolean> snat, Optional<List<String>> conditionsV4,
                Optional<List<String>> conditionsV6, boolean masqAll, Optional<Long> markMasqBit,
                Optional<String> externalSetMarkChain, RuntimeConfig runtimeConfig) {
    }

    /** {@code runtimeConfig} (Go: an anonymous struct). */
    record RuntimeConfig(List<PortMapEntry> portMappings) {
    }

    /** One {@code portMappings} entry (Go's {@code PortMapEntry}, ports of Go's 64-bit {@code int}). */
    record PortMapEntry(long hostPort, long containerPort, String protocol, String hostIP) {
    }

    /**
     * Reads and checks the configuration.
     *
     * @param json the whole configuration (stdin)
     * @param network the network name (already checked by the skel)
     * @param probe which backends work, asked only when the backend is not given and matters
     * @param afterDecode run between decoding and checking, as Go parses {@code prevResult} there
     * @return the configuration
     * @throws CniException code 6 for a value of the wrong JSON type, code 7 for an invalid value
     */
    static PortmapConfig parse(byte[] json, String network, BackendProbe probe, Runnable afterDecode) {
        Conf conf;
        try {
            conf = GoJson.bind(json, Conf.class);
        } catch (GoJson.TypeError e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, "failed to parse network configuration: json: cannot unmarshal "
                    + e.value() + " into Go struct field PortMapConf." + e.fieldPath() + " of type " + goType(e.target()));
        } catch (GoJson.BindError e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, "failed to parse network configuration: " + e.getMessage());
        }
        afterDecode.run();

        Optional<Long> markBit = conf.markMasqBit();
        Optional<String> external = conf.externalSetMarkChain();
        if (markBit.isPresent() && external.isPresent()) {
            throw invalid("Cannot specify externalSetMarkChain and markMasqBit");
        }
        long bit = markBit.orElse((long) DEFAULT_MARK_BIT);
        if (bit < 0 || bit > 31) {
            throw invalid("MasqMarkBit must be between 0 and 31");
        }
        PortmapConfig c = new PortmapConfig(network, conf.backend(), conf.snat().orElse(true), (int) bit, external,
                conf.conditionsV4().orElse(List.of()), conf.conditionsV6().orElse(List.of()), conf.masqAll(), List.of(), probe,
                null);
        c.checkBackend(conf.conditionsV4(), conf.conditionsV6());
        List<PortMapEntry> raw = conf.runtimeConfig().portMappings();
        for (PortMapEntry m : raw) {
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
        for (PortMapEntry m : raw) {
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
            if (!m.hostIP().isEmpty()) {
                hostIp = Ip.tryParse(m.hostIP());
                if (hostIp.isEmpty()) {
                    throw invalid("Invalid host IP: \"" + m.hostIP() + "\"");
                }
            }
            mappings.add(new Mapping((int) m.hostPort(), (int) m.containerPort(), proto, hostIp));
        }
        return new PortmapConfig(network, conf.backend(), c.snat, c.markMasqBit, external, c.conditionsV4, c.conditionsV6,
                conf.masqAll(), List.copyOf(mappings), probe, c.backend);
    }

    /** Go's name of the type of {@code PortMapConf}'s field that a Java type stands for, as its errors print it. */
    static String goType(Type type) {
        if (type instanceof ParameterizedType p) {
            Type arg = p.getActualTypeArguments()[0];
            return p.getRawType() == List.class ? "[]" + goType(arg) : goType(arg);
        }
        if (type == long.class || type == Long.class) {
            return "int";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "bool";
        }
        if (type == PortMapEntry.class) {
            return "main.PortMapEntry";
        }
        if (type == RuntimeConfig.class) {
            return "struct";
        }
        return "string";
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
