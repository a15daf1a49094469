/** The reference CNI plugins: bridge, ptp, host-local and portmap. */
module dev.jcni.plugins {
    requires dev.jcni.sdk;
    requires dev.jcni.netlink;
    requires com.fasterxml.jackson.databind;
}
