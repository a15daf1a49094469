package dev.jcni.netlink.sys;

import dev.jcni.netlink.NetlinkException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;

/**
 * Loads libc through jnr-ffi once, lazily, on the first kernel call. Nothing else in jcni touches
 * jnr-ffi, so code paths that never reach the kernel never load it (nor jffi's native stub).
 */
final class Native {
    private Native() {
    }

    private static volatile boolean loaded;

    static boolean isLoaded() {
        return loaded;
    }

    static LibC libc() {
        if (Holder.FAILURE != null) {
            String why = String.valueOf(Holder.FAILURE);
            boolean stub = why.contains("jffi") || why.contains("FFI provider") || why.contains("UnsatisfiedLinkError");
            throw NetlinkException.of("load libc", "cannot load libc through jnr-ffi/jffi (" + why + ")"
                    + (stub ? "; " + JffiConfig.HINT : "") + (hiddenFromGeneratedCode(Holder.FAILURE) ? "; " + MODULE_HINT : ""),
                    Holder.FAILURE);
        }
        return Holder.LIBC;
    }

    static final String MODULE_HINT = "on the module path, jnr-ffi's generated code cannot implement the libc binding of "
            + "dev.jcni.netlink (not exported): run with -Djnr.ffi.asm.enabled=false (as jcni's launchers do) or with "
            + "--add-exports dev.jcni.netlink/dev.jcni.netlink.sys=ALL-UNNAMED";

    /** @return true when jnr-ffi's generated class could not reach the (unexported) binding on the module path */
    private static boolean hiddenFromGeneratedCode(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IllegalAccessError && Native.class.getModule().isNamed()) {
                return true;
            }
        }
        return false;
    }

    static int lastErrno() {
        return Holder.RUNTIME.getLastError();
    }

    private static final class Holder {
        static final LibC LIBC;
        static final jnr.ffi.Runtime RUNTIME;
        static final Throwable FAILURE;

        static {
            LibC lib = null;
            jnr.ffi.Runtime rt = null;
            Throwable failure = null;
            try {
                JffiConfig.apply();
                lib = LibraryLoader.create(LibC.class).failImmediately()
                        .load(Platform.getNativePlatform().getStandardCLibraryName());
                rt = jnr.ffi.Runtime.getRuntime(lib);
                loaded = true;
            } catch (Throwable t) {
                failure = t;
            }
            LIBC = lib;
            RUNTIME = rt;
            FAILURE = failure;
        }
    }
}
