package dev.jcni.plugins.bridge;

import dev.jcni.plugins.ip.Errors;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.NetConf;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * The bridge plugin's configuration, read and validated as a whole before anything touches the
 * kernel. Defaults, checks and messages are Go's (containernetworking/plugins HEAD).
 *
 * @param name the network name
 * @param bridge {@code bridge}, default {@code cni0}
 * @param isGateway {@code isGateway}, forced on by {@code isDefaultGateway}
 * @param isDefaultGateway {@code isDefaultGateway}
 * @param forceAddress {@code forceAddress}
 * @param ipMasq {@code ipMasq}
 * @param ipMasqBackend {@code ipMasqBackend}: iptables, nftables, or empty for the automatic choice
 * @param mtu {@code mtu}, 0 for the kernel default
 * @param hairpinMode {@code hairpinMode}
 * @param promiscMode {@code promiscMode}
 * @param vlan {@code vlan}, 0 for none
 * @param vlanTrunkSet whether {@code vlanTrunk} was given (even empty: it turns on VLAN filtering)
 * @param vlans the trunk's VLAN ids, deduplicated and sorted
 * @param preserveDefaultVlan {@code preserveDefaultVlan}, default false
 * @param macSpoofChk {@code macspoofchk}
 * @param enableDad {@code enabledad}
 * @param disableContainerInterface {@code disableContainerInterface}
 * @param portIsolation {@code portIsolation}
 * @param ipamType {@code ipam.type}, "" for L2 mode
 * @param mac the container MAC from CNI_ARGS {@code MAC}, {@code args.cni.mac} or {@code runtimeConfig.mac} (last wins)
 */
public record BridgeConfig(String name, String bridge, boolean isGateway, boolean isDefaultGateway, boolean forceAddress,
        boolean ipMasq, Optional<String> ipMasqBackend, int mtu, boolean hairpinMode, boolean promiscMode, int vlan,
        boolean vlanTrunkSet, List<Integer> vlans, boolean preserveDefaultVlan, boolean macSpoofChk, boolean enableDad,
        boolean disableContainerInterface, boolean portIsolation, String ipamType, Optional<String> mac) {

    /** Go's default bridge name. */
    public static final String DEFAULT_BRIDGE = "cni0";

    /**
     * The JSON shape, bound as Go's encoding/json fills bridge's {@code NetConf} (see
     * {@link NetConf#bind(Class)}); {@code ipMasq} is bound only to check its type (the value is the
     * standard key's).
     */
    record Raw(Optional<String> bridge, boolean isGateway, boolean isDefaultGateway, boolean forceAddress, boolean ipMasq,
            Optional<String> ipMasqBackend, int mtu, boolean hairpinMode, boolean promiscMode, int vlan,
            Optional<List<Trunk>> vlanTrunk, boolean preserveDefaultVlan, boolean macspoofchk, boolean enabledad,
            boolean disableContainerInterface, boolean portIsolation, RawArgs args, RawRuntime runtimeConfig) {
    }

    /** One {@code vlanTrunk} entry (a null entry binds as one with nothing set, which adds no id). */
    record Trunk(OptionalInt minID, OptionalInt maxID, OptionalInt id) {
    }

    /** {@code args}. */
    record RawArgs(RawCni cni) {
    }

    /** {@code args.cni}. */
    record RawCni(String mac) {
    }

    /** {@code runtimeConfig}. */
    record RawRuntime(String mac) {
    }

    /**
     * Decodes the configuration, with Go's {@code failed to load netconf: } before a decoding error.
     *
     * @param request the call
     * @return the JSON shape
     * @throws CniException code 6 when a key has the wrong JSON type
     */
    static Raw decode(Request request) {
        try {
            return request.config(Raw.class);
        } catch (CniException e) {
            throw new CniException(e.code(), "failed to load netconf: " + e.msg(), e.details(), e);
        }
    }

    /**
     * Reads the configuration as Go's {@code loadNetConf} does (also for DEL and CHECK): VLAN id, trunk
     * and {@code CNI_ARGS} are checked here.
     *
     * @param request the call
     * @return the configuration
     * @throws CniException code 6 when a key has the wrong JSON type; code 7 for an invalid value;
     *     code 4 for a bad {@code CNI_ARGS}
     */
    public static BridgeConfig load(Request request) {
        NetConf conf = request.netConf();
        Raw raw = decode(request);
        int vlan = raw.vlan();
        if (vlan < 0 || vlan > 4094) {
            throw Errors.invalidConfig("invalid VLAN ID " + vlan + " (must be between 0 and 4094)");
        }
        List<Integer> vlans = collectTrunk(raw.vlanTrunk().orElse(List.of()));
        Optional<String> mac = Optional.empty();
        CniArgs env = request.cniArgs();
        try {
            env.checkKnown(Set.of("MAC"));
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, e.getMessage());
        }
        Optional<String> envMac = env.get("MAC").filter(s -> !s.isEmpty());
        if (envMac.isPresent()) {
            mac = envMac;
        }
        if (!raw.args().cni().mac().isEmpty()) {
            mac = Optional.of(raw.args().cni().mac());
        }
        if (!raw.runtimeConfig().mac().isEmpty()) {
            mac = Optional.of(raw.runtimeConfig().mac());
        }
        String ipamType = conf.ipam().map(i -> i.type()).orElse("");
        return new BridgeConfig(conf.name(), raw.bridge().orElse(DEFAULT_BRIDGE), raw.isGateway() || raw.isDefaultGateway(),
                raw.isDefaultGateway(), raw.forceAddress(), conf.ipMasq(), raw.ipMasqBackend(), raw.mtu(), raw.hairpinMode(),
                raw.promiscMode(), vlan, raw.vlanTrunk().isPresent(), vlans, raw.preserveDefaultVlan(), raw.macspoofchk(),
                raw.enabledad(), raw.disableContainerInterface(), raw.portIsolation(), ipamType, mac);
    }

    /**
     * Go's {@code collectVlanTrunk}: ranges and single ids, each 1..4094, deduplicated and sorted.
     *
     * @param trunk the entries
     * @return the ids
     */
    static List<Integer> collectTrunk(List<Trunk> trunk) {
        Set<Integer> ids = new TreeSet<>();
        for (Trunk t : trunk) {
            if (t.minID().isPresent() && t.maxID().isPresent()) {
                int min = t.minID().getAsInt();
                if (min <= 0 || min > 4094) {
                    throw Errors.invalidConfig("incorrect trunk minID parameter");
                }
                int max = t.maxID().getAsInt();
                if (max <= 0 || max > 4094) {
                    throw Errors.invalidConfig("incorrect trunk maxID parameter");
                }
                if (max < min) {
                    throw Errors.invalidConfig("minID is greater than maxID in trunk parameter");
                }
                for (int v = min; v <= max; v++) {
                    ids.add(v);
                }
            } else if (t.minID().isEmpty() && t.maxID().isPresent()) {
                throw Errors.invalidConfig("minID and maxID should be configured simultaneously, minID is missing");
            } else if (t.minID().isPresent()) {
                throw Errors.invalidConfig("minID and maxID should be configured simultaneously, maxID is missing");
            }
            if (t.id().isPresent()) {
                int id = t.id().getAsInt();
                if (id <= 0 || id > 4094) {
                    throw Errors.invalidConfig("incorrect trunk id parameter");
                }
                ids.add(id);
            }
        }
        return List.copyOf(new ArrayList<>(ids));
    }

    /** @return true when an IPAM plugin is configured (L3); false is Go's L2 mode */
    public boolean isLayer3() {
        return !ipamType.isEmpty();
    }

    /** @return whether the bridge is created with VLAN filtering (a vlan, or a trunk even if empty) */
    public boolean vlanFiltering() {
        return vlan != 0 || vlanTrunkSet;
    }

    /**
     * The checks Go makes during ADD, all made here before the kernel is touched.
     *
     * @return the parsed container MAC
     * @throws CniException code 7 with Go's message
     */
    public Optional<MacAddress> validateForAdd() {
        if (isLayer3() && disableContainerInterface) {
            throw Errors.invalidConfig("cannot use IPAM when DisableContainerInterface flag is set");
        }
        if (hairpinMode && promiscMode) {
            throw Errors.invalidConfig("cannot set hairpin mode and promiscuous mode at the same time");
        }
        if (bridge.isEmpty() || bridge.length() > 15 || bridge.contains("/") || bridge.contains(" ") || bridge.equals(".")
                || bridge.equals("..")) {
            throw Errors.invalidConfig("failed to create bridge \"" + bridge + "\": invalid bridge name");
        }
        if (vlan != 0 && isGateway && (bridge + "." + vlan).length() > 15) {
            throw Errors.invalidConfig("failed to create vlan interface: name \"" + bridge + "." + vlan
                    + "\" of the vlan gateway interface is longer than 15 characters");
        }
        if (isLayer3() && ipMasq && ipMasqBackend.isPresent() && !ipMasqBackend.get().equals("iptables")
                && !ipMasqBackend.get().equals("nftables")) {
            throw Errors.invalidConfig("unknown ipmasq backend \"" + ipMasqBackend.get() + "\"");
        }
        try {
            return mac.map(MacAddress::parse);
        } catch (IllegalArgumentException e) {
            throw Errors.invalidConfig(e.getMessage());
        }
    }
}
