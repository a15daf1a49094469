package dev.jcni.netns;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.sys.Sys;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A handle on a network namespace: an open file descriptor of it (Go: {@code ns.NetNS}).
 *
 * <ul>
 *   <li>{@link #get(String)} opens one by path, checking that the path is a namespace
 *       (Go: {@code ns.GetNS}); {@link #current()} is the calling thread's (Go: {@code ns.GetCurrentNS}).</li>
 *   <li>{@link #create(String)} makes a named one as {@code ip netns add} does;
 *       {@link #delete(String)} removes it as {@code ip netns delete} does.</li>
 *   <li>{@link #run} / {@link #call} run code inside it on the calling thread (Go: {@code Do}).</li>
 *   <li>{@link #equals(Object)} compares the namespaces themselves (device and inode), not paths.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * {@code setns(2)} changes the namespace of one thread. {@link #run} therefore works on the
 * calling <em>platform</em> thread: it enters this namespace, runs the code, and always returns the
 * thread to the namespace it was in, also when the code throws. Virtual threads are refused
 * ({@link IllegalStateException}): they can move between carrier threads. If returning fails —
 * which only happens when the kernel refuses to re-enter a namespace the thread was just in — the
 * thread would go on in the wrong namespace, and any later code could, say, delete host links.
 * jcni does not allow that: it prints the reason on stderr and <b>halts the JVM</b> with exit
 * status {@value #RESTORE_FAILURE_EXIT_STATUS} (a CNI plugin exits with an error instead of
 * corrupting the host).
 *
 * <p>Operations that take a {@code NetNs} (such as {@code NetlinkSocket.openAt}) do not need the
 * caller to be inside it. Close handles you open; the handle of a named namespace does not keep
 * the name alive.
 */
public final class NetNs implements AutoCloseable {
    /** statfs magic of nsfs, where namespace files live. */
    public static final long NSFS_MAGIC = 0x6e736673L;
    /** statfs magic of procfs (old kernels show namespace files there). */
    public static final long PROC_SUPER_MAGIC = 0x9fa0L;
    /** Where named namespaces live, as iproute2 puts them. */
    public static final String NETNS_RUN_DIR = "/var/run/netns";
    /** Exit status of the JVM when a thread cannot return to its namespace. */
    public static final int RESTORE_FAILURE_EXIT_STATUS = 70;

    private static final String THREAD_NS = "/proc/thread-self/ns/net";

    private final String path;
    private final long dev;
    private final long ino;
    private int fd;

    private NetNs(String path, int fd) {
        this.path = path;
        this.fd = fd;
        long[] id = identity(fd, path);
        this.dev = id[0];
        this.ino = id[1];
    }

    /**
     * Opens a network namespace by path, e.g. {@code /var/run/netns/blue} or
     * {@code /proc/1234/ns/net} (Go: {@code ns.GetNS}).
     *
     * @param path the path
     * @return an open handle; close it
     * @throws NsPathNotExistException when the path does not exist
     * @throws NsPathNotNsException when it is not on nsfs/procfs
     * @throws NetNsException when it cannot be opened
     */
    public static NetNs get(String path) {
        long magic = Sys.statfsType(path);
        if (magic == -Errno.ENOENT) {
            throw new NsPathNotExistException(path);
        }
        if (magic < 0) {
            throw new NetNsException("statfs", (int) -magic, "failed to Statfs \"" + path + "\": "
                    + goText((int) -magic), null);
        }
        if (magic != NSFS_MAGIC && magic != PROC_SUPER_MAGIC) {
            throw new NsPathNotNsException(path, magic);
        }
        int fd;
        try {
            fd = Sys.openReadOnly(path);
        } catch (NetlinkException e) {
            throw new NetNsException("open", e.errno(), "failed to open \"" + path + "\": " + goText(e.errno()), e);
        }
        return new NetNs(path, fd);
    }

    /**
     * Opens a network namespace by path.
     *
     * @param path the path
     * @return an open handle
     * @see #get(String)
     */
    public static NetNs get(Path path) {
        return get(path.toString());
    }

    /**
     * The calling thread's network namespace (Go: {@code ns.GetCurrentNS}).
     *
     * @return an open handle; close it
     */
    public static NetNs current() {
        String p = "/proc/" + Sys.getpid() + "/task/" + Sys.gettid() + "/ns/net";
        return new NetNs(p, Sys.openReadOnly(THREAD_NS));
    }

    /**
     * The path of a named namespace.
     *
     * @param name the name
     * @return {@code /var/run/netns/<name>}
     */
    public static Path namedPath(String name) {
        checkName(name);
        return Path.of(NETNS_RUN_DIR, name);
    }

    /**
     * Creates a named network namespace as {@code ip netns add} does: makes {@value #NETNS_RUN_DIR}
     * a shared mount point (bind-mounting it onto itself first if needed), creates
     * {@code <dir>/<name>}, unshares a new network namespace on a short-lived thread and
     * bind-mounts it there. The calling thread's namespace does not change.
     *
     * @param name the name (no {@code /})
     * @return an open handle on the new namespace; close it (the namespace stays until {@link #delete(String)})
     * @throws NetNsException {@code EEXIST} when the name is taken, or the failing step's errno
     */
    public static NetNs create(String name) {
        Path file = namedPath(name);
        String dir = NETNS_RUN_DIR;
        try {
            Files.createDirectories(Path.of(dir));
        } catch (IOException e) {
            throw new NetNsException("mkdir", 0, "cannot create " + dir + ": " + e.getMessage(), e);
        }
        makeShared(dir);
        try {
            Files.createFile(file);
        } catch (FileAlreadyExistsException e) {
            throw new NetNsException("create", Errno.EEXIST, "cannot create namespace file \"" + file
                    + "\": " + Errno.describe(Errno.EEXIST), e);
        } catch (IOException e) {
            throw new NetNsException("create", 0, "cannot create namespace file \"" + file + "\": " + e, e);
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                // this thread alone moves to the new namespace and then ends
                Sys.unshare(Sys.CLONE_NEWNET);
                int err = Sys.mount(THREAD_NS, file.toString(), "none", Sys.MS_BIND);
                if (err != 0) {
                    throw new NetNsException("mount", err, "bind mount of the new namespace onto \"" + file
                            + "\": " + Errno.describe(err), null);
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "jcni-netns-create");
        t.setDaemon(true);
        t.start();
        joinUninterruptibly(t);
        Throwable f = failure.get();
        if (f != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // best effort
            }
            if (f instanceof NetNsException) {
                throw (NetNsException) f;
            }
            if (f instanceof NetlinkException) {
                NetlinkException ne = (NetlinkException) f;
                throw new NetNsException(ne.operation(), ne.errno(), "cannot create network namespace \"" + name
                        + "\": " + ne.getMessage(), ne);
            }
            throw new NetNsException("create", 0, "cannot create network namespace \"" + name + "\": " + f, f);
        }
        return get(file.toString());
    }

    /**
     * Deletes a named namespace as {@code ip netns delete} does: lazy unmount, then unlink. The
     * namespace itself lives on while processes or open handles still use it.
     *
     * @param name the name
     * @throws NsPathNotExistException when there is no such name
     * @throws NetNsException when the file cannot be removed
     */
    public static void delete(String name) {
        Path file = namedPath(name);
        if (!Files.exists(file)) {
            throw new NsPathNotExistException(file.toString());
        }
        Sys.umount2(file.toString(), Sys.MNT_DETACH);
        try {
            Files.delete(file);
        } catch (NoSuchFileException e) {
            throw new NsPathNotExistException(file.toString());
        } catch (IOException e) {
            throw new NetNsException("unlink", 0, "cannot remove namespace file \"" + file + "\": " + e, e);
        }
    }

    private static void makeShared(String dir) {
        for (int attempt = 0; attempt < 2; attempt++) {
            int err = Sys.mount("", dir, "none", Sys.MS_SHARED | Sys.MS_REC);
            if (err == 0) {
                return;
            }
            if (err != Errno.EINVAL || attempt == 1) {
                throw new NetNsException("mount", err, "mount --make-shared " + dir + ": " + Errno.describe(err), null);
            }
            // not a mount point yet: bind it onto itself, as iproute2 does
            int bind = Sys.mount(dir, dir, "none", Sys.MS_BIND | Sys.MS_REC);
            if (bind != 0) {
                throw new NetNsException("mount", bind, "mount --bind " + dir + " " + dir + ": " + Errno.describe(bind),
                        null);
            }
        }
    }

    /**
     * Runs code inside this namespace on the calling platform thread and returns the thread to
     * its namespace afterwards, also when the code throws (Go: {@code netns.Do}).
     *
     * @param body the code
     * @param <E> the code's checked exception
     * @throws E what the code throws
     * @throws IllegalStateException on a virtual thread, or when this handle is closed
     * @throws NetNsException when this namespace cannot be entered (the code did not run)
     */
    public <E extends Exception> void run(NsRunnable<E> body) throws E {
        call(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Runs code inside this namespace on the calling platform thread and returns its result; the
     * thread always returns to its namespace.
     *
     * @param body the code
     * @param <T> its result type
     * @param <E> its checked exception
     * @return what the code returned
     * @throws E what the code throws
     * @throws IllegalStateException on a virtual thread, or when this handle is closed
     * @throws NetNsException when this namespace cannot be entered (the code did not run)
     */
    public <T, E extends Exception> T call(NsCallable<T, E> body) throws E {
        refuseVirtualThread();
        int target = fd;
        if (target < 0) {
            throw new IllegalStateException("network namespace handle " + path + " is closed");
        }
        int original = Sys.openReadOnly(THREAD_NS);
        try {
            try {
                Sys.setns(target, Sys.CLONE_NEWNET);
            } catch (NetlinkException e) {
                throw new NetNsException("setns", e.errno(), "cannot enter network namespace \"" + path + "\": setns: "
                        + Errno.describe(e.errno()), e);
            }
            try {
                return body.call();
            } finally {
                restore(original);
            }
        } finally {
            Sys.close(original);
        }
    }

    private void restore(int original) {
        try {
            Sys.setns(original, Sys.CLONE_NEWNET);
        } catch (Throwable e) {
            System.err.println("jcni: FATAL: thread " + Thread.currentThread().getName()
                    + " cannot return to its network namespace after running in " + path + " (" + e
                    + "); halting so that no code runs in the wrong namespace");
            System.err.flush();
            Runtime.getRuntime().halt(RESTORE_FAILURE_EXIT_STATUS);
        }
    }

    private static void refuseVirtualThread() {
        MethodHandle isVirtual = VirtualThreads.IS_VIRTUAL;
        if (isVirtual == null) {
            return;
        }
        boolean virtual;
        try {
            virtual = (boolean) isVirtual.invokeExact(Thread.currentThread());
        } catch (Throwable e) {
            return;
        }
        if (virtual) {
            throw new IllegalStateException("NetNs.run needs a platform thread: setns(2) changes one OS thread, and a "
                    + "virtual thread may move between carrier threads; call it from a platform thread");
        }
    }

    private static final class VirtualThreads {
        static final MethodHandle IS_VIRTUAL = find();

        private static MethodHandle find() {
            try {
                return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                        MethodType.methodType(boolean.class));
            } catch (ReflectiveOperationException e) {
                return null; // Java 17/18: no virtual threads
            }
        }
    }

    /**

     * @return the path this handle was opened from

     */
    public String path() {
        return path;
    }

    /**
     * @return the open file descriptor (for {@code IFLA_NET_NS_FD}); valid until {@link #close()}
     * @throws IllegalStateException when closed
     */
    public int fd() {
        if (fd < 0) {
            throw new IllegalStateException("network namespace handle " + path + " is closed");
        }
        return fd;
    }

    /**

     * @return true when the namespace is the calling thread's current one

     */
    public boolean isCurrent() {
        try (NetNs cur = current()) {
            return equals(cur);
        }
    }

    /** Closes the descriptor. Idempotent. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Sys.close(fd);
            fd = -1;
        }
    }

    /**
     * Two handles are equal when they refer to the same namespace (same device and inode),
     * whatever their paths.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof NetNs && ((NetNs) o).dev == dev && ((NetNs) o).ino == ino;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(dev * 31 + ino);
    }

    /**

     * @return {@code NetNs[<path> net:[<inode>]]}

     */
    @Override
    public String toString() {
        return "NetNs[" + path + " net:[" + ino + "]" + (fd < 0 ? " closed" : "") + "]";
    }

    private static long[] identity(int fd, String path) {
        Path p = Path.of("/proc/self/fd/" + fd);
        try {
            Object dev = Files.getAttribute(p, "unix:dev");
            Object ino = Files.getAttribute(p, "unix:ino");
            return new long[] {((Number) dev).longValue(), ((Number) ino).longValue()};
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            Sys.close(fd);
            throw new NetNsException("stat", 0, "cannot stat network namespace \"" + path + "\": " + e, e);
        }
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid network namespace name: \"" + name + "\"");
        }
    }

    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Go's error text for an errno: strerror with a lowercase first letter. */
    static String goText(int errno) {
        String m = Errno.message(errno);
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
