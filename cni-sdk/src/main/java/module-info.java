/**
 * The CNI protocol for Java: typed configuration and results for every spec version,
 * version negotiation and conversion, the plugin skeleton, plugin invocation and the
 * runtime side (libcni).
 */
module dev.jcni.sdk {
    requires com.fasterxml.jackson.databind;
    // the warm-mode daemon's opt-in metrics listener (--metrics-listen) only
    requires static jdk.httpserver;

    exports dev.jcni.sdk.types;
    exports dev.jcni.sdk.version;
    exports dev.jcni.sdk.skel;
    exports dev.jcni.sdk.invoke;
    exports dev.jcni.sdk.runtime;

    // the JSON codec, shared with jcni's own modules only
    exports dev.jcni.sdk.internal to dev.jcni.netlink, dev.jcni.testkit, dev.jcni.plugins;

    uses dev.jcni.sdk.internal.ScratchNamespaces;
    // the warm-mode daemon's callers as the kernel knows them (SO_PEERCRED pid: cni-sdk-netlink)
    uses dev.jcni.sdk.internal.PeerProcesses;
    // jcni subcommands from other jcni modules (e.g. "conformance" from the test kit, dev.jcni.testkit)
    uses dev.jcni.sdk.internal.CliCommand;
}
