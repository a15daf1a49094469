package dev.jcni.netlink.route;

import dev.jcni.netlink.Attribute;
import dev.jcni.netlink.Attributes;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.MessageBuilder;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.netlink.NetlinkSocket;
import dev.jcni.netns.NetNs;
import java.util.List;

/**
 * Connection-tracking entries through {@code NETLINK_NETFILTER} (ctnetlink), as the portmap
 * plugin needs them (Go: {@code netlink.ConntrackDeleteFilters} with a protocol and port filter):
 * stale UDP entries would otherwise keep sending traffic to an old container after a port mapping
 * changed.
 */
public final class Conntrack {
    private Conntrack() {
    }

    /** IP protocol number of TCP. */
    public static final int PROTO_TCP = 6;
    /** IP protocol number of UDP. */
    public static final int PROTO_UDP = 17;
    /** IP protocol number of SCTP. */
    public static final int PROTO_SCTP = 132;

    static final int NFNL_SUBSYS_CTNETLINK = 1;
    static final int IPCTNL_MSG_CT_GET = 1;
    static final int IPCTNL_MSG_CT_DELETE = 2;
    static final int CTA_TUPLE_ORIG = 1;
    static final int CTA_ZONE = 18;
    static final int CTA_TUPLE_IP = 1;
    static final int CTA_TUPLE_PROTO = 2;
    static final int CTA_TUPLE_ZONE = 3;
    static final int CTA_PROTO_NUM = 1;
    static final int CTA_PROTO_DST_PORT = 3;
    static final int NFGENMSG_LEN = 4;

    /**
     * Deletes every entry whose original tuple has this L4 protocol and destination port, in the
     * calling thread's namespace.
     *
     * @param family {@link Family#V4} or {@link Family#V6}
     * @param protocol {@link #PROTO_UDP} (or another IP protocol with ports)
     * @param dstPort the original destination port
     * @return how many entries were deleted
     */
    public static int deleteByDstPort(int family, int protocol, int dstPort) {
        try (NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER)) {
            return deleteByDstPort(s, family, protocol, dstPort);
        }
    }

    /**
     * Deletes every matching entry in a namespace, without the caller entering it.
     *
     * @param ns the namespace
     * @param family {@link Family#V4} or {@link Family#V6}
     * @param protocol the L4 protocol
     * @param dstPort the original destination port
     * @return how many entries were deleted
     */
    public static int deleteByDstPort(NetNs ns, int family, int protocol, int dstPort) {
        try (NetlinkSocket s = NetlinkSocket.openAt(NetlinkSocket.NETLINK_NETFILTER, ns)) {
            return deleteByDstPort(s, family, protocol, dstPort);
        }
    }

    /**
     * The UDP case portmap needs: deletes UDP entries to a port for one family.
     *
     * @param family {@link Family#V4} or {@link Family#V6}
     * @param dstPort the original destination port
     * @return how many entries were deleted
     */
    public static int deleteUdpByDstPort(int family, int dstPort) {
        return deleteByDstPort(family, PROTO_UDP, dstPort);
    }

    static int deleteByDstPort(NetlinkSocket s, int family, int protocol, int dstPort) {
        if (family != Family.V4 && family != Family.V6) {
            throw new IllegalArgumentException("conntrack family must be Family.V4 or Family.V6");
        }
        if (dstPort < 0 || dstPort > 0xffff) {
            throw new IllegalArgumentException("port out of range: " + dstPort);
        }
        List<NetlinkMessage> entries = s.dump(dumpRequest(family), "IPCTNL_MSG_CT_GET dump");
        int deleted = 0;
        for (NetlinkMessage m : entries) {
            if (m.type() != ((NFNL_SUBSYS_CTNETLINK << 8) | 0)) { // IPCTNL_MSG_CT_NEW in dumps
                continue;
            }
            Attributes a = m.attributes(NFGENMSG_LEN);
            Attribute orig = a.get(CTA_TUPLE_ORIG).orElse(null);
            if (orig == null) {
                continue;
            }
            Attributes proto = orig.nested().nested(CTA_TUPLE_PROTO);
            if (proto.u8(CTA_PROTO_NUM, -1) != protocol) {
                continue;
            }
            Attribute port = proto.get(CTA_PROTO_DST_PORT).orElse(null);
            if (port == null || port.u16Be() != dstPort) {
                continue;
            }
            try {
                s.request(deleteRequest(family, orig, a.get(CTA_ZONE).orElse(null)), "IPCTNL_MSG_CT_DELETE");
                deleted++;
            } catch (NetlinkException e) {
                if (e.errno() != Errno.ENOENT) {
                    throw e; // ENOENT: the entry expired meanwhile
                }
            }
        }
        return deleted;
    }

    static MessageBuilder dumpRequest(int family) {
        return new MessageBuilder((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET, 0).u8(family).u8(0).u16(0);
    }

    /** Deletes by the original tuple exactly as the kernel reported it (with its zone, if any). */
    static MessageBuilder deleteRequest(int family, Attribute origTuple, Attribute zone) {
        MessageBuilder m = new MessageBuilder((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, 0)
                .u8(family).u8(0).u16(0);
        m.attr(CTA_TUPLE_ORIG | NetlinkMessage.NLA_F_NESTED, origTuple.bytes());
        if (zone != null) {
            m.attr(CTA_ZONE, zone.bytes());
        }
        return m;
    }

    /**
     * Builds a delete request for a UDP/TCP tuple, for tests of the message layout.
     *
     * @param family family
     * @param protocol protocol
     * @param src source address bytes
     * @param dst destination address bytes
     * @param srcPort source port
     * @param dstPort destination port
     * @return the request
     */
    static MessageBuilder deleteTupleRequest(int family, int protocol, byte[] src, byte[] dst, int srcPort,
            int dstPort) {
        boolean v4 = family == Family.V4;
        MessageBuilder m = new MessageBuilder((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, 0)
                .u8(family).u8(0).u16(0)
                .nest(CTA_TUPLE_ORIG | NetlinkMessage.NLA_F_NESTED)
                .nest(CTA_TUPLE_IP | NetlinkMessage.NLA_F_NESTED)
                .attr(v4 ? 1 : 3, src).attr(v4 ? 2 : 4, dst)
                .end()
                .nest(CTA_TUPLE_PROTO | NetlinkMessage.NLA_F_NESTED)
                .attrU8(CTA_PROTO_NUM, protocol).attrU16Be(2, srcPort).attrU16Be(CTA_PROTO_DST_PORT, dstPort)
                .end()
                .end();
        return m;
    }
}
