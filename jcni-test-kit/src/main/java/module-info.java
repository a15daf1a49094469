/**
 * The plugin author's test kit, for test scope only: {@link dev.jcni.sdk.testing.PluginHarness} runs a
 * plugin in-process or as an executable with a CNI environment; {@link dev.jcni.testkit.TempNetns} and
 * {@link dev.jcni.testkit.NetnsExtension} give a test a network namespace of its own;
 * {@link dev.jcni.testkit.Conformance} checks a plugin against the spec's rules (also as
 * {@code jcni conformance}). See docs/testing.md.
 */
module dev.jcni.testkit {
    requires transitive dev.jcni.netlink;
    requires transitive org.junit.jupiter.api;
    requires com.fasterxml.jackson.databind;

    exports dev.jcni.sdk.testing;
    exports dev.jcni.testkit;

    // jcni conformance: found by the CLI whenever this jar is on its class path
    provides dev.jcni.sdk.internal.CliCommand with dev.jcni.testkit.internal.ConformanceCommand;
}
