package dev.jcni.netlink.route;

/** rtnetlink constants from the kernel's uapi headers (linux/rtnetlink.h, if_link.h, if_addr.h, neighbour.h, if_bridge.h). */
final class Rt {
    private Rt() {
    }

    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_BRIDGE = 7;
    static final int AF_INET6 = 10;

    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_SETLINK = 19;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24;
    static final int RTM_DELROUTE = 25;
    static final int RTM_GETROUTE = 26;
    static final int RTM_NEWNEIGH = 28;
    static final int RTM_DELNEIGH = 29;
    static final int RTM_GETNEIGH = 30;

    static final int IFINFOMSG_LEN = 16;
    static final int IFADDRMSG_LEN = 8;
    static final int RTMSG_LEN = 12;
    static final int NDMSG_LEN = 12;

    static final int IFF_UP = 0x1;
    static final int IFF_PROMISC = 0x100;
    static final int IFF_ALLMULTI = 0x200;

    static final int IFLA_ADDRESS = 1;
    static final int IFLA_BROADCAST = 2;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINK = 5;
    static final int IFLA_MASTER = 10;
    static final int IFLA_PROTINFO = 12;
    static final int IFLA_TXQLEN = 13;
    static final int IFLA_OPERSTATE = 16;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_AF_SPEC = 26;
    static final int IFLA_NET_NS_FD = 28;
    static final int IFLA_EXT_MASK = 29;
    static final int IFLA_PROMISCUITY = 30;
    static final int IFLA_LINK_NETNSID = 37;
    static final int IFLA_ALT_IFNAME = 53;

    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int IFLA_INFO_SLAVE_KIND = 4;
    static final int IFLA_INFO_SLAVE_DATA = 5;

    static final int VETH_INFO_PEER = 1;
    static final int IFLA_BR_VLAN_FILTERING = 7;
    static final int IFLA_VLAN_ID = 1;
    static final int IFLA_MACVLAN_MODE = 1;

    static final int IFLA_BRPORT_STATE = 1;
    static final int IFLA_BRPORT_MODE = 4;
    static final int IFLA_BRPORT_LEARNING = 8;
    static final int IFLA_BRPORT_ISOLATED = 33;

    static final int IFLA_BRIDGE_FLAGS = 0;
    static final int IFLA_BRIDGE_VLAN_INFO = 2;
    static final int BRIDGE_FLAGS_MASTER = 1;
    static final int BRIDGE_FLAGS_SELF = 2;
    static final int BRIDGE_VLAN_INFO_MASTER = 1;
    static final int BRIDGE_VLAN_INFO_PVID = 2;
    static final int BRIDGE_VLAN_INFO_UNTAGGED = 4;
    static final int RTEXT_FILTER_BRVLAN = 2;
    static final int RTEXT_FILTER_SKIP_STATS = 8;

    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    static final int IFA_LABEL = 3;
    static final int IFA_BROADCAST = 4;
    static final int IFA_CACHEINFO = 6;
    static final int IFA_FLAGS = 8;

    static final int RTA_DST = 1;
    static final int RTA_SRC = 2;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PRIORITY = 6;
    static final int RTA_PREFSRC = 7;
    static final int RTA_METRICS = 8;
    static final int RTA_MULTIPATH = 9;
    static final int RTA_TABLE = 15;
    static final int RTAX_MTU = 2;
    static final int RTAX_ADVMSS = 8;
    static final int RTM_F_CLONED = 0x200;

    static final int NDA_DST = 1;
    static final int NDA_LLADDR = 2;

    // traffic control (linux/rtnetlink.h, pkt_sched.h, pkt_cls.h, tc_act/tc_mirred.h)
    static final int RTM_NEWQDISC = 36;
    static final int RTM_DELQDISC = 37;
    static final int RTM_GETQDISC = 38;
    static final int RTM_NEWTFILTER = 44;
    static final int RTM_DELTFILTER = 45;
    static final int RTM_GETTFILTER = 46;
    static final int TCMSG_LEN = 20;
    static final int TCA_KIND = 1;
    static final int TCA_OPTIONS = 2;
    static final int TCA_TBF_PARMS = 1;
    static final int TCA_TBF_RATE64 = 4;
    static final int TC_TBF_QOPT_LEN = 36;
    static final int TCA_U32_CLASSID = 1;
    static final int TCA_U32_SEL = 5;
    static final int TCA_U32_ACT = 7;
    static final int TC_U32_TERMINAL = 1;
    static final int TCA_ACT_KIND = 1;
    static final int TCA_ACT_OPTIONS = 2;
    static final int TCA_MIRRED_PARMS = 2;
    static final int TC_MIRRED_LEN = 28;
}
