package dev.jcni.netlink.route;

/** RFC 2863 operational state of a link ({@code IFLA_OPERSTATE}). */
public enum OperState {
    /** {@code IF_OPER_UNKNOWN}. */
    UNKNOWN,
    /** {@code IF_OPER_NOTPRESENT}. */
    NOTPRESENT,
    /** {@code IF_OPER_DOWN}. */
    DOWN,
    /** {@code IF_OPER_LOWERLAYERDOWN}. */
    LOWERLAYERDOWN,
    /** {@code IF_OPER_TESTING}. */
    TESTING,
    /** {@code IF_OPER_DORMANT}. */
    DORMANT,
    /** {@code IF_OPER_UP}. */
    UP;

    /**
     * @param code the kernel's value
     * @return the state ({@link #UNKNOWN} for values out of range)
     */
    public static OperState of(int code) {
        OperState[] all = values();
        return code >= 0 && code < all.length ? all[code] : UNKNOWN;
    }
}
