package dev.jcni.plugins.macvlan;

import dev.jcni.netlink.Attributes;
import dev.jcni.netlink.MessageBuilder;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.netlink.route.NetlinkHandle;
import java.nio.charset.StandardCharsets;

/**
 * The two macvlan attributes that jcni's link API does not carry, through the handle's own rtnetlink
 * socket: the mode of an existing device (CHECK) and its broadcast queue length ({@code bcqueuelen},
 * set by a change request right after the device is made, while it is still down).
 */
final class MacvlanAttrs {
    private MacvlanAttrs() {
    }

    static final int RTM_NEWLINK = 16;
    static final int RTM_GETLINK = 18;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_EXT_MASK = 29;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int IFLA_MACVLAN_MODE = 1;
    static final int IFLA_MACVLAN_BC_QUEUE_LEN = 7;
    static final int RTEXT_FILTER_SKIP_STATS = 8;
    static final int IFINFOMSG_LEN = 16;

    private static MessageBuilder ifinfo(int type, int index) {
        return new MessageBuilder(type, 0).u8(0).u8(0).u16(0).u32(index).u32(0).u32(0);
    }

    /**
     * @param c a handle in the device's namespace
     * @param index the device
     * @return its {@code IFLA_MACVLAN_MODE}, 0 when it reports none
     */
    static int mode(NetlinkHandle c, int index) {
        MessageBuilder req = ifinfo(RTM_GETLINK, index).attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        for (NetlinkMessage m : c.socket().request(req, "RTM_GETLINK " + index)) {
            if (m.type() == RTM_NEWLINK) {
                Attributes data = m.attributes(IFINFOMSG_LEN).nested(IFLA_LINKINFO).nested(IFLA_INFO_DATA);
                return data.u32(IFLA_MACVLAN_MODE, 0);
            }
        }
        return 0;
    }

    /**
     * @param c a handle in the device's namespace
     * @param index the device
     * @param length the broadcast queue length
     */
    static void setBcQueueLen(NetlinkHandle c, int index, long length) {
        MessageBuilder req = ifinfo(RTM_NEWLINK, index).nest(IFLA_LINKINFO)
                .attr(IFLA_INFO_KIND, "macvlan".getBytes(StandardCharsets.US_ASCII))
                .nest(IFLA_INFO_DATA).attrU32(IFLA_MACVLAN_BC_QUEUE_LEN, (int) length).end().end();
        c.socket().request(req, "RTM_NEWLINK bcqueuelen " + index);
    }
}
