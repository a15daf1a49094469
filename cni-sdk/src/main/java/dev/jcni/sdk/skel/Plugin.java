package dev.jcni.sdk.skel;

import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;

/**
 * A CNI plugin. Implement the verbs and hand the plugin to {@link PluginMain#run(Plugin)} from
 * {@code main}; the skel validates the environment and stdin, enforces the version rules, calls
 * the matching method, and prints the result or the error.
 *
 * <p>Throw {@link dev.jcni.sdk.types.CniException} to fail with a spec error code; any other
 * exception becomes code 999 with the exception's message. Nothing but the protocol may reach
 * stdout: log through {@link Request#logger()}.
 */
public interface Plugin {

    /**
     * ADD: attach the container (create or adjust {@code CNI_IFNAME} in {@code CNI_NETNS}).
     *
     * @param request the call
     * @return the result, in any version; the skel converts it to the configuration's version
     * @throws Exception to fail the call
     */
    Result add(Request request) throws Exception;

    /**
     * CHECK: verify the attachment still matches {@code prevResult}. Called only for
     * configurations of version 0.4.0 or later.
     *
     * @param request the call
     * @throws Exception when something is missing or wrong
     */
    void check(Request request) throws Exception;

    /**
     * DEL: detach the container and release its resources. Must succeed when things are already
     * gone, and when called twice.
     *
     * @param request the call
     * @throws Exception to fail the call
     */
    void del(Request request) throws Exception;

    /**
     * GC: release every resource of attachments not in
     * {@link dev.jcni.sdk.types.NetConf#validAttachments()}. Called only for configurations of
     * version 1.1.0 or later. The default does nothing, as the spec allows.
     *
     * @param request the call (no container id, netns or ifname)
     * @throws Exception to fail the call
     */
    default void gc(Request request) throws Exception {
    }

    /**
     * STATUS: succeed when ready to service ADD; otherwise throw code 50 or 51. Called only for
     * configurations of version 1.1.0 or later. The default reports ready.
     *
     * @param request the call
     * @throws Exception when not ready
     */
    default void status(Request request) throws Exception {
    }

    /**
     * The spec versions this plugin supports, answered to VERSION and used to reject configurations
     * of other versions (code 1).
     *
     * @return the plugin info; default: every version from 0.1.0 to 1.1.0
     */
    default PluginInfo versionInfo() {
        return PluginInfo.all();
    }

    /**
     * A line about the plugin, printed to stderr when the plugin is run without {@code CNI_COMMAND}
     * (e.g. {@code CNI bridge plugin v1.2.0}). Empty means: answer such a run with the code 4 error.
     *
     * @return the about text
     */
    default String about() {
        return "";
    }
}
