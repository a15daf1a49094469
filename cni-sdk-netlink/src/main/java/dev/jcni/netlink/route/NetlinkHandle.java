package dev.jcni.netlink.route;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.LinkNotFoundException;
import dev.jcni.netlink.MessageBuilder;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.netlink.NetlinkSocket;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.internal.Phases;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.MacAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Typed rtnetlink operations on one network namespace (Go: {@code netlink.Handle}, made with
 * {@code netlink.NewHandleAt(ns)}). The handle owns a {@link NetlinkSocket} opened in that
 * namespace, so the calling thread never has to enter it, and it can be used from any thread.
 *
 * <pre>{@code
 * try (NetNs container = NetNs.get("/var/run/netns/c1");
 *      NetNs host = NetNs.current();
 *      NetlinkHandle nl = NetlinkHandle.openAt(container)) {
 *     nl.linkAdd(LinkSpec.veth("eth0", "veth1a2b3c4d").withMtu(1450).withPeerNamespace(host));
 *     Link eth0 = nl.linkByName("eth0");
 *     nl.addrAdd(Address.of(eth0.index(), IpPrefix.parse("10.1.2.3/24")));
 *     nl.linkSetUp(eth0.index());
 *     nl.routeAdd(NetlinkRoute.builder().family(Family.V4).gateway(Ip.parse("10.1.2.1")).build());
 * }
 * }</pre>
 *
 * <p>Names follow vishvananda/netlink: {@code linkAdd}, {@code linkByName}, {@code addrAdd},
 * {@code routeAdd}, ... Every failure is a {@link NetlinkException} carrying the errno (compare
 * with {@link Errno}) and the kernel's extended-ack text; a missing link is a
 * {@link LinkNotFoundException}.
 */
public final class NetlinkHandle implements AutoCloseable {
    /** Poll interval of {@link #settleAddresses} and {@link #waitOperUp}, as Go's {@code SETTLE_INTERVAL}. */
    public static final Duration SETTLE_INTERVAL = Duration.ofMillis(50);

    private final NetlinkSocket socket;

    private NetlinkHandle(NetlinkSocket socket) {
        this.socket = socket;
    }

    /**
     * A handle on the calling thread's current network namespace (Go: {@code netlink.NewHandle}).
     *
     * @return the handle; close it
     */
    public static NetlinkHandle open() {
        return new NetlinkHandle(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
    }

    /**
     * A handle on another network namespace (Go: {@code netlink.NewHandleAt}); the caller stays where it is.
     *
     * @param ns the namespace
     * @return the handle; close it
     */
    public static NetlinkHandle openAt(NetNs ns) {
        return new NetlinkHandle(NetlinkSocket.openAt(NetlinkSocket.NETLINK_ROUTE, ns));
    }

    /**

     * @return the underlying socket, for requests this class does not type

     */
    public NetlinkSocket socket() {
        return socket;
    }

    /** Closes the socket. */
    @Override
    public void close() {
        socket.close();
    }

    // ---------------------------------------------------------------- links

    /**
     * Creates a link (Go: {@code LinkAdd}). For a veth, {@link LinkSpec#withPeerNamespace} puts the
     * peer straight into another namespace.
     *
     * @param spec what to create
     * @throws NetlinkException e.g. {@code EEXIST} when the name is taken, {@code EOPNOTSUPP} when
     *     the kernel lacks the link type
     */
    public void linkAdd(LinkSpec spec) {
        // the namespaces' descriptors stay open until the kernel has them, even if closed meanwhile
        try (NetNs.Hold a = holdOrNull(spec.namespace); NetNs.Hold b = holdOrNull(spec.peerNamespace)) {
            socket.request(Requests.linkAdd(spec), "RTM_NEWLINK " + spec.kind() + " \"" + spec.name() + "\"");
        }
    }

    private static NetNs.Hold holdOrNull(NetNs ns) {
        return ns == null ? null : ns.hold();
    }

    /**
     * Creates a bridge unless a link of that name exists (EEXIST tolerated), then returns it.
     *
     * @param spec a bridge spec
     * @return the bridge
     * @throws NetlinkException when a link of that name exists and is not a bridge
     */
    public Link ensureBridge(LinkSpec spec) {
        if (!spec.kind().equals("bridge")) {
            throw new IllegalArgumentException("ensureBridge needs a bridge spec, not " + spec.kind());
        }
        try {
            linkAdd(spec);
        } catch (NetlinkException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
        Link br = linkByName(spec.name());
        if (!br.kind().orElse("").equals("bridge")) {
            throw NetlinkException.of("ensureBridge", Errno.EEXIST, "link \"" + spec.name() + "\" exists and is a "
                    + br.kind().orElse("device") + ", not a bridge");
        }
        return br;
    }

    /**
     * Deletes a link by index (Go: {@code LinkDel}); deleting one end of a veth deletes both.
     *
     * @param index the interface index
     * @throws NetlinkException {@code ENODEV} when there is no such link
     */
    public void linkDel(int index) {
        socket.request(Requests.linkDel(index), "RTM_DELLINK " + index);
    }

    /**
     * Deletes a link by name.
     *
     * @param name the name
     * @throws LinkNotFoundException when there is no such link
     */
    public void linkDel(String name) {
        linkDel(linkByName(name).index());
    }

    /**
     * Looks a link up by name (Go: {@code LinkByName}).
     *
     * @param name the name
     * @return the link
     * @throws LinkNotFoundException when there is none
     */
    public Link linkByName(String name) {
        Optional<Link> l = findLinkByName(name);
        if (l.isEmpty()) {
            throw new LinkNotFoundException(name);
        }
        return l.get();
    }

    /**
     * Looks a link up by name.
     *
     * @param name the name
     * @return the link, or empty when there is none
     */
    public Optional<Link> findLinkByName(String name) {
        LinkSpec.checkName(name);
        return single(Requests.linkGetByName(name), "RTM_GETLINK \"" + name + "\"");
    }

    /**
     * Looks a link up by index (Go: {@code LinkByIndex}).
     *
     * @param index the index
     * @return the link
     * @throws LinkNotFoundException when there is none
     */
    public Link linkByIndex(int index) {
        Optional<Link> l = findLinkByIndex(index);
        if (l.isEmpty()) {
            throw new LinkNotFoundException("index " + index);
        }
        return l.get();
    }

    /**
     * Looks a link up by index.
     *
     * @param index the index
     * @return the link, or empty when there is none
     */
    public Optional<Link> findLinkByIndex(int index) {
        return single(Requests.linkGetByIndex(index), "RTM_GETLINK " + index);
    }

    private Optional<Link> single(MessageBuilder req, String op) {
        try {
            for (NetlinkMessage m : socket.request(req, op)) {
                if (m.type() == Rt.RTM_NEWLINK) {
                    return Optional.of(Decode.link(m));
                }
            }
            return Optional.empty();
        } catch (NetlinkException e) {
            if (e.errno() == Errno.ENODEV) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Every link of the namespace (Go: {@code LinkList}).
     *
     * @return the links, by index
     */
    public List<Link> linkList() {
        List<Link> out = new ArrayList<>();
        for (NetlinkMessage m : socket.dump(Requests.linkDump(), "RTM_GETLINK dump")) {
            if (m.type() == Rt.RTM_NEWLINK) {
                out.add(Decode.link(m));
            }
        }
        return out;
    }

    /**
     * Sets a link administratively up (Go: {@code LinkSetUp}).
     *
     * @param index the interface index
     */
    public void linkSetUp(int index) {
        socket.request(Requests.linkSetFlags(index, Rt.IFF_UP, Rt.IFF_UP), "RTM_SETLINK " + index + " up");
    }

    /**
     * Sets a link administratively down (Go: {@code LinkSetDown}).
     *
     * @param index the interface index
     */
    public void linkSetDown(int index) {
        socket.request(Requests.linkSetFlags(index, 0, Rt.IFF_UP), "RTM_SETLINK " + index + " down");
    }

    /**
     * Sets the MTU (Go: {@code LinkSetMTU}).
     *
     * @param index the interface index
     * @param mtu the MTU
     */
    public void linkSetMtu(int index, int mtu) {
        socket.request(Requests.linkSetU32(index, Rt.IFLA_MTU, mtu), "RTM_SETLINK " + index + " mtu " + mtu);
    }

    /**
     * Sets the hardware address (Go: {@code LinkSetHardwareAddr}).
     *
     * @param index the interface index
     * @param mac the address
     */
    public void linkSetHardwareAddr(int index, MacAddress mac) {
        socket.request(Requests.linkSetBytes(index, Rt.IFLA_ADDRESS, mac.bytes()), "RTM_SETLINK " + index
                + " address " + mac);
    }

    /**
     * Enslaves a link to a master, e.g. a bridge (Go: {@code LinkSetMasterByIndex}).
     *
     * @param index the interface index
     * @param masterIndex the master's index
     */
    public void linkSetMaster(int index, int masterIndex) {
        socket.request(Requests.linkSetU32(index, Rt.IFLA_MASTER, masterIndex), "RTM_SETLINK " + index + " master "
                + masterIndex);
    }

    /**
     * Releases a link from its master (Go: {@code LinkSetNoMaster}).
     *
     * @param index the interface index
     */
    public void linkSetNoMaster(int index) {
        socket.request(Requests.linkSetU32(index, Rt.IFLA_MASTER, 0), "RTM_SETLINK " + index + " nomaster");
    }

    /**
     * Moves a link into another namespace (Go: {@code LinkSetNsFd}); its index may change there.
     *
     * @param index the interface index
     * @param ns the target namespace
     */
    public void linkSetNs(int index, NetNs ns) {
        try (NetNs.Hold fd = ns.hold()) {
            socket.request(Requests.linkSetU32(index, Rt.IFLA_NET_NS_FD, fd.fd()), "RTM_SETLINK " + index + " netns "
                    + ns.path());
        }
    }

    /**
     * Renames a link; it must be down (Go: {@code LinkSetName}).
     *
     * @param index the interface index
     * @param name the new name
     */
    public void linkSetName(int index, String name) {
        socket.request(Requests.linkSetName(index, LinkSpec.checkName(name)), "RTM_SETLINK " + index + " name \""
                + name + "\"");
    }

    /**
     * Sets or clears promiscuous mode (Go: {@code SetPromiscOn/Off}).
     *
     * @param index the interface index
     * @param on promiscuous or not
     */
    public void linkSetPromisc(int index, boolean on) {
        socket.request(Requests.linkSetFlags(index, on ? Rt.IFF_PROMISC : 0, Rt.IFF_PROMISC), "RTM_SETLINK " + index
                + " promisc " + (on ? "on" : "off"));
    }

    /**
     * Sets or clears all-multicast mode (Go: {@code LinkSetAllmulticastOn/Off}).
     *
     * @param index the interface index
     * @param on all-multicast or not
     */
    public void linkSetAllmulti(int index, boolean on) {
        socket.request(Requests.linkSetFlags(index, on ? Rt.IFF_ALLMULTI : 0, Rt.IFF_ALLMULTI), "RTM_SETLINK " + index
                + " allmulticast " + (on ? "on" : "off"));
    }

    /**
     * Sets the transmit queue length (Go: {@code LinkSetTxQLen}).
     *
     * @param index the interface index
     * @param txQueueLen the length
     */
    public void linkSetTxQueueLen(int index, int txQueueLen) {
        socket.request(Requests.linkSetU32(index, Rt.IFLA_TXQLEN, txQueueLen), "RTM_SETLINK " + index + " txqueuelen " + txQueueLen);
    }

    /**
     * Sets a bridge port's hairpin mode (Go: {@code LinkSetHairpin}).
     *
     * @param index the bridge port's index
     * @param on hairpin or not
     */
    public void linkSetHairpin(int index, boolean on) {
        bridgePortFlag(index, Rt.IFLA_BRPORT_MODE, on, "hairpin");
    }

    /**
     * Sets a bridge port's isolation (Go: {@code LinkSetIsolated}).
     *
     * @param index the bridge port's index
     * @param on isolated or not
     */
    public void linkSetIsolated(int index, boolean on) {
        bridgePortFlag(index, Rt.IFLA_BRPORT_ISOLATED, on, "isolated");
    }

    /**
     * Sets a bridge port's MAC learning (Go: {@code LinkSetLearning}).
     *
     * @param index the bridge port's index
     * @param on learning or not
     */
    public void linkSetLearning(int index, boolean on) {
        bridgePortFlag(index, Rt.IFLA_BRPORT_LEARNING, on, "learning");
    }

    private void bridgePortFlag(int index, int attr, boolean on, String what) {
        socket.request(Requests.bridgePortFlag(index, attr, on), "RTM_SETLINK AF_BRIDGE " + index + " " + what + " "
                + (on ? "on" : "off"));
    }

    /**
     * Waits until a link's operational state is UP, polling every {@link #SETTLE_INTERVAL}.
     *
     * @param index the interface index
     * @param timeout how long to wait
     * @return the link once up
     * @throws NetlinkException {@code ETIMEDOUT} naming the last state when the timeout passes
     */
    public Link waitOperUp(int index, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Link l = linkByIndex(index);
            if (l.operState() == OperState.UP) {
                return l;
            }
            if (System.nanoTime() - deadline > 0) {
                throw NetlinkException.of("waitOperUp", Errno.ETIMEDOUT, "link " + l.name() + " operstate is "
                        + l.operState() + " after " + timeout.toMillis() + " ms");
            }
            sleep();
        }
    }

    // ---------------------------------------------------------------- bridge VLANs

    /**
     * Adds a VLAN to a bridge port or bridge (Go: {@code BridgeVlanAdd}).
     *
     * @param index the port (or, with {@code self}, the bridge itself)
     * @param vid the VLAN id, 1..4094
     * @param pvid make it the port's PVID
     * @param untagged egress untagged
     * @param self apply to the device itself ({@code BRIDGE_FLAGS_SELF})
     * @param master apply through the master bridge ({@code BRIDGE_FLAGS_MASTER})
     * @throws NetlinkException e.g. {@code EOPNOTSUPP} when the kernel lacks VLAN filtering
     */
    public void bridgeVlanAdd(int index, int vid, boolean pvid, boolean untagged, boolean self, boolean master) {
        new BridgeVlan(vid, pvid, untagged);
        socket.request(Requests.bridgeVlan(true, index, vid, pvid, untagged, self, master), "RTM_SETLINK AF_BRIDGE "
                + index + " vlan add " + vid);
    }

    /**
     * Deletes a VLAN from a bridge port or bridge (Go: {@code BridgeVlanDel}).
     *
     * @param index the port (or bridge with {@code self})
     * @param vid the VLAN id
     * @param self apply to the device itself
     * @param master apply through the master bridge
     */
    public void bridgeVlanDel(int index, int vid, boolean self, boolean master) {
        new BridgeVlan(vid, false, false);
        socket.request(Requests.bridgeVlan(false, index, vid, false, false, self, master), "RTM_DELLINK AF_BRIDGE "
                + index + " vlan del " + vid);
    }

    /**
     * Every bridge VLAN entry of the namespace, by interface index (Go: {@code BridgeVlanList}).
     *
     * @return index → VLAN entries (links without entries are left out)
     */
    public Map<Integer, List<BridgeVlan>> bridgeVlanList() {
        Map<Integer, List<BridgeVlan>> out = new LinkedHashMap<>();
        for (NetlinkMessage m : socket.dump(Requests.bridgeVlanDump(), "RTM_GETLINK AF_BRIDGE dump")) {
            if (m.type() != Rt.RTM_NEWLINK) {
                continue;
            }
            List<BridgeVlan> v = Decode.bridgeVlans(m);
            if (!v.isEmpty()) {
                out.put(m.u32(4), Collections.unmodifiableList(v));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    // ---------------------------------------------------------------- addresses

    /**
     * Adds an address (Go: {@code AddrAdd}); fails with {@code EEXIST} when present. For IPv4
     * without an explicit broadcast, the broadcast address is computed from the prefix (below /31).
     *
     * @param address the address
     */
    public void addrAdd(Address address) {
        socket.request(Requests.addrAdd(address, false), "RTM_NEWADDR " + address.prefix() + " dev "
                + address.linkIndex());
    }

    /**
     * Adds or replaces an address (Go: {@code AddrReplace}).
     *
     * @param address the address
     */
    public void addrReplace(Address address) {
        socket.request(Requests.addrAdd(address, true), "RTM_NEWADDR(replace) " + address.prefix() + " dev "
                + address.linkIndex());
    }

    /**
     * Deletes an address (Go: {@code AddrDel}).
     *
     * @param address the address (link index and prefix are what count)
     * @throws NetlinkException {@code EADDRNOTAVAIL} when it is not there
     */
    public void addrDel(Address address) {
        socket.request(Requests.addrDel(address), "RTM_DELADDR " + address.prefix() + " dev " + address.linkIndex());
    }

    /**
     * The addresses of a link, or of every link (Go: {@code AddrList}).
     *
     * @param linkIndex the interface index, or 0 for all links
     * @param family {@link Family#ALL}, {@link Family#V4} or {@link Family#V6}
     * @return the addresses
     */
    public List<Address> addrList(int linkIndex, int family) {
        List<Address> out = new ArrayList<>();
        for (NetlinkMessage m : socket.dump(Requests.addrDump(family), "RTM_GETADDR dump")) {
            if (m.type() != Rt.RTM_NEWADDR) {
                continue;
            }
            Address a = Decode.address(m);
            if ((linkIndex == 0 || a.linkIndex() == linkIndex) && (family == Family.ALL || family == Family.of(
                    a.prefix().address()))) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Waits until no IPv6 address of a link is tentative (duplicate address detection done), polling
     * every {@link #SETTLE_INTERVAL} (Go: {@code ip.SettleAddresses} at HEAD). The one DAD wait of
     * jcni: the plugins configure container interfaces through it.
     *
     * @param linkName the link
     * @param timeout how long to wait
     * @throws NetlinkException {@code link X has address Y in DADFAILED state} at once when DAD
     *     failed; {@code link X still has tentative addresses after N seconds} at the timeout, but only
     *     while the link is operationally up (a link that is down never finishes DAD: the wait ends
     *     without error, as Go's)
     * @throws LinkNotFoundException when there is no such link
     */
    public void settleAddresses(String linkName, Duration timeout) {
        Link link = linkByName(linkName);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean settled = true;
            for (Address a : addrList(link.index(), Family.V6)) {
                if (a.isDadFailed()) {
                    throw NetlinkException.of("settleAddresses", Errno.EADDRNOTAVAIL, "link " + linkName
                            + " has address " + Ip.format(a.prefix().address()) + " in DADFAILED state");
                }
                if (a.isTentative()) {
                    settled = false;
                }
            }
            if (settled) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                if (linkByIndex(link.index()).operState() != OperState.UP) {
                    return;
                }
                throw NetlinkException.of("settleAddresses", Errno.ETIMEDOUT, "link " + linkName
                        + " still has tentative addresses after " + timeout.toSeconds() + " seconds");
            }
            sleep();
        }
    }

    // ---------------------------------------------------------------- routes

    /**
     * Adds a route (Go: {@code RouteAdd}); {@code EEXIST} when an equal route exists.
     *
     * @param route the route
     */
    public void routeAdd(NetlinkRoute route) {
        socket.request(Requests.route(Requests.RouteOp.ADD, route), "RTM_NEWROUTE " + route);
    }

    /**
     * Appends a route (Go: {@code RouteAppend}, {@code NLM_F_APPEND}): for IPv6 a second route to the
     * same destination becomes another next hop (ECMP); for IPv4 another route is added after it.
     *
     * @param route the route
     */
    public void routeAppend(NetlinkRoute route) {
        socket.request(Requests.route(Requests.RouteOp.APPEND, route), "RTM_NEWROUTE(append) " + route);
    }

    /**
     * Adds or replaces a route (Go: {@code RouteReplace}).
     *
     * @param route the route
     */
    public void routeReplace(NetlinkRoute route) {
        socket.request(Requests.route(Requests.RouteOp.REPLACE, route), "RTM_NEWROUTE(replace) " + route);
    }

    /**
     * Deletes a route (Go: {@code RouteDel}). Destination, gateway, source, interface, table and
     * priority are matched; protocol, type and metrics (mtu, advmss) are not, and the scope only
     * when it is not universe, as with {@code ip route del}.
     *
     * @param route the route
     * @throws NetlinkException {@code ESRCH} when no route matches
     */
    public void routeDel(NetlinkRoute route) {
        socket.request(Requests.route(Requests.RouteOp.DELETE, route), "RTM_DELROUTE " + route);
    }

    /**
     * The routes of the main table (Go: {@code RouteList}), cloned cache entries left out.
     *
     * @param family {@link Family#ALL}, {@link Family#V4} or {@link Family#V6}
     * @return the routes
     */
    public List<NetlinkRoute> routeList(int family) {
        return routeList(family, NetlinkRoute.TABLE_MAIN);
    }

    /**
     * The routes of a table.
     *
     * @param family {@link Family#ALL}, {@link Family#V4} or {@link Family#V6}
     * @param table a table, or {@link NetlinkRoute#TABLE_UNSPEC} for every table
     * @return the routes
     */
    public List<NetlinkRoute> routeList(int family, int table) {
        List<NetlinkRoute> out = new ArrayList<>();
        for (NetlinkMessage m : socket.dump(Requests.routeDump(family), "RTM_GETROUTE dump")) {
            if (m.type() != Rt.RTM_NEWROUTE) {
                continue;
            }
            int fam = m.u8(0);
            if (fam != Rt.AF_INET && fam != Rt.AF_INET6) {
                continue;
            }
            NetlinkRoute r = Decode.route(m);
            if ((r.flags() & Rt.RTM_F_CLONED) != 0 || (table != NetlinkRoute.TABLE_UNSPEC && r.table() != table)) {
                continue;
            }
            out.add(r);
        }
        return out;
    }

    /**
     * Asks the kernel which route it would use to reach an address (Go: {@code RouteGet};
     * {@code ip route get}). The answer's {@link NetlinkRoute#linkIndex()} is the interface, and
     * {@link NetlinkRoute#isLocal()} tells whether the address is this host's own.
     *
     * @param destination the address
     * @return the route(s) the kernel reports
     * @throws NetlinkException e.g. {@code ENETUNREACH} when nothing reaches it
     */
    public List<NetlinkRoute> routeGet(InetAddress destination) {
        List<NetlinkRoute> out = new ArrayList<>();
        for (NetlinkMessage m : socket.request(Requests.routeGet(destination), "RTM_GETROUTE " + Ip.format(
                destination))) {
            if (m.type() == Rt.RTM_NEWROUTE) {
                out.add(Decode.route(m));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- neighbours

    /**
     * Adds a neighbour entry (Go: {@code NeighAdd}); {@code EEXIST} when present.
     *
     * @param n the entry
     */
    public void neighAdd(Neighbour n) {
        socket.request(Requests.neighAdd(n, false), "RTM_NEWNEIGH dev " + n.linkIndex());
    }

    /**
     * Adds or replaces a neighbour entry (Go: {@code NeighSet}).
     *
     * @param n the entry
     */
    public void neighSet(Neighbour n) {
        socket.request(Requests.neighAdd(n, true), "RTM_NEWNEIGH(replace) dev " + n.linkIndex());
    }

    /**
     * Deletes a neighbour entry (Go: {@code NeighDel}).
     *
     * @param n the entry (link index and IP are what count)
     */
    public void neighDel(Neighbour n) {
        socket.request(Requests.neighDel(n), "RTM_DELNEIGH dev " + n.linkIndex());
    }

    /**
     * Neighbour entries (Go: {@code NeighList}).
     *
     * @param linkIndex the interface, or 0 for all
     * @param family {@link Family#ALL}, {@link Family#V4} or {@link Family#V6}
     * @return the entries
     */
    public List<Neighbour> neighList(int linkIndex, int family) {
        List<Neighbour> out = new ArrayList<>();
        for (NetlinkMessage m : socket.dump(Requests.neighDump(family, linkIndex), "RTM_GETNEIGH dump")) {
            if (m.type() != Rt.RTM_NEWNEIGH) {
                continue;
            }
            Neighbour n = Decode.neighbour(m);
            if (linkIndex == 0 || n.linkIndex() == linkIndex) {
                out.add(n);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- traffic control

    /**
     * Adds a qdisc (Go: {@code QdiscAdd}; {@code tc qdisc add}): a root {@link Qdisc#tbf tbf} or the
     * {@link Qdisc#ingress ingress} qdisc.
     *
     * @param qdisc what to add
     * @throws IllegalArgumentException for another kind
     * @throws NetlinkException e.g. {@code EEXIST} when the link has such a qdisc already,
     *     {@code ENOENT}/{@code EOPNOTSUPP} when the kernel lacks the kind
     */
    public void qdiscAdd(Qdisc qdisc) {
        socket.request(Requests.qdiscAdd(qdisc), "RTM_NEWQDISC " + qdisc);
    }

    /**
     * Deletes a qdisc (Go: {@code QdiscDel}; {@code tc qdisc del}) by link, handle and parent; its
     * filters go with it. Deleting a root qdisc gives the link its default back.
     *
     * @param qdisc the qdisc (kind and parameters are not sent)
     * @throws NetlinkException e.g. {@code ENOENT} or {@code EINVAL} when there is no such qdisc
     */
    public void qdiscDel(Qdisc qdisc) {
        socket.request(Requests.qdiscDel(qdisc), "RTM_DELQDISC " + qdisc);
    }

    /**
     * The qdiscs of a link, or of every link (Go: {@code QdiscList}; {@code tc qdisc show}).
     *
     * @param linkIndex the link; 0 for every link
     * @return the qdiscs as the kernel lists them, root first
     */
    public List<Qdisc> qdiscList(int linkIndex) {
        List<Qdisc> out = new ArrayList<>();
        for (NetlinkMessage m : socket.dump(Requests.qdiscDump(linkIndex), "RTM_GETQDISC dump")) {
            if (m.type() == Rt.RTM_NEWQDISC) {
                Qdisc q = Decode.qdisc(m);
                if (linkIndex == 0 || q.linkIndex() == linkIndex) {
                    out.add(q);
                }
            }
        }
        return out;
    }

    /**
     * Adds a filter (Go: {@code FilterAdd}; {@code tc filter add}): a {@link TcFilter#matchAll u32
     * match-all} filter with its mirred actions.
     *
     * @param filter what to add
     * @throws IllegalArgumentException for another kind
     * @throws NetlinkException e.g. {@code EINVAL} when the parent qdisc does not exist
     */
    public void filterAdd(TcFilter filter) {
        socket.request(Requests.filterAdd(filter), "RTM_NEWTFILTER u32 dev#" + filter.linkIndex());
    }

    /**
     * The filters of a qdisc (Go: {@code FilterList}; {@code tc filter show dev X parent P}). The
     * kernel lists a u32 filter as its hash-table node (no actions) and then its key node.
     *
     * @param linkIndex the link
     * @param parent the qdisc's handle, e.g. {@code ffff:} for the ingress qdisc
     * @return the filters
     * @throws NetlinkException e.g. {@code EINVAL} when there is no such qdisc
     */
    public List<TcFilter> filterList(int linkIndex, int parent) {
        List<TcFilter> out = new ArrayList<>();
        for (NetlinkMessage m : socket.dump(Requests.filterDump(linkIndex, parent), "RTM_GETTFILTER dump")) {
            if (m.type() == Rt.RTM_NEWTFILTER) {
                out.add(Decode.filter(m));
            }
        }
        return out;
    }

    private static void sleep() {
        long t = Phases.start();
        try {
            Thread.sleep(SETTLE_INTERVAL.toMillis());
            Phases.add("wait (address settle, oper-up poll)", t);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw NetlinkException.of("wait", "interrupted while waiting", e);
        }
    }
}
