package dev.jcni.netlink.route;

import java.util.List;
import java.util.Objects;

/**
 * A traffic-control filter (Go: {@code netlink.U32} with its {@code MirredAction}s): what
 * {@link NetlinkHandle#filterList} returns and {@link NetlinkHandle#filterAdd} takes. jcni creates
 * one form, a {@code u32} filter that matches every packet and runs {@code mirred} actions
 * ({@link #matchAll}); a list returns every filter with its kind, and the mirred actions of u32 ones.
 *
 * @param linkIndex the link
 * @param parent the qdisc the filter hangs on (e.g. the ingress qdisc's {@code ffff:})
 * @param priority the priority ({@code pref})
 * @param protocol the ethertype in host order ({@link #ETH_P_ALL} for all)
 * @param kind {@code u32}, {@code bpf}, ...
 * @param classId the flow id ({@code TCA_U32_CLASSID}); 0 when none
 * @param actions the mirred actions, in order
 */
public record TcFilter(int linkIndex, int parent, int priority, int protocol, String kind, int classId,
        List<Mirred> actions) {
    /** {@code ETH_P_ALL}: every protocol. */
    public static final int ETH_P_ALL = 0x0003;

    /**
     * Checks the fields; an immutable copy of the actions.
     *
     * @param linkIndex linkIndex
     * @param parent parent
     * @param priority priority
     * @param protocol protocol
     * @param kind kind
     * @param classId classId
     * @param actions actions
     */
    public TcFilter {
        Objects.requireNonNull(kind, "kind");
        actions = List.copyOf(actions);
        if (priority < 0 || priority > 0xffff || protocol < 0 || protocol > 0xffff) {
            throw new IllegalArgumentException("priority and protocol are 16-bit: " + priority + ", " + protocol);
        }
    }

    /**
     * A u32 filter matching every packet ({@code match u32 0 0}), as {@code tc filter add dev X parent P
     * protocol all prio N u32 match u32 0 0 flowid C action mirred egress redirect dev Y}.
     *
     * @param linkIndex the link
     * @param parent the qdisc
     * @param priority the priority
     * @param classId the flow id, 0 for none
     * @param actions the mirred actions
     * @return the filter
     */
    public static TcFilter matchAll(int linkIndex, int parent, int priority, int classId, List<Mirred> actions) {
        return new TcFilter(linkIndex, parent, priority, ETH_P_ALL, "u32", classId, actions);
    }

    /**
     * A {@code mirred} action ({@code tc_mirred}).
     *
     * @param direction {@link #EGRESS_REDIRECT}, {@link #EGRESS_MIRROR}, ...
     * @param targetIndex the link packets go to
     * @param control what the action returns: {@link #ACT_STOLEN}, {@link #ACT_OK} ({@code pass}), ...
     */
    public record Mirred(int direction, int targetIndex, int control) {
        /** {@code TCA_EGRESS_REDIR}. */
        public static final int EGRESS_REDIRECT = 1;
        /** {@code TCA_EGRESS_MIRROR}. */
        public static final int EGRESS_MIRROR = 2;
        /** {@code TC_ACT_OK}: {@code pass}. */
        public static final int ACT_OK = 0;
        /** {@code TC_ACT_STOLEN}: {@code stolen}, what {@code tc} sets for a redirect. */
        public static final int ACT_STOLEN = 4;

        /**
         * @param targetIndex the link
         * @return an egress redirect returning {@code stolen}, as {@code tc ... action mirred egress redirect dev Y}
         */
        public static Mirred egressRedirect(int targetIndex) {
            return new Mirred(EGRESS_REDIRECT, targetIndex, ACT_STOLEN);
        }
    }
}
