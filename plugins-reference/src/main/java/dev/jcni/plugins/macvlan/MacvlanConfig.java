package dev.jcni.plugins.macvlan;

import dev.jcni.netlink.LinkNotFoundException;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.route.Family;
import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.route.NetlinkRoute;
import dev.jcni.plugins.ip.Errors;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.MacAddress;
import java.util.Optional;
import java.util.Set;

/**
 * The macvlan plugin's configuration (Go's {@code NetConf} of plugins/main/macvlan, HEAD).
 *
 * @param master the parent link: {@code master}, or the link of the first default route (of the host,
 *     or of the container with {@code linkInContainer})
 * @param mode the macvlan mode, one of {@link LinkSpec}'s {@code MACVLAN_MODE_*}
 * @param modeName the mode as configured ("" for the default, bridge)
 * @param mtu {@code mtu}, 0 for the master's
 * @param mac the MAC: {@code runtimeConfig.mac}, else {@code MAC} of {@code CNI_ARGS}, else {@code mac}
 * @param linkInContainer {@code linkInContainer}: the master is in the container's namespace
 * @param bcQueueLen {@code bcqueuelen}, 0 for the kernel's default
 * @param ipamType {@code ipam.type}, "" for a layer-2 only interface
 */
public record MacvlanConfig(String master, int mode, String modeName, int mtu, Optional<MacAddress> mac, boolean linkInContainer,
        long bcQueueLen, String ipamType) {

    /** The JSON shape. */
    record Raw(String master, String mode, int mtu, String mac, boolean linkInContainer, long bcqueuelen) {
    }

    /**
     * The mode's kernel value.
     *
     * @param s the configured mode
     * @return the value
     * @throws CniException code 7 {@code unknown macvlan mode: "x"}
     */
    static int mode(String s) {
        return switch (s) {
            case "", "bridge" -> LinkSpec.MACVLAN_MODE_BRIDGE;
            case "private" -> LinkSpec.MACVLAN_MODE_PRIVATE;
            case "vepa" -> LinkSpec.MACVLAN_MODE_VEPA;
            case "passthru" -> LinkSpec.MACVLAN_MODE_PASSTHRU;
            default -> throw Errors.invalidConfig("unknown macvlan mode: \"" + s + "\"");
        };
    }

    /**
     * @param mode a kernel value
     * @return its name
     */
    static String modeName(int mode) {
        return switch (mode) {
            case LinkSpec.MACVLAN_MODE_BRIDGE -> "bridge";
            case LinkSpec.MACVLAN_MODE_PRIVATE -> "private";
            case LinkSpec.MACVLAN_MODE_VEPA -> "vepa";
            case LinkSpec.MACVLAN_MODE_PASSTHRU -> "passthru";
            default -> "unknown (" + mode + ")";
        };
    }

    /**
     * The JSON alone, for DEL (which must not need the master): the IPAM type.
     *
     * @param request the call
     * @return {@code ipam.type}, "" when none
     */
    static String ipamType(Request request) {
        return request.netConf().ipam().map(i -> i.type()).orElse("");
    }

    /**
     * Reads the configuration and checks it against the master link, as Go's {@code loadConf}.
     *
     * @param request the call
     * @param hostHandle a handle in the plugin's namespace
     * @param containerHandle a handle in the container's namespace
     * @return the configuration
     */
    static MacvlanConfig load(Request request, NetlinkHandle hostHandle, NetlinkHandle containerHandle) {
        Raw raw;
        try {
            raw = request.config(Raw.class);
        } catch (CniException e) {
            throw new CniException(e.code(), "failed to load netconf: " + e.msg(), e.details(), e);
        }
        int mode = mode(raw.mode());
        if (raw.bcqueuelen() < 0 || raw.bcqueuelen() > 0xffffffffL) {
            throw Errors.invalidConfig("invalid bcqueuelen " + raw.bcqueuelen() + ": a 32-bit unsigned number");
        }
        NetlinkHandle where = raw.linkInContainer() ? containerHandle : hostHandle;
        String master = raw.master().isEmpty() ? defaultRouteLink(where) : raw.master();
        int masterMtu;
        try {
            masterMtu = where.linkByName(master).mtu();
        } catch (LinkNotFoundException e) {
            throw Errors.internal("failed to lookup master \"" + master + "\": Link not found", e);
        } catch (NetlinkException | IllegalArgumentException e) {
            throw Errors.internal("failed to lookup master \"" + master + "\": " + Errors.text(e), e);
        }
        if (raw.mtu() < 0 || raw.mtu() > masterMtu) {
            throw Errors.invalidConfig("invalid MTU " + raw.mtu() + ", must be [0, master MTU(" + masterMtu + ")]");
        }
        String mac = raw.mac();
        try {
            request.cniArgs().checkKnown(Set.of("MAC"));
        } catch (IllegalArgumentException e) {
            throw Errors.invalidConfig(e.getMessage());
        }
        mac = request.cniArgs().get("MAC").filter(m -> !m.isEmpty()).orElse(mac);
        mac = request.netConf().runtimeConfig().mac().filter(m -> !m.isEmpty()).orElse(mac);
        Optional<MacAddress> parsed = Optional.empty();
        if (!mac.isEmpty()) {
            try {
                parsed = Optional.of(MacAddress.parse(mac));
            } catch (IllegalArgumentException e) {
                throw Errors.invalidConfig("invalid args " + mac + " for MAC addr: " + Errors.text(e));
            }
        }
        return new MacvlanConfig(master, mode, raw.mode(), raw.mtu(), parsed, raw.linkInContainer(), raw.bcqueuelen(), ipamType(request));
    }

    /** Go's {@code getDefaultRouteInterfaceName}: the link of the first default route, IPv4 then IPv6, main table. */
    static String defaultRouteLink(NetlinkHandle h) {
        for (int family : new int[] {Family.V4, Family.V6}) {
            for (NetlinkRoute r : h.routeList(family)) {
                if (r.isDefault() && r.linkIndex() > 0) {
                    return h.linkByIndex(r.linkIndex()).name();
                }
            }
        }
        throw Errors.internal("no default route interface found");
    }
}
