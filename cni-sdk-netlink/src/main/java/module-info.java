/**
 * The kernel side of CNI plugins: rtnetlink over a raw netlink socket, network namespaces
 * and sysctl, through jnr-ffi. No {@code ip} binary is ever executed.
 */
module dev.jcni.netlink {
    requires transitive dev.jcni.sdk;
    // automatic module name from jnr-ffi 2.2.17's MANIFEST.MF
    requires org.jnrproject.ffi;
    // jnr-ffi, an automatic module, generates its bindings with ASM, whose jars are explicit
    // modules: nothing would resolve them on the module path without these
    requires org.objectweb.asm;
    requires org.objectweb.asm.commons;
    requires org.objectweb.asm.tree;
    requires org.objectweb.asm.tree.analysis;
    requires org.objectweb.asm.util;

    exports dev.jcni.netlink;
    exports dev.jcni.netlink.route;
    exports dev.jcni.netns;
}
