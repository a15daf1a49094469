package dev.jcni.netlink.route;

import dev.jcni.sdk.types.MacAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A network interface as the kernel reports it (Go: {@code netlink.Link} with its {@code LinkAttrs}).
 *
 * @param index the interface index
 * @param name the name
 * @param kind the link kind from {@code IFLA_INFO_KIND} ({@code veth}, {@code bridge}, {@code macvlan}, ...); empty for physical and loopback devices
 * @param mtu the MTU
 * @param mac the hardware address, when the device has one
 * @param flags the {@code IFF_*} flags
 * @param operState the operational state
 * @param masterIndex the index of the master (bridge, bond, vrf), when enslaved
 * @param parentIndex {@code IFLA_LINK}: the peer of a veth, the parent of a vlan/macvlan, when reported
 * @param linkNetnsId {@code IFLA_LINK_NETNSID}: the namespace id, as seen from this namespace, where {@code parentIndex} lives
 * @param txQueueLen the transmit queue length
 * @param promiscuity the promiscuity counter
 * @param slaveKind {@code IFLA_INFO_SLAVE_KIND}, e.g. {@code bridge} for a bridge port
 * @param bridgePort the bridge-port settings, when this link is a bridge port
 * @param vlanFiltering for a bridge: whether VLAN filtering is on
 * @param vlanId for a vlan link: its VLAN id
 */
public record Link(int index, String name, Optional<String> kind, int mtu, Optional<MacAddress> mac, int flags,
        OperState operState, OptionalInt masterIndex, OptionalInt parentIndex, OptionalInt linkNetnsId,
        int txQueueLen, int promiscuity, Optional<String> slaveKind, Optional<BridgePort> bridgePort,
        Optional<Boolean> vlanFiltering, OptionalInt vlanId) {

    /** {@code IFF_UP}. */
    public static final int IFF_UP = 0x1;
    /** {@code IFF_LOOPBACK}. */
    public static final int IFF_LOOPBACK = 0x8;
    /** {@code IFF_RUNNING}. */
    public static final int IFF_RUNNING = 0x40;
    /** {@code IFF_PROMISC}. */
    public static final int IFF_PROMISC = 0x100;
    /** {@code IFF_ALLMULTI}. */
    public static final int IFF_ALLMULTI = 0x200;
    /** {@code IFF_LOWER_UP}. */
    public static final int IFF_LOWER_UP = 0x10000;

    /**
     * Null checks.
     *
     * @param index index
     * @param name name
     * @param kind kind
     * @param mtu mtu
     * @param mac mac
     * @param flags flags
     * @param operState operState
     * @param masterIndex masterIndex
     * @param parentIndex parentIndex
     * @param linkNetnsId linkNetnsId
     * @param txQueueLen txQueueLen
     * @param promiscuity promiscuity
     * @param slaveKind slaveKind
     * @param bridgePort bridgePort
     * @param vlanFiltering vlanFiltering
     * @param vlanId vlanId
     */
    public Link {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(operState, "operState");
        Objects.requireNonNull(masterIndex, "masterIndex");
        Objects.requireNonNull(parentIndex, "parentIndex");
        Objects.requireNonNull(linkNetnsId, "linkNetnsId");
        Objects.requireNonNull(slaveKind, "slaveKind");
        Objects.requireNonNull(bridgePort, "bridgePort");
        Objects.requireNonNull(vlanFiltering, "vlanFiltering");
        Objects.requireNonNull(vlanId, "vlanId");
    }

    /**

     * @return true when administratively up ({@code IFF_UP})

     */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /**

     * @return true when the {@code IFF_PROMISC} flag is set

     */
    public boolean isPromisc() {
        return (flags & IFF_PROMISC) != 0;
    }

    /**

     * @return for a veth, the peer's interface index ({@code IFLA_LINK}); empty for other kinds

     */
    public OptionalInt peerIndex() {
        return kind.filter("veth"::equals).isPresent() ? parentIndex : OptionalInt.empty();
    }
}
