package dev.jcni.netlinkmp;

import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;

/** Run on the class path against dev.jcni.netlink on the module path (see NativeLoadingTest). */
public final class ModulePathMain {
    private ModulePathMain() {
    }

    public static void main(String[] args) {
        try (NetNs ns = NetNs.current(); NetlinkHandle h = NetlinkHandle.openAt(ns)) {
            System.out.println("module " + NetlinkHandle.class.getModule().getName() + " lo="
                    + h.linkByName("lo").index());
        }
    }
}
