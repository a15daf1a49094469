package dev.jcni.netlink.route;

import java.util.Objects;
import java.util.Optional;

/**
 * A queueing discipline on a link (Go: {@code netlink.Qdisc}): what {@link NetlinkHandle#qdiscList}
 * returns and what {@link NetlinkHandle#qdiscAdd} and {@link NetlinkHandle#qdiscDel} take. jcni
 * creates two kinds, a root {@code tbf} ({@link #tbf}) and the {@code ingress} qdisc
 * ({@link #ingress}); a list returns every kind, with the tbf parameters decoded.
 *
 * @param linkIndex the link
 * @param handle the handle, {@code major:minor} as {@link #handle(int, int)} makes it
 * @param parent {@link #HANDLE_ROOT}, {@link #HANDLE_INGRESS} or a class handle
 * @param kind {@code tbf}, {@code ingress}, {@code noqueue}, {@code fq_codel}, ...
 * @param tbf the parameters of a {@code tbf} qdisc; empty for other kinds
 */
public record Qdisc(int linkIndex, int handle, int parent, String kind, Optional<Tbf> tbf) {
    /** {@code TC_H_ROOT}: the parent of a link's root (egress) qdisc. */
    public static final int HANDLE_ROOT = 0xffffffff;
    /** {@code TC_H_INGRESS}: the parent of the ingress qdisc. */
    public static final int HANDLE_INGRESS = 0xfffffff1;

    /**
     * Checks the fields.
     *
     * @param linkIndex linkIndex
     * @param handle handle
     * @param parent parent
     * @param kind kind
     * @param tbf tbf
     */
    public Qdisc {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tbf, "tbf");
        if (tbf.isPresent() && !kind.equals("tbf")) {
            throw new IllegalArgumentException("tbf parameters on a " + kind + " qdisc");
        }
    }

    /**
     * @param major the major number (16 bits)
     * @param minor the minor number (16 bits)
     * @return the handle {@code major:minor} ({@code TC_H_MAKE}; Go's {@code netlink.MakeHandle})
     */
    public static int handle(int major, int minor) {
        return (major & 0xffff) << 16 | (minor & 0xffff);
    }

    /**
     * The root tbf with handle {@code 1:}, as {@code tc qdisc add dev X root handle 1: tbf ...}.
     *
     * @param linkIndex the link
     * @param tbf its parameters
     * @return the qdisc
     */
    public static Qdisc tbf(int linkIndex, Tbf tbf) {
        return new Qdisc(linkIndex, handle(1, 0), HANDLE_ROOT, "tbf", Optional.of(tbf));
    }

    /**
     * The ingress qdisc, handle {@code ffff:}, as {@code tc qdisc add dev X ingress}.
     *
     * @param linkIndex the link
     * @return the qdisc
     */
    public static Qdisc ingress(int linkIndex) {
        return new Qdisc(linkIndex, handle(0xffff, 0), HANDLE_INGRESS, "ingress", Optional.empty());
    }

    /**
     * @return true for a root qdisc
     */
    public boolean isRoot() {
        return parent == HANDLE_ROOT;
    }

    /**
     * @return e.g. {@code tbf 1: dev#4 root rate 1000000B/s limit 35000B buffer 156250 ticks}
     */
    @Override
    public String toString() {
        String p = parent == HANDLE_ROOT ? "root" : parent == HANDLE_INGRESS ? "parent ffff:fff1" : "parent " + name(parent);
        return kind + " " + name(handle) + " dev#" + linkIndex + " " + p + tbf.map(t -> " " + t).orElse("");
    }

    static String name(int h) {
        return Integer.toHexString(h >>> 16) + ":" + ((h & 0xffff) == 0 ? "" : Integer.toHexString(h & 0xffff));
    }
}
