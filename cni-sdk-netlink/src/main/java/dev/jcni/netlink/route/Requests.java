package dev.jcni.netlink.route;

import static dev.jcni.netlink.NetlinkMessage.NLA_F_NESTED;
import static dev.jcni.netlink.NetlinkMessage.NLM_F_APPEND;
import static dev.jcni.netlink.NetlinkMessage.NLM_F_CREATE;
import static dev.jcni.netlink.NetlinkMessage.NLM_F_EXCL;
import static dev.jcni.netlink.NetlinkMessage.NLM_F_REPLACE;

import dev.jcni.netlink.MessageBuilder;
import dev.jcni.sdk.types.IpPrefix;
import java.net.InetAddress;

/**
 * Builds the rtnetlink request messages (without NLM_F_REQUEST/ACK/DUMP, which the socket adds).
 * Separate from {@link NetlinkHandle} so that their bytes can be tested without a kernel.
 */
final class Requests {
    private Requests() {
    }

    static MessageBuilder ifinfo(int type, int flags, int family, int index, int ifFlags, int change) {
        return new MessageBuilder(type, flags).u8(family).u8(0).u16(0).u32(index).u32(ifFlags).u32(change);
    }

    static MessageBuilder linkAdd(LinkSpec s) {
        int up = s.up ? Rt.IFF_UP : 0;
        MessageBuilder m = ifinfo(Rt.RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, Rt.AF_UNSPEC, 0, up, up);
        // attribute order and the unterminated IFLA_INFO_KIND follow iproute2 (and Go), so the bytes match theirs
        if (s.parentIndex > 0) {
            m.attrU32(Rt.IFLA_LINK, s.parentIndex);
        }
        m.attrString(Rt.IFLA_IFNAME, s.name);
        if (s.mtu > 0) {
            m.attrU32(Rt.IFLA_MTU, s.mtu);
        }
        if (s.mac != null) {
            m.attr(Rt.IFLA_ADDRESS, s.mac.bytes());
        }
        if (s.txQueueLen >= 0) {
            m.attrU32(Rt.IFLA_TXQLEN, s.txQueueLen);
        }
        if (s.masterIndex > 0) {
            m.attrU32(Rt.IFLA_MASTER, s.masterIndex);
        }
        if (s.namespace != null) {
            m.attrU32(Rt.IFLA_NET_NS_FD, s.namespace.fd());
        }
        m.nest(Rt.IFLA_LINKINFO).attr(Rt.IFLA_INFO_KIND, s.kind.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        switch (s.kind) {
            case "veth":
                m.nest(Rt.IFLA_INFO_DATA).nest(Rt.VETH_INFO_PEER);
                m.u8(Rt.AF_UNSPEC).u8(0).u16(0).u32(0).u32(0).u32(0);
                m.attrString(Rt.IFLA_IFNAME, s.peerName);
                int peerMtu = s.peerMtu > 0 ? s.peerMtu : s.mtu;
                if (peerMtu > 0) {
                    m.attrU32(Rt.IFLA_MTU, peerMtu);
                }
                if (s.peerMac != null) {
                    m.attr(Rt.IFLA_ADDRESS, s.peerMac.bytes());
                }
                if (s.txQueueLen >= 0) {
                    m.attrU32(Rt.IFLA_TXQLEN, s.txQueueLen);
                }
                if (s.peerNamespace != null) {
                    m.attrU32(Rt.IFLA_NET_NS_FD, s.peerNamespace.fd());
                }
                m.end().end();
                break;
            case "bridge":
                if (s.vlanFiltering != null) {
                    m.nest(Rt.IFLA_INFO_DATA).attrU8(Rt.IFLA_BR_VLAN_FILTERING, s.vlanFiltering ? 1 : 0).end();
                }
                break;
            case "vlan":
                m.nest(Rt.IFLA_INFO_DATA).attrU16(Rt.IFLA_VLAN_ID, s.vlanId).end();
                break;
            case "ifb":
                break;
            case "macvlan":
                if (s.macvlanMode != 0) {
                    m.nest(Rt.IFLA_INFO_DATA).attrU32(Rt.IFLA_MACVLAN_MODE, s.macvlanMode).end();
                }
                break;
            default:
                break;
        }
        return m.end();
    }

    static MessageBuilder linkDel(int index) {
        return ifinfo(Rt.RTM_DELLINK, 0, Rt.AF_UNSPEC, index, 0, 0);
    }

    static MessageBuilder linkGetByName(String name) {
        return ifinfo(Rt.RTM_GETLINK, 0, Rt.AF_UNSPEC, 0, 0, 0)
                .attrU32(Rt.IFLA_EXT_MASK, Rt.RTEXT_FILTER_SKIP_STATS)
                .attrString(Rt.IFLA_IFNAME, name);
    }

    static MessageBuilder linkGetByIndex(int index) {
        return ifinfo(Rt.RTM_GETLINK, 0, Rt.AF_UNSPEC, index, 0, 0)
                .attrU32(Rt.IFLA_EXT_MASK, Rt.RTEXT_FILTER_SKIP_STATS);
    }

    static MessageBuilder linkDump() {
        return ifinfo(Rt.RTM_GETLINK, 0, Rt.AF_UNSPEC, 0, 0, 0)
                .attrU32(Rt.IFLA_EXT_MASK, Rt.RTEXT_FILTER_SKIP_STATS);
    }

    static MessageBuilder linkSetFlags(int index, int ifFlags, int change) {
        return ifinfo(Rt.RTM_SETLINK, 0, Rt.AF_UNSPEC, index, ifFlags, change);
    }

    static MessageBuilder linkSetU32(int index, int attr, int value) {
        return ifinfo(Rt.RTM_SETLINK, 0, Rt.AF_UNSPEC, index, 0, 0).attrU32(attr, value);
    }

    static MessageBuilder linkSetBytes(int index, int attr, byte[] value) {
        return ifinfo(Rt.RTM_SETLINK, 0, Rt.AF_UNSPEC, index, 0, 0).attr(attr, value);
    }

    static MessageBuilder linkSetName(int index, String name) {
        return ifinfo(Rt.RTM_SETLINK, 0, Rt.AF_UNSPEC, index, 0, 0).attrString(Rt.IFLA_IFNAME, name);
    }

    /** A bridge-port flag through IFLA_PROTINFO on an AF_BRIDGE RTM_SETLINK. */
    static MessageBuilder bridgePortFlag(int index, int brportAttr, boolean on) {
        return ifinfo(Rt.RTM_SETLINK, 0, Rt.AF_BRIDGE, index, 0, 0)
                .nest(Rt.IFLA_PROTINFO | NLA_F_NESTED).attrU8(brportAttr, on ? 1 : 0).end();
    }

    static MessageBuilder bridgeVlan(boolean add, int index, int vid, boolean pvid, boolean untagged, boolean self,
            boolean master) {
        int bridgeFlags = (self ? Rt.BRIDGE_FLAGS_SELF : 0) | (master ? Rt.BRIDGE_FLAGS_MASTER : 0);
        int vinfo = (pvid ? Rt.BRIDGE_VLAN_INFO_PVID : 0) | (untagged ? Rt.BRIDGE_VLAN_INFO_UNTAGGED : 0);
        MessageBuilder m = ifinfo(add ? Rt.RTM_SETLINK : Rt.RTM_DELLINK, 0, Rt.AF_BRIDGE, index, 0, 0)
                .nest(Rt.IFLA_AF_SPEC);
        if (bridgeFlags != 0) {
            m.attrU16(Rt.IFLA_BRIDGE_FLAGS, bridgeFlags);
        }
        return m.attrU16s(Rt.IFLA_BRIDGE_VLAN_INFO, vinfo, vid).end();
    }

    static MessageBuilder bridgeVlanDump() {
        return ifinfo(Rt.RTM_GETLINK, 0, Rt.AF_BRIDGE, 0, 0, 0).attrU32(Rt.IFLA_EXT_MASK, Rt.RTEXT_FILTER_BRVLAN);
    }

    static MessageBuilder addr(int type, int flags, Address a) {
        IpPrefix p = a.prefix();
        byte[] ip = p.address().getAddress();
        int family = ip.length == 4 ? Rt.AF_INET : Rt.AF_INET6;
        MessageBuilder m = new MessageBuilder(type, flags).u8(family).u8(p.prefixLength()).u8(a.flags() & 0xff)
                .u8(a.scope()).u32(a.linkIndex());
        m.attr(Rt.IFA_LOCAL, ip);
        m.attr(Rt.IFA_ADDRESS, ip);
        if (type == Rt.RTM_NEWADDR && family == Rt.AF_INET) {
            if (a.broadcast().isPresent()) {
                m.attr(Rt.IFA_BROADCAST, a.broadcast().get().getAddress());
            } else if (p.prefixLength() < 31) {
                m.attr(Rt.IFA_BROADCAST, p.lastAddress().getAddress());
            }
        }
        if (a.label().isPresent()) {
            m.attrString(Rt.IFA_LABEL, a.label().get());
        }
        if (a.flags() > 0xff) {
            m.attrU32(Rt.IFA_FLAGS, a.flags());
        }
        return m;
    }

    static MessageBuilder addrAdd(Address a, boolean replace) {
        return addr(Rt.RTM_NEWADDR, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL), a);
    }

    static MessageBuilder addrDel(Address a) {
        return addr(Rt.RTM_DELADDR, 0, a);
    }

    static MessageBuilder addrDump(int family) {
        return new MessageBuilder(Rt.RTM_GETADDR, 0).u8(family).u8(0).u8(0).u8(0).u32(0);
    }

    enum RouteOp { ADD, APPEND, REPLACE, DELETE }

    static MessageBuilder route(RouteOp op, NetlinkRoute r) {
        int type;
        int flags;
        switch (op) {
            case ADD: type = Rt.RTM_NEWROUTE; flags = NLM_F_CREATE | NLM_F_EXCL; break;
            case APPEND: type = Rt.RTM_NEWROUTE; flags = NLM_F_CREATE | NLM_F_APPEND; break;
            case REPLACE: type = Rt.RTM_NEWROUTE; flags = NLM_F_CREATE | NLM_F_REPLACE; break;
            default: type = Rt.RTM_DELROUTE; flags = 0; break;
        }
        boolean del = op == RouteOp.DELETE;
        int table = r.table();
        MessageBuilder m = new MessageBuilder(type, flags)
                .u8(r.family())
                .u8(r.dst().isPresent() ? r.dst().get().prefixLength() : 0)
                .u8(0) // src_len
                .u8(0) // tos
                .u8(table < 256 ? table : 0)
                .u8(del ? 0 : r.protocol())
                .u8(del && r.scope() == Scope.UNIVERSE ? Scope.NOWHERE : r.scope())
                .u8(del ? 0 : r.type())
                .u32(r.flags());
        if (table >= 256) {
            m.attrU32(Rt.RTA_TABLE, table);
        }
        // plain ifs, not Optional's lambdas: a cold plugin links each lambda it meets
        if (r.dst().isPresent()) {
            m.attr(Rt.RTA_DST, r.dst().get().address().getAddress());
        }
        if (r.src().isPresent()) {
            m.attr(Rt.RTA_PREFSRC, r.src().get().getAddress());
        }
        if (r.gateway().isPresent()) {
            m.attr(Rt.RTA_GATEWAY, r.gateway().get().getAddress());
        }
        if (r.linkIndex() != 0) {
            m.attrU32(Rt.RTA_OIF, r.linkIndex());
        }
        if (r.priority() != 0) {
            m.attrU32(Rt.RTA_PRIORITY, r.priority());
        }
        if (!del && (r.mtu() != 0 || r.advmss() != 0)) {
            m.nest(Rt.RTA_METRICS);
            if (r.mtu() != 0) {
                m.attrU32(Rt.RTAX_MTU, r.mtu());
            }
            if (r.advmss() != 0) {
                m.attrU32(Rt.RTAX_ADVMSS, r.advmss());
            }
            m.end();
        }
        if (!r.nextHops().isEmpty()) {
            m.attr(Rt.RTA_MULTIPATH, multipath(r));
        }
        return m;
    }

    private static byte[] multipath(NetlinkRoute r) {
        MessageBuilder tmp = new MessageBuilder(0, 0);
        for (NextHop nh : r.nextHops()) {
            int gwLen = nh.gateway().map(g -> 4 + MessageBuilderAlign.align(g.getAddress().length)).orElse(0);
            tmp.u16(8 + gwLen).u8(nh.flags()).u8(Math.max(0, nh.weight() - 1)).u32(nh.linkIndex());
            nh.gateway().ifPresent(g -> tmp.attr(Rt.RTA_GATEWAY, g.getAddress()));
        }
        byte[] all = tmp.build();
        byte[] out = new byte[all.length - 16];
        System.arraycopy(all, 16, out, 0, out.length);
        return out;
    }

    static MessageBuilder routeDump(int family) {
        return new MessageBuilder(Rt.RTM_GETROUTE, 0).u8(family).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    }

    static MessageBuilder routeGet(InetAddress dst) {
        byte[] a = dst.getAddress();
        return new MessageBuilder(Rt.RTM_GETROUTE, 0).u8(a.length == 4 ? Rt.AF_INET : Rt.AF_INET6).u8(a.length * 8)
                .u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0).attr(Rt.RTA_DST, a);
    }

    static MessageBuilder neighAdd(Neighbour n, boolean replace) {
        MessageBuilder m = new MessageBuilder(Rt.RTM_NEWNEIGH, NLM_F_CREATE | (replace ? NLM_F_REPLACE : NLM_F_EXCL))
                .u8(n.family()).u8(0).u16(0).u32(n.linkIndex()).u16(n.state()).u8(n.flags()).u8(0);
        n.ip().ifPresent(ip -> m.attr(Rt.NDA_DST, ip.getAddress()));
        n.mac().ifPresent(mac -> m.attr(Rt.NDA_LLADDR, mac.bytes()));
        return m;
    }

    static MessageBuilder neighDel(Neighbour n) {
        MessageBuilder m = new MessageBuilder(Rt.RTM_DELNEIGH, 0)
                .u8(n.family()).u8(0).u16(0).u32(n.linkIndex()).u16(0).u8(n.flags()).u8(0);
        n.ip().ifPresent(ip -> m.attr(Rt.NDA_DST, ip.getAddress()));
        return m;
    }

    static MessageBuilder neighDump(int family, int index) {
        return new MessageBuilder(Rt.RTM_GETNEIGH, 0).u8(family).u8(0).u16(0).u32(index).u16(0).u8(0).u8(0);
    }

    // ---- traffic control; attribute layout and order as vishvananda/netlink (Go's bandwidth plugin) sends them

    static MessageBuilder tcmsg(int type, int flags, int index, int handle, int parent, int info) {
        return new MessageBuilder(type, flags).u8(Rt.AF_UNSPEC).u8(0).u16(0).u32(index).u32(handle).u32(parent)
                .u32(info);
    }

    static MessageBuilder qdiscAdd(Qdisc q) {
        MessageBuilder m = tcmsg(Rt.RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, q.linkIndex(), q.handle(), q.parent(), 0)
                .attrString(Rt.TCA_KIND, q.kind());
        switch (q.kind()) {
            case "tbf": {
                Tbf t = q.tbf().orElseThrow(() -> new IllegalArgumentException("a tbf qdisc needs its parameters"));
                int rate32 = t.rate() >= 1L << 32 ? -1 : (int) t.rate();
                m.nest(Rt.TCA_OPTIONS).attr(Rt.TCA_TBF_PARMS, tbfQopt(m.order(), rate32, t.limit(), t.buffer()));
                if (t.rate() >= 1L << 32) {
                    m.attrU64(Rt.TCA_TBF_RATE64, t.rate());
                }
                return m.end();
            }
            case "ingress":
                return m.nest(Rt.TCA_OPTIONS).end();
            default:
                throw new IllegalArgumentException("qdiscAdd creates tbf and ingress qdiscs, not " + q.kind());
        }
    }

    /** {@code struct tc_tbf_qopt}: rate and peakrate {@code tc_ratespec}s (12 bytes each), limit, buffer, mtu. */
    private static byte[] tbfQopt(java.nio.ByteOrder order, int rate, int limit, int buffer) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(Rt.TC_TBF_QOPT_LEN).order(order);
        b.putInt(8, rate).putInt(24, limit).putInt(28, buffer);
        return b.array();
    }

    static MessageBuilder qdiscDel(Qdisc q) {
        return tcmsg(Rt.RTM_DELQDISC, 0, q.linkIndex(), q.handle(), q.parent(), 0);
    }

    static MessageBuilder qdiscDump(int index) {
        return tcmsg(Rt.RTM_GETQDISC, 0, index, 0, 0, 0);
    }

    /** tcm_info of a filter: the priority above, the protocol in network order below. */
    static int filterInfo(java.nio.ByteOrder order, int priority, int protocol) {
        int proto = order == java.nio.ByteOrder.LITTLE_ENDIAN ? Short.reverseBytes((short) protocol) & 0xffff : protocol;
        return priority << 16 | proto;
    }

    static MessageBuilder filterAdd(TcFilter f) {
        if (!f.kind().equals("u32")) {
            throw new IllegalArgumentException("filterAdd creates u32 filters, not " + f.kind());
        }
        MessageBuilder m = new MessageBuilder(Rt.RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL);
        m.u8(Rt.AF_UNSPEC).u8(0).u16(0).u32(f.linkIndex()).u32(0).u32(f.parent())
                .u32(filterInfo(m.order(), f.priority(), f.protocol()));
        m.attrString(Rt.TCA_KIND, "u32").nest(Rt.TCA_OPTIONS);
        // tc_u32_sel (16 bytes: flags, offshift, nkeys, pad, offmask, off, offoff, hoff, hmask) and one
        // all-zero tc_u32_key (mask, val, off, offmask): matches every packet
        byte[] sel = new byte[32];
        sel[0] = Rt.TC_U32_TERMINAL;
        sel[2] = 1;
        m.attr(Rt.TCA_U32_SEL, sel);
        if (f.classId() != 0) {
            m.attrU32(Rt.TCA_U32_CLASSID, f.classId());
        }
        m.nest(Rt.TCA_U32_ACT);
        int tab = 1;
        for (TcFilter.Mirred a : f.actions()) {
            java.nio.ByteBuffer p = java.nio.ByteBuffer.allocate(Rt.TC_MIRRED_LEN).order(m.order());
            p.putInt(8, a.control()).putInt(20, a.direction()).putInt(24, a.targetIndex());
            m.nest(tab++).attrString(Rt.TCA_ACT_KIND, "mirred").nest(Rt.TCA_ACT_OPTIONS)
                    .attr(Rt.TCA_MIRRED_PARMS, p.array()).end().end();
        }
        return m.end().end();
    }

    static MessageBuilder filterDump(int index, int parent) {
        return tcmsg(Rt.RTM_GETTFILTER, 0, index, 0, parent, 0);
    }

    private static final class MessageBuilderAlign {
        static int align(int n) {
            return (n + 3) & ~3;
        }
    }
}
