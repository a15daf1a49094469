package dev.jcni.netlink.route;

import dev.jcni.netns.NetNs;
import dev.jcni.sdk.types.MacAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@link NetlinkHandle#linkAdd(LinkSpec)} creates: a veth pair, bridge, vlan, dummy, ifb or
 * macvlan, with optional MTU, MAC address, namespace and master. Immutable; each {@code with*}
 * method returns a changed copy.
 *
 * <pre>{@code
 * LinkSpec.veth("eth0", "veth1a2b3c4d").withMtu(1450).withPeerNamespace(hostNs)
 * LinkSpec.bridge("cni0").withVlanFiltering(true)
 * }</pre>
 */
public final class LinkSpec {
    /** macvlan mode {@code private}. */
    public static final int MACVLAN_MODE_PRIVATE = 1;
    /** macvlan mode {@code vepa}. */
    public static final int MACVLAN_MODE_VEPA = 2;
    /** macvlan mode {@code bridge}. */
    public static final int MACVLAN_MODE_BRIDGE = 4;
    /** macvlan mode {@code passthru}. */
    public static final int MACVLAN_MODE_PASSTHRU = 8;

    final String kind;
    final String name;
    final int mtu;
    final MacAddress mac;
    final NetNs namespace;
    final int masterIndex;
    final int txQueueLen;
    final boolean up;
    final String peerName;
    final int peerMtu;
    final MacAddress peerMac;
    final NetNs peerNamespace;
    final int parentIndex;
    final int vlanId;
    final int macvlanMode;
    final Boolean vlanFiltering;

    private LinkSpec(String kind, String name, int mtu, MacAddress mac, NetNs namespace, int masterIndex,
            int txQueueLen, boolean up, String peerName, int peerMtu, MacAddress peerMac, NetNs peerNamespace,
            int parentIndex, int vlanId, int macvlanMode, Boolean vlanFiltering) {
        this.kind = kind;
        this.name = checkName(name);
        this.mtu = mtu;
        this.mac = mac;
        this.namespace = namespace;
        this.masterIndex = masterIndex;
        this.txQueueLen = txQueueLen;
        this.up = up;
        this.peerName = peerName == null ? null : checkName(peerName);
        this.peerMtu = peerMtu;
        this.peerMac = peerMac;
        this.peerNamespace = peerNamespace;
        this.parentIndex = parentIndex;
        this.vlanId = vlanId;
        this.macvlanMode = macvlanMode;
        this.vlanFiltering = vlanFiltering;
    }

    /**
     * A random host-side veth name as the Go plugins make them (Go: {@code ip.RandomVethName}):
     * {@code veth} and 8 hex digits, from the kernel's random source ({@code /dev/urandom}, as Go's
     * {@code crypto/rand}). {@link java.security.SecureRandom} is not used where the device can be
     * read: setting up its providers is about a tenth of a cold plugin's start-up.
     *
     * @return e.g. {@code veth1a2b3c4d}
     */
    public static String randomVethName() {
        return "veth" + hex8(randomInt());
    }

    /** The device the random bits come from. */
    static final String URANDOM = "/dev/urandom";

    static int randomInt() {
        byte[] b = new byte[4];
        try (java.io.FileInputStream in = new java.io.FileInputStream(URANDOM)) {
            int n = 0;
            while (n < b.length) {
                int r = in.read(b, n, b.length - n);
                if (r < 0) {
                    throw new java.io.EOFException(URANDOM);
                }
                n += r;
            }
        } catch (java.io.IOException e) {
            return FallbackRandom.RANDOM.nextInt();
        }
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    /** Eight lower-case hex digits, zero-padded. */
    static String hex8(int v) {
        char[] c = new char[8];
        for (int i = 7; i >= 0; i--) {
            c[i] = Character.forDigit(v & 0xf, 16);
            v >>>= 4;
        }
        return new String(c);
    }

    /** Only where {@code /dev/urandom} cannot be read (made on first use). */
    private static final class FallbackRandom {
        static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    }

    private static LinkSpec base(String kind, String name) {
        return new LinkSpec(kind, name, 0, null, null, 0, -1, false, null, 0, null, null, 0, 0, 0, null);
    }

    /**
     * A veth pair (Go: {@code netlink.Veth}).
     *
     * @param name this end's name
     * @param peerName the other end's name
     * @return the spec
     */
    public static LinkSpec veth(String name, String peerName) {
        LinkSpec s = base("veth", name);
        return new LinkSpec(s.kind, s.name, 0, null, null, 0, -1, false, Objects.requireNonNull(peerName, "peerName"),
                0, null, null, 0, 0, 0, null);
    }

    /**
     * A bridge (Go: {@code netlink.Bridge}).
     *
     * @param name the name
     * @return the spec
     */
    public static LinkSpec bridge(String name) {
        return base("bridge", name);
    }

    /**
     * A dummy device.
     *
     * @param name the name
     * @return the spec
     */
    public static LinkSpec dummy(String name) {
        return base("dummy", name);
    }

    /**
     * An intermediate functional block device ({@code ifb}, Go: {@code netlink.Ifb}): traffic
     * redirected to it by a {@code mirred} action passes its root qdisc, which is how ingress
     * traffic of another link is shaped.
     *
     * @param name the name
     * @return the spec
     */
    public static LinkSpec ifb(String name) {
        return base("ifb", name);
    }

    /**
     * An 802.1Q vlan device on a parent link (Go: {@code netlink.Vlan}).
     *
     * @param name the name
     * @param parentIndex the parent's index
     * @param vlanId 0..4094
     * @return the spec
     */
    public static LinkSpec vlan(String name, int parentIndex, int vlanId) {
        if (vlanId < 0 || vlanId > 4094) {
            throw new IllegalArgumentException("VLAN id must be 0..4094, not " + vlanId);
        }
        return base("vlan", name).copy(parentIndex, vlanId, 0);
    }

    /**
     * A macvlan device on a parent link (Go: {@code netlink.Macvlan}).
     *
     * @param name the name
     * @param parentIndex the parent's index
     * @param mode one of the {@code MACVLAN_MODE_*} constants
     * @return the spec
     */
    public static LinkSpec macvlan(String name, int parentIndex, int mode) {
        return base("macvlan", name).copy(parentIndex, 0, mode);
    }

    private LinkSpec copy(int parent, int vid, int mode) {
        return new LinkSpec(kind, name, mtu, mac, namespace, masterIndex, txQueueLen, up, peerName, peerMtu, peerMac,
                peerNamespace, parent, vid, mode, vlanFiltering);
    }

    /**
     * @param mtu the MTU (for a veth: both ends, unless {@link #withPeerMtu} says otherwise)
     * @return a copy with the MTU
     */
    public LinkSpec withMtu(int mtu) {
        return new LinkSpec(kind, name, positive(mtu, "mtu"), mac, namespace, masterIndex, txQueueLen, up, peerName,
                peerMtu, peerMac, peerNamespace, parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param mac the hardware address of this end
     * @return a copy with it
     */
    public LinkSpec withMac(MacAddress mac) {
        return new LinkSpec(kind, name, mtu, Objects.requireNonNull(mac), namespace, masterIndex, txQueueLen, up,
                peerName, peerMtu, peerMac, peerNamespace, parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param ns the namespace to create this end in ({@code IFLA_NET_NS_FD}); the handle must stay open until linkAdd returns
     * @return a copy with it
     */
    public LinkSpec withNamespace(NetNs ns) {
        return new LinkSpec(kind, name, mtu, mac, Objects.requireNonNull(ns), masterIndex, txQueueLen, up, peerName,
                peerMtu, peerMac, peerNamespace, parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param masterIndex the bridge (or other master) to enslave the new link to
     * @return a copy with it
     */
    public LinkSpec withMaster(int masterIndex) {
        return new LinkSpec(kind, name, mtu, mac, namespace, positive(masterIndex, "master index"), txQueueLen, up,
                peerName, peerMtu, peerMac, peerNamespace, parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param txQueueLen the transmit queue length
     * @return a copy with it
     */
    public LinkSpec withTxQueueLen(int txQueueLen) {
        if (txQueueLen < 0) {
            throw new IllegalArgumentException("txqueuelen must be >= 0");
        }
        return new LinkSpec(kind, name, mtu, mac, namespace, masterIndex, txQueueLen, up, peerName, peerMtu, peerMac,
                peerNamespace, parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param up create the link administratively up
     * @return a copy with it
     */
    public LinkSpec withUp(boolean up) {
        return new LinkSpec(kind, name, mtu, mac, namespace, masterIndex, txQueueLen, up, peerName, peerMtu, peerMac,
                peerNamespace, parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param peerMtu the MTU of the veth peer
     * @return a copy with it
     */
    public LinkSpec withPeerMtu(int peerMtu) {
        requireVeth();
        return new LinkSpec(kind, name, mtu, mac, namespace, masterIndex, txQueueLen, up, peerName,
                positive(peerMtu, "peer mtu"), peerMac, peerNamespace, parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param peerMac the hardware address of the veth peer
     * @return a copy with it
     */
    public LinkSpec withPeerMac(MacAddress peerMac) {
        requireVeth();
        return new LinkSpec(kind, name, mtu, mac, namespace, masterIndex, txQueueLen, up, peerName, peerMtu,
                Objects.requireNonNull(peerMac), peerNamespace, parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param peerNamespace the namespace the veth peer is created in directly (IFLA_NET_NS_FD on the peer)
     * @return a copy with it
     */
    public LinkSpec withPeerNamespace(NetNs peerNamespace) {
        requireVeth();
        return new LinkSpec(kind, name, mtu, mac, namespace, masterIndex, txQueueLen, up, peerName, peerMtu, peerMac,
                Objects.requireNonNull(peerNamespace), parentIndex, vlanId, macvlanMode, vlanFiltering);
    }

    /**
     * @param on VLAN filtering of a bridge ({@code IFLA_BR_VLAN_FILTERING})
     * @return a copy with it
     */
    public LinkSpec withVlanFiltering(boolean on) {
        if (!kind.equals("bridge")) {
            throw new IllegalStateException("vlan_filtering applies to bridges, not " + kind);
        }
        return new LinkSpec(kind, name, mtu, mac, namespace, masterIndex, txQueueLen, up, peerName, peerMtu, peerMac,
                peerNamespace, parentIndex, vlanId, macvlanMode, on);
    }

    /**

     * @return the link kind: veth, bridge, dummy, ifb, vlan, macvlan

     */
    public String kind() {
        return kind;
    }

    /**

     * @return the name

     */
    public String name() {
        return name;
    }

    /**

     * @return the veth peer's name, for a veth

     */
    public Optional<String> peerName() {
        return Optional.ofNullable(peerName);
    }

    /**

     * @return the MTU, when set

     */
    public OptionalInt mtu() {
        return mtu > 0 ? OptionalInt.of(mtu) : OptionalInt.empty();
    }

    /**

     * @return the MAC address, when set

     */
    public Optional<MacAddress> mac() {
        return Optional.ofNullable(mac);
    }

    private void requireVeth() {
        if (!kind.equals("veth")) {
            throw new IllegalStateException("peer settings apply to veth pairs, not " + kind);
        }
    }

    private static int positive(int v, String what) {
        if (v <= 0) {
            throw new IllegalArgumentException(what + " must be positive, not " + v);
        }
        return v;
    }

    static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > 15 || name.indexOf('/') >= 0 || hasWhitespace(name)
                || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid interface name \"" + name + "\": 1..15 bytes, no '/' or spaces");
        }
        return name;
    }

    @Override
    public String toString() {
        return "LinkSpec[" + kind + " " + name + (peerName != null ? " peer " + peerName : "") + "]";
    }

    /** {@link Character#isWhitespace} anywhere (a loop, not a stream: a cold plugin links each lambda it meets). */
    private static boolean hasWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }
}
