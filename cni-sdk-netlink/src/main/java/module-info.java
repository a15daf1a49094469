/**
 * The kernel side of CNI plugins: rtnetlink over a raw netlink socket, network namespaces
 * and sysctl, through jnr-ffi. No {@code ip} binary is ever executed.
 */
module dev.jcni.netlink {
    requires transitive dev.jcni.sdk;
    requires org.jnrproject.ffi;

    // exports dev.jcni.netlink, dev.jcni.netlink.route, dev.jcni.netns: come with the netlink branch
}
