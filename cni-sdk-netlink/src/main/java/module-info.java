/**
 * The kernel side of CNI plugins: rtnetlink over a raw netlink socket, network namespaces
 * and sysctl, through a small JNI library of jcni's own (the system calls, nothing more). No
 * {@code ip} binary is ever executed.
 */
module dev.jcni.netlink {
    requires transitive dev.jcni.sdk;

    exports dev.jcni.netlink;
    exports dev.jcni.netlink.route;
    exports dev.jcni.netns;

    // training runs of jcni package get their throw-away namespaces from here
    provides dev.jcni.sdk.internal.ScratchNamespaces with dev.jcni.netns.internal.Scratch;
    // the warm-mode daemon learns its callers from the kernel through jcni's native library
    provides dev.jcni.sdk.internal.PeerProcesses with dev.jcni.netlink.sys.KernelPeers;
}
