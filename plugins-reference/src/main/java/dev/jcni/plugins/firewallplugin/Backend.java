package dev.jcni.plugins.firewallplugin;

import dev.jcni.plugins.ip.Rollback;
import dev.jcni.sdk.types.Result;

/** A firewall backend (Go's {@code FirewallBackend}): what lets a container's addresses through. */
interface Backend {
    /**
     * ADD: lets the addresses of {@code prev} through, registering the removal of what it made.
     *
     * @param conf the configuration
     * @param prev the previous result
     * @param rollback the ADD's rollback
     */
    void add(FirewallConfig conf, Result prev, Rollback rollback);

    /**
     * DEL: removes what {@link #add} made for the addresses of {@code prev}; what is already gone is fine.
     *
     * @param conf the configuration
     * @param prev the previous result (no addresses when the runtime sent none)
     */
    void del(FirewallConfig conf, Result prev);

    /**
     * CHECK: what {@link #add} made is there.
     *
     * @param conf the configuration
     * @param prev the previous result
     */
    void check(FirewallConfig conf, Result prev);
}
