package dev.jcni.netlink.route;

import dev.jcni.netlink.Attribute;
import dev.jcni.netlink.Attributes;
import dev.jcni.netlink.NetlinkCodecException;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.MacAddress;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Decodes rtnetlink replies into the public records. Throws only {@link NetlinkCodecException}. */
final class Decode {
    private Decode() {
    }

    static Link link(NetlinkMessage m) {
        int index = m.u32(4);
        int flags = m.u32(8);
        Attributes a = m.attributes(Rt.IFINFOMSG_LEN);
        String name = a.string(Rt.IFLA_IFNAME).orElse("");
        int mtu = a.u32(Rt.IFLA_MTU, 0);
        Optional<MacAddress> mac = mac(a.get(Rt.IFLA_ADDRESS));
        OperState oper = OperState.of(a.u8(Rt.IFLA_OPERSTATE, 0));
        OptionalInt master = optInt(a, Rt.IFLA_MASTER);
        OptionalInt parent = optInt(a, Rt.IFLA_LINK);
        OptionalInt netnsId = optInt(a, Rt.IFLA_LINK_NETNSID);
        int txq = a.u32(Rt.IFLA_TXQLEN, 0);
        int promisc = a.u32(Rt.IFLA_PROMISCUITY, 0);
        Attributes info = a.nested(Rt.IFLA_LINKINFO);
        Optional<String> kind = info.string(Rt.IFLA_INFO_KIND);
        Optional<String> slaveKind = info.string(Rt.IFLA_INFO_SLAVE_KIND);
        Optional<BridgePort> port = Optional.empty();
        if (slaveKind.orElse("").equals("bridge")) {
            Attributes sd = info.nested(Rt.IFLA_INFO_SLAVE_DATA);
            port = Optional.of(new BridgePort(sd.u8(Rt.IFLA_BRPORT_STATE, 0), sd.u8(Rt.IFLA_BRPORT_MODE, 0) != 0,
                    sd.u8(Rt.IFLA_BRPORT_LEARNING, 0) != 0, sd.u8(Rt.IFLA_BRPORT_ISOLATED, 0) != 0));
        }
        Optional<Boolean> vlanFiltering = Optional.empty();
        OptionalInt vlanId = OptionalInt.empty();
        Attributes data = info.nested(Rt.IFLA_INFO_DATA);
        if (kind.orElse("").equals("bridge") && data.has(Rt.IFLA_BR_VLAN_FILTERING)) {
            vlanFiltering = Optional.of(data.u8(Rt.IFLA_BR_VLAN_FILTERING, 0) != 0);
        }
        if (kind.orElse("").equals("vlan")) {
            Optional<Attribute> id = data.get(Rt.IFLA_VLAN_ID);
            vlanId = id.isPresent() ? OptionalInt.of(id.get().u16()) : OptionalInt.empty();
        }
        if (parent.isPresent() && parent.getAsInt() == index && netnsId.isEmpty()) {
            parent = OptionalInt.empty(); // physical devices report IFLA_LINK = own index
        }
        return new Link(index, name, kind, mtu, mac, flags, oper, master, parent, netnsId, txq, promisc, slaveKind,
                port, vlanFiltering, vlanId);
    }

    private static OptionalInt optInt(Attributes a, int type) {
        Optional<Attribute> x = a.get(type);
        return x.isPresent() ? OptionalInt.of(x.get().u32()) : OptionalInt.empty();
    }

    // Optional's map and flatMap would take lambdas: a cold plugin links each one, about half a millisecond
    private static Optional<MacAddress> mac(Optional<Attribute> a) {
        return a.isPresent() ? mac(a.get()) : Optional.empty();
    }

    private static Optional<InetAddress> ip(Optional<Attribute> a) {
        return a.isPresent() ? Optional.of(ip(a.get())) : Optional.empty();
    }

    private static Optional<MacAddress> mac(Attribute a) {
        int n = a.length();
        return n == 6 || n == 8 || n == 20 ? Optional.of(MacAddress.of(a.bytes())) : Optional.empty();
    }

    static InetAddress ip(Attribute a) {
        int n = a.length();
        if (n == 4) {
            return Ip.fromBytes(a.bytes());
        }
        if (n == 16) {
            // stays IPv6 even when IPv4-mapped (::ffff:a.b.c.d): the kernel reported an IPv6 address
            try {
                return java.net.Inet6Address.getByAddress(null, a.bytes(), -1);
            } catch (java.net.UnknownHostException e) {
                throw new NetlinkCodecException(e.getMessage());
            }
        }
        throw new NetlinkCodecException("address attribute " + a.type() + " has " + n + " bytes");
    }

    static Address address(NetlinkMessage m) {
        int family = m.u8(0);
        int plen = m.u8(1);
        int flags = m.u8(2);
        int scope = m.u8(3);
        int index = m.u32(4);
        Attributes a = m.attributes(Rt.IFADDRMSG_LEN);
        Attribute local = a.get(Rt.IFA_LOCAL).orElse(null);
        Attribute addr = a.get(Rt.IFA_ADDRESS).orElse(null);
        Attribute pick = local != null ? local : addr;
        if (pick == null) {
            throw new NetlinkCodecException("RTM_NEWADDR without IFA_LOCAL or IFA_ADDRESS");
        }
        InetAddress ip = ip(pick);
        if ((family == Rt.AF_INET && ip.getAddress().length != 4) || plen > ip.getAddress().length * 8) {
            throw new NetlinkCodecException("address of family " + family + " with prefix length " + plen);
        }
        if (a.has(Rt.IFA_FLAGS)) {
            flags = a.get(Rt.IFA_FLAGS).get().u32();
        }
        long valid = Address.FOREVER;
        long preferred = Address.FOREVER;
        Optional<Attribute> ci = a.get(Rt.IFA_CACHEINFO);
        if (ci.isPresent() && ci.get().length() >= 8) {
            preferred = Integer.toUnsignedLong(ci.get().u32At(0));
            valid = Integer.toUnsignedLong(ci.get().u32At(4));
        }
        Optional<InetAddress> brd = ip(a.get(Rt.IFA_BROADCAST));
        return new Address(index, new IpPrefix(ip, plen), scope, flags, a.string(Rt.IFA_LABEL), brd, valid, preferred);
    }

    static NetlinkRoute route(NetlinkMessage m) {
        int family = m.u8(0);
        int dstLen = m.u8(1);
        int table = m.u8(4);
        int protocol = m.u8(5);
        int scope = m.u8(6);
        int type = m.u8(7);
        int flags = m.u32(8);
        if (family != Rt.AF_INET && family != Rt.AF_INET6) {
            throw new NetlinkCodecException("route of family " + family);
        }
        Attributes a = m.attributes(Rt.RTMSG_LEN);
        Optional<InetAddress> dstIp = ip(a.get(Rt.RTA_DST));
        Optional<IpPrefix> dst = dstIp.isPresent() ? Optional.of(new IpPrefix(dstIp.get(), checkLen(dstIp.get(), dstLen)))
                : Optional.empty();
        if (dst.isEmpty() && dstLen != 0) {
            throw new NetlinkCodecException("route with dst_len " + dstLen + " but no RTA_DST");
        }
        table = a.u32(Rt.RTA_TABLE, table);
        Optional<InetAddress> src = ip(a.get(Rt.RTA_PREFSRC));
        Optional<InetAddress> gw = ip(a.get(Rt.RTA_GATEWAY));
        int oif = a.u32(Rt.RTA_OIF, 0);
        int prio = a.u32(Rt.RTA_PRIORITY, 0);
        Attributes metrics = a.nested(Rt.RTA_METRICS);
        int mtu = metrics.u32(Rt.RTAX_MTU, 0);
        int advmss = metrics.u32(Rt.RTAX_ADVMSS, 0);
        List<NextHop> hops = new ArrayList<>();
        Optional<Attribute> mp = a.get(Rt.RTA_MULTIPATH);
        if (mp.isPresent()) {
            Attribute mpa = mp.get();
            byte[] b = mpa.bytes();
            int p = 0;
            while (b.length - p >= 8) {
                int len = mpa.u16At(p);
                if (len < 8 || len > b.length - p) {
                    throw new NetlinkCodecException("rtnexthop length " + len + " with " + (b.length - p) + " left");
                }
                int nhFlags = b[p + 2] & 0xff;
                int hopsField = b[p + 3] & 0xff;
                int ifindex = mpa.u32At(p + 4);
                Attributes na = Attributes.parse(b, p + 8, len - 8, mpa.order());
                hops.add(new NextHop(ifindex, ip(na.get(Rt.RTA_GATEWAY)), hopsField + 1, nhFlags));
                p += (len + 3) & ~3;
            }
        }
        return new NetlinkRoute(family == Rt.AF_INET ? Family.V4 : Family.V6, dst, src, gw, oif, table, scope, protocol, type,
                prio, mtu, advmss, flags, hops);
    }

    private static int checkLen(InetAddress ip, int len) {
        if (len > ip.getAddress().length * 8) {
            throw new NetlinkCodecException("prefix length " + len + " for " + Ip.format(ip));
        }
        return len;
    }

    static Neighbour neighbour(NetlinkMessage m) {
        int family = m.u8(0);
        int index = m.u32(4);
        int state = m.u16(8);
        int flags = m.u8(10);
        Attributes a = m.attributes(Rt.NDMSG_LEN);
        Optional<Attribute> dst = a.get(Rt.NDA_DST);
        Optional<InetAddress> ip = dst.isPresent() && (dst.get().length() == 4 || dst.get().length() == 16)
                ? Optional.of(ip(dst.get())) : Optional.empty();
        Optional<MacAddress> mac = mac(a.get(Rt.NDA_LLADDR));
        return new Neighbour(index, family, ip, mac, state, flags);
    }

    /** The VLAN entries in an AF_BRIDGE RTM_NEWLINK (RTEXT_FILTER_BRVLAN), with their port's index. */
    static List<BridgeVlan> bridgeVlans(NetlinkMessage m) {
        List<BridgeVlan> out = new ArrayList<>();
        Attributes spec = m.attributes(Rt.IFINFOMSG_LEN).nested(Rt.IFLA_AF_SPEC);
        for (Attribute v : spec.all(Rt.IFLA_BRIDGE_VLAN_INFO)) {
            if (v.length() < 4) {
                throw new NetlinkCodecException("bridge_vlan_info of " + v.length() + " bytes");
            }
            int flags = v.u16At(0);
            int vid = v.u16At(2);
            if (vid >= 1 && vid <= 4094) {
                out.add(new BridgeVlan(vid, (flags & Rt.BRIDGE_VLAN_INFO_PVID) != 0,
                        (flags & Rt.BRIDGE_VLAN_INFO_UNTAGGED) != 0));
            }
        }
        return out;
    }

    static Qdisc qdisc(NetlinkMessage m) {
        int index = m.u32(4);
        int handle = m.u32(8);
        int parent = m.u32(12);
        Attributes a = m.attributes(Rt.TCMSG_LEN);
        String kind = a.string(Rt.TCA_KIND).orElse("");
        Optional<Tbf> tbf = Optional.empty();
        if (kind.equals("tbf")) {
            Attributes o = a.nested(Rt.TCA_OPTIONS);
            Optional<Attribute> parms = o.get(Rt.TCA_TBF_PARMS);
            if (parms.isPresent()) {
                Attribute p = parms.get();
                long rate = Integer.toUnsignedLong(p.u32At(8));
                Optional<Attribute> rate64 = o.get(Rt.TCA_TBF_RATE64);
                if (rate64.isPresent()) {
                    rate = rate64.get().u64();
                }
                if (rate > 0) {
                    tbf = Optional.of(new Tbf(rate, p.u32At(24), p.u32At(28)));
                }
            }
        }
        return new Qdisc(index, handle, parent, kind, tbf);
    }

    static TcFilter filter(NetlinkMessage m) {
        int index = m.u32(4);
        int parent = m.u32(12);
        int info = m.u32(16);
        int protocol = info & 0xffff;
        if (m.order() == java.nio.ByteOrder.LITTLE_ENDIAN) {
            protocol = Short.reverseBytes((short) protocol) & 0xffff;
        }
        Attributes a = m.attributes(Rt.TCMSG_LEN);
        String kind = a.string(Rt.TCA_KIND).orElse("");
        int classId = 0;
        List<TcFilter.Mirred> actions = new ArrayList<>();
        if (kind.equals("u32")) {
            Attributes o = a.nested(Rt.TCA_OPTIONS);
            classId = o.u32(Rt.TCA_U32_CLASSID, 0);
            for (Attribute tab : o.nested(Rt.TCA_U32_ACT).list()) {
                Attributes act = tab.nested();
                if (act.string(Rt.TCA_ACT_KIND).filter("mirred"::equals).isPresent()) {
                    Optional<Attribute> p = act.nested(Rt.TCA_ACT_OPTIONS).get(Rt.TCA_MIRRED_PARMS);
                    if (p.isPresent()) {
                        actions.add(new TcFilter.Mirred(p.get().u32At(20), p.get().u32At(24), p.get().u32At(8)));
                    }
                }
            }
        }
        return new TcFilter(index, parent, info >>> 16, protocol, kind, classId, actions);
    }
}
