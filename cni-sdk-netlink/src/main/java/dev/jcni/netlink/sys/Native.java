package dev.jcni.netlink.sys;

import dev.jcni.netlink.NetlinkException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * jcni's native glue (src/main/c/jcni-sys.c), the only native code of cni-sdk-netlink: each
 * method is one system call that returns its result, or {@code -errno} on failure. {@link Sys} is
 * the checked Java face of it. The library loads once, on the first kernel call; code that never
 * reaches the kernel never loads it.
 *
 * <p>The jar carries the library for linux {@code amd64} (also named {@code x86_64}), {@code aarch64},
 * {@code ppc64le}, {@code s390x} and {@code riscv64}, picked by {@code os.arch}; on any other
 * architecture the first kernel call fails with a message that says so.
 *
 * <p>Where the library comes from, first match wins:
 * <ol>
 *   <li>the directory named by the system property {@value #DIR_PROPERTY} or the environment
 *       variable {@value #DIR_ENV}, holding {@code linux-<os.arch>/libjcni-sys.so} (jcni's launchers
 *       point it at the distribution's {@code lib/native}, so nothing is unpacked at run time);</li>
 *   <li>the copy inside this jar, unpacked into a new file of this process's own (mode 0600) in the
 *       directory named by {@value #EXTRACT_PROPERTY} / {@value #EXTRACT_ENV}, else
 *       {@code java.io.tmpdir} (which must allow exec), and deleted as soon as it is loaded.</li>
 * </ol>
 */
final class Native {
    private Native() {
    }

    static final String DIR_PROPERTY = "jcni.native.dir";
    static final String DIR_ENV = "JCNI_NATIVE_DIR";
    static final String EXTRACT_PROPERTY = "jcni.native.extract.dir";
    static final String EXTRACT_ENV = "JCNI_NATIVE_EXTRACT_DIR";
    /** The glue's ABI version this class was written for. */
    private static final int ABI = 2;
    static final String LIBRARY = "libjcni-sys.so";

    static final String HINT = "when /tmp is mounted noexec, set " + EXTRACT_ENV + " (or -D" + EXTRACT_PROPERTY
            + ") to a directory that allows exec, or " + DIR_ENV + " (or -D" + DIR_PROPERTY
            + ") to a directory holding linux-" + arch() + "/" + LIBRARY;

    private static volatile boolean loaded;

    static boolean isLoaded() {
        return loaded;
    }

    /** Loads the library (once); throws when it cannot be loaded. */
    static void ensure() {
        if (Holder.FAILURE != null) {
            throw NetlinkException.of("load jcni-sys", "cannot load jcni's native library: " + Holder.FAILURE.getMessage()
                    + "; " + HINT, Holder.FAILURE);
        }
    }

    private static final class Holder {
        static final Throwable FAILURE = load();
    }

    private static Throwable load() {
        try {
            Path lib = locate();
            try {
                System.load(lib.toAbsolutePath().toString());
            } finally {
                if (lib.getFileName().toString().startsWith("jcni-sys-")) {
                    Files.deleteIfExists(lib); // unpacked for this process: mapped now, the file can go
                }
            }
            int abi = abiVersion();
            if (abi != ABI) {
                return new IllegalStateException(lib + " has ABI " + abi + ", this jar needs " + ABI);
            }
            loaded = true;
            return null;
        } catch (IOException | RuntimeException | LinkageError e) {
            return e;
        }
    }

    /** The architectures this jar carries a library for, by their {@code os.arch} name. */
    static final java.util.List<String> ARCHITECTURES = java.util.List.of("amd64", "aarch64", "ppc64le", "s390x",
            "riscv64");

    static String arch() {
        return arch(System.getProperty("os.arch", "unknown"));
    }

    /** The library directory's architecture for an {@code os.arch} value ({@code x86_64} is {@code amd64}). */
    static String arch(String osArch) {
        String a = osArch.toLowerCase(Locale.ROOT);
        return a.equals("x86_64") ? "amd64" : a;
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static Path locate() throws IOException {
        String relative = "linux-" + arch() + "/" + LIBRARY;
        String dir = setting(DIR_PROPERTY, DIR_ENV);
        if (dir != null) {
            Path p = Path.of(dir, relative);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        if (!ARCHITECTURES.contains(arch())) {
            throw new IOException("jcni's native library is built for linux " + String.join(", ", ARCHITECTURES)
                    + "; this JVM's architecture (os.arch) is " + System.getProperty("os.arch", "unknown")
                    + ", for which none is shipped; a library built from jcni-sys.c for it can be given with "
                    + DIR_ENV + " (or -D" + DIR_PROPERTY + ") naming a directory that holds linux-" + arch() + "/"
                    + LIBRARY);
        }
        String resource = "native/" + relative;
        byte[] bytes;
        try (InputStream in = Native.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("this build of cni-sdk-netlink has no native library for linux-" + arch()
                        + (dir == null ? "" : " and " + dir + " has none either"));
            }
            bytes = in.readAllBytes();
        }
        String extract = setting(EXTRACT_PROPERTY, EXTRACT_ENV);
        Path target = Path.of(extract != null ? extract : System.getProperty("java.io.tmpdir"));
        Files.createDirectories(target);
        // a file of this process's own (createTempFile: a fresh name, mode 0600), never one found there
        Path file = Files.createTempFile(target, "jcni-sys-", ".so");
        Files.write(file, bytes);
        return file;
    }

    // ------------------------------------------------------------ the glue (see jcni-sys.c)

    static native int abiVersion();

    static native int socket(int domain, int type, int protocol);

    static native int bindNetlink(int fd, int portId, int groups);

    static native long netlinkPortId(int fd);

    static native long sendToKernel(int fd, byte[] data, int len);

    static native long recv(int fd, ByteBuffer directBuffer, int flags);

    static native int setsockopt(int fd, int level, int name, byte[] value);

    static native int close(int fd);

    static native int flock(int fd, int operation);

    static native int open(byte[] path, int flags);

    static native int setns(int fd, int nstype);

    static native int unshare(int flags);

    static native int mount(byte[] source, byte[] target, byte[] fstype, long flags);

    static native int umount2(byte[] target, int flags);

    static native long statfsType(byte[] path);

    static native int getpid();

    static native int gettid();

    static native int peerCredentials(Object channel, int[] pidUidGid);

    static native int peerPidfd(Object channel);

    static native int pidfdOpen(int pid);
}
