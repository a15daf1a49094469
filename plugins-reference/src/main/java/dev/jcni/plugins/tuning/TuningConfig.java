package dev.jcni.plugins.tuning;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.NetConf;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The tuning plugin's configuration, validated before anything is changed: Go's {@code parseConf}
 * of plugins/meta/tuning and the checks of its ADD (duplicate sysctl keys, the sysctl allowlist, the
 * interface name), and beyond Go every sysctl key and the MAC, which Go checks only while it applies
 * them, after earlier ones were written.
 *
 * <p>Sources, later ones winning: the configuration's keys; {@code CNI_ARGS MAC=}; the {@code mac}
 * capability ({@code runtimeConfig.mac}); {@code args.cni} ({@code sysctl} merged key by key,
 * {@code mac}, {@code promisc}, {@code mtu}, {@code allmulti}, {@code txQLen}).
 *
 * @param dataDir where the values to restore on DEL are kept ({@code dataDir}, default {@link #DEFAULT_DATA_DIR})
 * @param sysctls the sysctls in order: key as written → its file under {@code /proc/sys/net}
 * @param values the sysctls' values by key
 * @param mac the MAC to set, when one is
 * @param macText the MAC as written (for messages and CHECK)
 * @param promisc set promiscuous mode on (false: leave it)
 * @param mtu the MTU to set, 0 to leave it
 * @param allmulti all-multicast mode to set, when given
 * @param txQLen the transmit queue length to set, when given
 */
public record TuningConfig(Path dataDir, Map<String, Path> sysctls, Map<String, String> values, Optional<MacAddress> mac,
        String macText, boolean promisc, int mtu, Optional<Boolean> allmulti, OptionalInt txQLen) {

    /** Go's default: the values to restore live as long as the node's boot, as the interfaces do. */
    public static final Path DEFAULT_DATA_DIR = Path.of("/run/cni/tuning");
    /** Go's sysctl allowlist: one regular expression a line; when the file exists, every sysctl must match one. */
    public static final Path DEFAULT_ALLOWLIST = Path.of("/etc/cni/tuning/allowlist.conf");
    private static final Path PROC_SYS = Path.of("/proc/sys");

    /** Copies the maps. */
    public TuningConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        sysctls = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
        values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values));
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(macText, "macText");
        Objects.requireNonNull(allmulti, "allmulti");
        Objects.requireNonNull(txQLen, "txQLen");
    }

    /** @return true when a link attribute (MAC, promiscuous, MTU, all-multicast, queue length) is to be set */
    public boolean changesLink() {
        return mac.isPresent() || promisc || mtu != 0 || allmulti.isPresent() || txQLen.isPresent();
    }

    /** The keys tuning reads. */
    record Raw(String dataDir, Map<String, String> sysctl, String mac, boolean promisc, int mtu, OptionalInt txQLen,
            Optional<Boolean> allmulti, RuntimeKeys runtimeConfig, ArgsKeys args) {
    }

    /** {@code runtimeConfig}. */
    record RuntimeKeys(String mac) {
    }

    /** {@code args}. */
    record ArgsKeys(Optional<CniKeys> cni) {
    }

    /** {@code args.cni}: each, when present, overrides the configuration's. */
    record CniKeys(Optional<Map<String, String>> sysctl, Optional<String> mac, Optional<Boolean> promisc, OptionalInt mtu,
            Optional<Boolean> allmulti, OptionalInt txQLen) {
    }

    /**
     * Loads and validates the configuration of a call.
     *
     * @param request the call
     * @param allowlist the sysctl allowlist file ({@link #DEFAULT_ALLOWLIST}; tests give their own)
     * @param strict true for ADD and CHECK (the allowlist, the interface name and the sysctl keys are
     *     checked), false for DEL (which only needs to find the saved values)
     * @return the configuration
     * @throws CniException 6 for a JSON value of the wrong type; 4 for {@code CNI_ARGS}; 7 for the rest
     */
    public static TuningConfig load(Request request, Path allowlist, boolean strict) {
        if (strict) {
            rejectDuplicateSysctlKeys(request.stdin());
        }
        return load(request.netConf(), request.cniArgs(), request.ifName(), request.workingDirectory(), allowlist, strict);
    }

    /**
     * {@link #load(Request, Path, boolean)} but for the duplicate-key check, from the call's parts.
     *
     * @param conf the configuration
     * @param cniArgs {@code CNI_ARGS}
     * @param ifName {@code CNI_IFNAME}
     * @param workingDirectory the caller's, for a relative {@code dataDir}
     * @param allowlist the sysctl allowlist file
     * @param strict ADD and CHECK (true) or DEL
     * @return the configuration
     */
    static TuningConfig load(NetConf conf, CniArgs cniArgs, String ifName, Path workingDirectory, Path allowlist, boolean strict) {
        Raw raw;
        try {
            raw = conf.bind(Raw.class);
        } catch (CniException e) {
            throw new CniException(e.code(), "failed to load netconf: " + e.msg(), e.details(), e);
        }
        Map<String, String> values = new LinkedHashMap<>(raw.sysctl());
        String mac = raw.mac();
        if (!cniArgs.pairs().isEmpty()) {
            try {
                cniArgs.checkKnown(Set.of("MAC"));
            } catch (IllegalArgumentException e) {
                throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, e.getMessage());
            }
            Optional<String> m = cniArgs.get("MAC").filter(s -> !s.isEmpty());
            if (m.isPresent()) {
                mac = m.get();
            }
        }
        if (!raw.runtimeConfig().mac().isEmpty()) {
            mac = raw.runtimeConfig().mac();
        }
        boolean promisc = raw.promisc();
        int mtu = raw.mtu();
        Optional<Boolean> allmulti = raw.allmulti();
        OptionalInt txQLen = raw.txQLen();
        if (raw.args().cni().isPresent()) {
            CniKeys a = raw.args().cni().get();
            a.sysctl().ifPresent(values::putAll);
            if (a.mac().isPresent()) {
                mac = a.mac().get();
            }
            promisc = a.promisc().orElse(promisc);
            if (a.mtu().isPresent()) {
                mtu = a.mtu().getAsInt();
            }
            if (a.allmulti().isPresent()) {
                allmulti = a.allmulti();
            }
            if (a.txQLen().isPresent()) {
                txQLen = a.txQLen();
            }
        }
        if (mtu < 0) {
            throw invalid("invalid mtu " + mtu + ": must not be negative");
        }
        if (txQLen.isPresent() && txQLen.getAsInt() < 0) {
            throw invalid("invalid txQLen " + txQLen.getAsInt() + ": must not be negative");
        }
        Path dataDir = raw.dataDir().isEmpty() ? DEFAULT_DATA_DIR : workingDirectory.resolve(raw.dataDir());
        Map<String, Path> files = new LinkedHashMap<>();
        Optional<MacAddress> parsedMac = Optional.empty();
        if (strict) {
            checkAllowlist(values.keySet(), allowlist);
            if (ifName.contains("/")) {
                throw invalid("Interface name (" + ifName + ") contains an invalid character /");
            }
            for (String key : values.keySet()) {
                files.put(key, sysctlFile(key, ifName));
            }
            if (!mac.isEmpty()) {
                String text = mac;
                try {
                    parsedMac = Optional.of(MacAddress.parse(text));
                } catch (IllegalArgumentException e) {
                    throw invalid("invalid args " + text + " for MAC addr: " + e.getMessage());
                }
            }
        } else if (!mac.isEmpty()) {
            try {
                parsedMac = Optional.of(MacAddress.parse(mac));
            } catch (IllegalArgumentException e) {
                // DEL restores what was saved; the configured MAC does not matter to it
            }
        }
        return new TuningConfig(dataDir, files, values, parsedMac, mac, promisc, mtu, allmulti, txQLen);
    }

    /**
     * Go's {@code getSysctlFilename} (HEAD): the key's dots become slashes, then the first
     * {@code IFNAME} becomes the interface's name (so an interface name's own dots stay, {@code eth0.100}),
     * and the file, cleaned of {@code ..}, must lie under {@code /proc/sys/net/}.
     *
     * @param key the key as written, e.g. {@code net.ipv4.conf.IFNAME.arp_filter}
     * @param ifName {@code CNI_IFNAME}
     * @return the file
     * @throws CniException code 7 {@code invalid net sysctl key: "<key with slashes>"}
     */
    static Path sysctlFile(String key, String ifName) {
        String k = key.replace('.', '/');
        int at = k.indexOf("IFNAME");
        if (at >= 0) {
            k = k.substring(0, at) + ifName + k.substring(at + "IFNAME".length());
        }
        Path file = Path.of(PROC_SYS + "/" + k).normalize();
        if (!file.toString().startsWith("/proc/sys/net/") || k.indexOf('\0') >= 0) {
            throw invalid("invalid net sysctl key: " + dev.jcni.sdk.internal.GoText.quote(k));
        }
        return file;
    }

    /** The allowlist: when its file exists, every key must match (somewhere, as Go's {@code regexp.MatchString}) one of its lines. */
    static void checkAllowlist(Set<String> keys, Path allowlist) {
        if (!java.nio.file.Files.exists(allowlist)) {
            return;
        }
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(allowlist).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new CniException(ErrorCodes.IO_FAILURE, "cannot read " + allowlist + ": " + e.getMessage());
        }
        for (String key : keys) {
            boolean match = false;
            for (String line : lines) {
                try {
                    match |= Pattern.compile(line).matcher(key).find();
                } catch (PatternSyntaxException e) {
                    throw invalid("error parsing regexp in " + allowlist + ": " + e.getDescription() + ": `" + line + "`");
                }
            }
            if (!match) {
                throw invalid("Sysctl " + key + " is not allowed. Only the following sysctls are allowed: [" + String.join(" ", lines) + "]");
            }
        }
    }

    /**
     * Go refuses a configuration whose {@code sysctl} object names a key twice (JSON itself allows it,
     * and a decoder would keep the last): {@code duplicated sysctl keys are not allowed}.
     */
    static void rejectDuplicateSysctlKeys(byte[] stdin) {
        Set<String> seen = new HashSet<>();
        try (JsonParser p = new JsonFactory().createParser(stdin)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return; // not an object: the binding reports it
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equalsIgnoreCase("sysctl") && t == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        if (!seen.add(p.currentName())) {
                            throw invalid("duplicated sysctl keys are not allowed");
                        }
                        p.nextToken();
                        p.skipChildren();
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            // malformed JSON: the binding reports it
        }
    }

    private static CniException invalid(String msg) {
        return new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, msg);
    }
}
