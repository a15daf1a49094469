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

    // the plugin author's kit: JUnit 5 is optional (provided), only ConformanceTests and NetnsExtension use it
    requires static org.junit.jupiter.api;
    requires com.fasterxml.jackson.databind;

    exports dev.jcni.netlink;
    exports dev.jcni.netlink.route;
    exports dev.jcni.netns;
    // internal: exported only because jnr-ffi's generated class must implement LibC; not API
    exports dev.jcni.netlink.sys;
    exports dev.jcni.testkit;

    // jcni conformance
    provides dev.jcni.sdk.internal.CliCommand with dev.jcni.testkit.internal.ConformanceCommand;
}
