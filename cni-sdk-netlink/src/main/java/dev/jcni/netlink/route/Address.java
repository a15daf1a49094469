package dev.jcni.netlink.route;

import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * An IP address on a link (Go: {@code netlink.Addr}): what {@link NetlinkHandle#addrList} returns
 * and what {@link NetlinkHandle#addrAdd} takes.
 *
 * <pre>{@code
 * Address.of(link.index(), IpPrefix.parse("10.1.2.3/24"))
 * Address.of(link.index(), IpPrefix.parse("fd00::5/64")).withFlags(Address.IFA_F_NODAD)
 * }</pre>
 *
 * @param linkIndex the interface index
 * @param prefix the address with its prefix length
 * @param scope the scope ({@link Scope})
 * @param flags {@code IFA_F_*} flags
 * @param label the IPv4 label, when set
 * @param broadcast the IPv4 broadcast address; when adding, empty means computed from the prefix (as Go does)
 * @param validLifetime seconds, {@code 0xffffffff} for forever (read only)
 * @param preferredLifetime seconds, {@code 0xffffffff} for forever (read only)
 */
public record Address(int linkIndex, IpPrefix prefix, int scope, int flags, Optional<String> label,
        Optional<InetAddress> broadcast, long validLifetime, long preferredLifetime) {

    /** {@code IFA_F_SECONDARY}. */
    public static final int IFA_F_SECONDARY = 0x01;
    /** {@code IFA_F_NODAD}: no duplicate address detection. */
    public static final int IFA_F_NODAD = 0x02;
    /** {@code IFA_F_OPTIMISTIC}. */
    public static final int IFA_F_OPTIMISTIC = 0x04;
    /** {@code IFA_F_DADFAILED}. */
    public static final int IFA_F_DADFAILED = 0x08;
    /** {@code IFA_F_HOMEADDRESS}. */
    public static final int IFA_F_HOMEADDRESS = 0x10;
    /** {@code IFA_F_DEPRECATED}. */
    public static final int IFA_F_DEPRECATED = 0x20;
    /** {@code IFA_F_TENTATIVE}: duplicate address detection still running. */
    public static final int IFA_F_TENTATIVE = 0x40;
    /** {@code IFA_F_PERMANENT}. */
    public static final int IFA_F_PERMANENT = 0x80;
    /** {@code IFA_F_MANAGETEMPADDR}. */
    public static final int IFA_F_MANAGETEMPADDR = 0x100;
    /** {@code IFA_F_NOPREFIXROUTE}: no prefix route for this address. */
    public static final int IFA_F_NOPREFIXROUTE = 0x200;
    /** Forever, for lifetimes. */
    public static final long FOREVER = 0xffffffffL;

    /**
     * Null checks.
     *
     * @param linkIndex linkIndex
     * @param prefix prefix
     * @param scope scope
     * @param flags flags
     * @param label label
     * @param broadcast broadcast
     * @param validLifetime validLifetime
     * @param preferredLifetime preferredLifetime
     */
    public Address {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(broadcast, "broadcast");
    }

    /**
     * An address to add, with universe scope and no flags.
     *
     * @param linkIndex the interface index
     * @param prefix the address and prefix length
     * @return the address
     */
    public static Address of(int linkIndex, IpPrefix prefix) {
        return new Address(linkIndex, prefix, Scope.UNIVERSE, 0, Optional.empty(), Optional.empty(), FOREVER, FOREVER);
    }

    /**
     * @param flags {@code IFA_F_*} flags, e.g. {@link #IFA_F_NODAD}
     * @return a copy with these flags
     */
    public Address withFlags(int flags) {
        return new Address(linkIndex, prefix, scope, flags, label, broadcast, validLifetime, preferredLifetime);
    }

    /**
     * @param scope a {@link Scope}
     * @return a copy with this scope
     */
    public Address withScope(int scope) {
        return new Address(linkIndex, prefix, scope, flags, label, broadcast, validLifetime, preferredLifetime);
    }

    /**
     * @param label an IPv4 label (must start with the interface name)
     * @return a copy with this label
     */
    public Address withLabel(String label) {
        return new Address(linkIndex, prefix, scope, flags, Optional.of(label), broadcast, validLifetime,
                preferredLifetime);
    }

    /**
     * @param broadcast an IPv4 broadcast address
     * @return a copy with it
     */
    public Address withBroadcast(InetAddress broadcast) {
        return new Address(linkIndex, prefix, scope, flags, label, Optional.of(broadcast), validLifetime,
                preferredLifetime);
    }

    /**

     * @return true when IPv4

     */
    public boolean isIpv4() {
        return prefix.address() instanceof Inet4Address;
    }

    /**

     * @return true while duplicate address detection runs ({@code IFA_F_TENTATIVE})

     */
    public boolean isTentative() {
        return (flags & IFA_F_TENTATIVE) != 0;
    }

    /**

     * @return true when duplicate address detection failed ({@code IFA_F_DADFAILED})

     */
    public boolean isDadFailed() {
        return (flags & IFA_F_DADFAILED) != 0;
    }

    /**
     * Go's {@code net.IP.IsGlobalUnicast}: not unspecified, loopback, multicast, link-local or the
     * IPv4 limited broadcast address.
     *
     * @return true for a global unicast address
     */
    public boolean isGlobalUnicast() {
        InetAddress a = prefix.address();
        byte[] b = a.getAddress();
        boolean limitedBroadcast = b.length == 4 && (b[0] & b[1] & b[2] & b[3]) == (byte) 0xff;
        return !a.isAnyLocalAddress() && !a.isLoopbackAddress() && !a.isMulticastAddress() && !a.isLinkLocalAddress()
                && !limitedBroadcast;
    }

    /**

     * @return e.g. {@code 10.1.2.3/24 dev#4 scope universe}

     */
    @Override
    public String toString() {
        return prefix + " dev#" + linkIndex + " scope " + Scope.name(scope)
                + (flags != 0 ? " flags 0x" + Integer.toHexString(flags) : "")
                + label.map(l -> " label " + l).orElse("")
                + broadcast.map(b -> " brd " + Ip.format(b)).orElse("");
    }
}
