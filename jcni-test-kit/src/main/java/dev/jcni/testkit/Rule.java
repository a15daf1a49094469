package dev.jcni.testkit;

/**
 * The rules of the CNI specification (SPEC.md, 1.1.0) that every plugin must follow, as
 * {@link Conformance} checks them. The text of each says what is checked; the id names it in a
 * report and in a test's expectations.
 */
public enum Rule {
    /** VERSION's {@code supportedVersions} contains the configuration's {@code cniVersion}. */
    VERSION_LISTS_CONFIG("version-lists-config", "VERSION lists the configuration's cniVersion"),
    /** VERSION answers {@code cniVersion} = the input's (spec: "the value of cniVersion in the input"). */
    VERSION_ECHOES_INPUT("version-echoes-input", "VERSION answers with the input's cniVersion"),
    /** ADD exits 0 and prints one result, valid for the requested version, and nothing else. */
    ADD_RESULT("add-result", "ADD prints a result valid for the requested version"),
    /** CHECK with the ADD result as prevResult succeeds right after ADD (versions 0.4.0 and later). */
    CHECK_AFTER_ADD("check-after-add", "CHECK right after ADD succeeds"),
    /** DEL of an attachment succeeds with nothing on stdout. */
    DEL("del", "DEL succeeds with nothing on stdout"),
    /** A second DEL of the same attachment succeeds. */
    DEL_AGAIN("del-again", "DEL again succeeds"),
    /**
     * After DEL, the namespace holds no link, address or route that was not there before ADD, and the
     * host nothing of the attachment's: no firewall line naming its container id nor a chain only such
     * lines jumped to, no host veth its result named, no host route to or through its addresses, no
     * host-local reservation naming it.
     */
    NOTHING_LEFT("nothing-left", "DEL leaves nothing of ADD's in the namespace or on the host"),
    /** DEL of an attachment that was never added succeeds. */
    DEL_WITHOUT_ADD("del-without-add", "DEL without ADD succeeds"),
    /** DEL succeeds when the namespace of the attachment no longer exists. */
    DEL_NETNS_GONE("del-netns-gone", "DEL succeeds when the namespace is gone"),
    /** A missing or invalid required CNI_* variable gives code 4, with only the error JSON on stdout. */
    BAD_ENVIRONMENT("bad-environment", "a bad environment gives code 4 and only the error JSON on stdout"),
    /** A configuration that is not JSON gives code 6, with only the error JSON on stdout. */
    BAD_CONFIG_JSON("bad-config-json", "a configuration that is not JSON gives code 6 and only the error JSON"),
    /** A configuration without a network name gives code 7, with only the error JSON on stdout. */
    BAD_CONFIG_NAME("bad-config-name", "a configuration without a name gives code 7 and only the error JSON"),
    /** A cniVersion the plugin does not support gives code 1. */
    UNSUPPORTED_VERSION("unsupported-version", "an unsupported cniVersion gives code 1"),
    /** Every error JSON has {@code cniVersion} (the configuration's), {@code code} and {@code msg}. */
    ERROR_FIELDS("error-fields", "error JSON has cniVersion, code and msg"),
    /** GC naming the attachment as valid succeeds, and the attachment still passes CHECK (1.1.0). */
    GC("gc", "GC succeeds and keeps the valid attachments"),
    /** STATUS succeeds with nothing on stdout, or fails with code 50 or 51 (1.1.0). */
    STATUS("status", "STATUS succeeds, or fails with code 50 or 51");

    private final String id;
    private final String text;

    Rule(String id, String text) {
        this.id = id;
        this.text = text;
    }

    /** @return a short stable name, e.g. {@code del-netns-gone} */
    public String id() {
        return id;
    }

    /** @return what the rule says, in a line */
    public String text() {
        return text;
    }
}
