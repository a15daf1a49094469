package dev.jcni.netlink.route;

import dev.jcni.sdk.types.MacAddress;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A neighbour (ARP / NDP) entry (Go: {@code netlink.Neigh}).
 *
 * @param linkIndex the interface index
 * @param family {@link Family#V4} or {@link Family#V6} (7, {@code AF_BRIDGE}, for FDB entries)
 * @param ip the neighbour's IP address
 * @param mac its link-layer address, when known
 * @param state {@code NUD_*} state bits
 * @param flags {@code NTF_*} flags
 */
public record Neighbour(int linkIndex, int family, Optional<InetAddress> ip, Optional<MacAddress> mac, int state,
        int flags) {
    /** {@code NUD_INCOMPLETE}. */
    public static final int NUD_INCOMPLETE = 0x01;
    /** {@code NUD_REACHABLE}. */
    public static final int NUD_REACHABLE = 0x02;
    /** {@code NUD_STALE}. */
    public static final int NUD_STALE = 0x04;
    /** {@code NUD_DELAY}. */
    public static final int NUD_DELAY = 0x08;
    /** {@code NUD_PROBE}. */
    public static final int NUD_PROBE = 0x10;
    /** {@code NUD_FAILED}. */
    public static final int NUD_FAILED = 0x20;
    /** {@code NUD_NOARP}. */
    public static final int NUD_NOARP = 0x40;
    /** {@code NUD_PERMANENT}. */
    public static final int NUD_PERMANENT = 0x80;

    /**
     * Null checks.
     *
     * @param linkIndex linkIndex
     * @param family family
     * @param ip ip
     * @param mac mac
     * @param state state
     * @param flags flags
     */
    public Neighbour {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(mac, "mac");
    }

    /**
     * A permanent entry to add.
     *
     * @param linkIndex the interface
     * @param ip the IP address
     * @param mac the link-layer address
     * @return the entry
     */
    public static Neighbour permanent(int linkIndex, InetAddress ip, MacAddress mac) {
        return new Neighbour(linkIndex, Family.of(ip), Optional.of(ip), Optional.of(mac), NUD_PERMANENT, 0);
    }
}
