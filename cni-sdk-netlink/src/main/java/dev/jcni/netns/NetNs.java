package dev.jcni.netns;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netlink.sys.Sys;
import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.Phases;
import dev.jcni.sdk.internal.Threads;
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
 * ({@link IllegalStateException}): they can move between carrier threads.
 *
 * <p>A thread started by the code inside {@link #run} or {@link #call} is born in this namespace
 * and <em>stays in it</em> for its whole life: nothing returns it. The same holds for threads the
 * JDK starts lazily on first use (a pool's worker, the process reaper): start such work outside
 * namespace calls, or make sure it does not care where it runs.
 *
 * <h2>When a thread cannot return</h2>
 * If returning fails — which only happens when the kernel refuses to re-enter a namespace the
 * thread was just in, e.g. because the code dropped the thread's {@code CAP_SYS_ADMIN} — the
 * thread would go on in the wrong namespace, and any later code on it could, say, delete links of
 * the container while meaning the host's. What happens then is the {@link RestoreFailurePolicy}:
 * <ul>
 *   <li>{@link RestoreFailurePolicy#HALT} (the default, right for a plugin process): print the
 *       reason on stderr and halt the JVM with exit status {@value #RESTORE_FAILURE_EXIT_STATUS};
 *       a CNI plugin exits with an error instead of corrupting the host.</li>
 *   <li>{@link RestoreFailurePolicy#RETIRE} (for a long-running embedder such as jcni's warm-mode
 *       daemon or a runtime): the thread is <em>retired</em> and the call throws
 *       {@link NsRestoreException}. A retired thread cannot enter a namespace, open a netlink
 *       socket or start a process through jcni again ({@link IllegalStateException});
 *       {@link #isRetired()} tells. Run each such call on a thread of its own, and end the thread
 *       when the call fails this way: never hand a retired thread more work (a pool whose task
 *       throws out of {@code execute} replaces its worker; {@code submit} does not).</li>
 * </ul>
 * Set the policy with {@link #setRestoreFailurePolicy(RestoreFailurePolicy)} or the system property
 * {@value #RESTORE_FAILURE_PROPERTY} ({@code halt} or {@code retire}); the method wins.
 *
 * <h2>Handles</h2>
 * Operations that take a {@code NetNs} (such as {@code NetlinkSocket.openAt}) do not need the
 * caller to be inside it. Close handles you open; the handle of a named namespace does not keep
 * the name alive. A handle may be closed while other threads use it: {@link #run}, {@link #call}
 * and {@link #hold()} keep its descriptor open until they are done (then it is closed), so a closed
 * descriptor's number, reused by another open, is never passed to the kernel in its place; calls
 * that start after {@link #close()} fail with {@link IllegalStateException}.
 */
public final class NetNs implements AutoCloseable {
    /** statfs magic of nsfs, where namespace files live. */
    public static final long NSFS_MAGIC = 0x6e736673L;
    /** statfs magic of procfs (old kernels show namespace files there). */
    public static final long PROC_SUPER_MAGIC = 0x9fa0L;
    /** Where named namespaces live, as iproute2 puts them. */
    public static final String NETNS_RUN_DIR = "/var/run/netns";
    /** Exit status of the JVM when a thread cannot return to its namespace (policy {@code HALT}). */
    public static final int RESTORE_FAILURE_EXIT_STATUS = 70;
    /** The system property naming the {@link RestoreFailurePolicy}: {@code halt} (default) or {@code retire}. */
    public static final String RESTORE_FAILURE_PROPERTY = "jcni.netns.restoreFailure";

    /** What to do with a thread that cannot return to its namespace after {@link #run} or {@link #call}. */
    public enum RestoreFailurePolicy {
        /** Print the reason and halt the JVM with exit status {@value NetNs#RESTORE_FAILURE_EXIT_STATUS}. */
        HALT,
        /**
         * Retire the thread (it can never enter a namespace, open a netlink socket or start a process
         * through jcni again) and throw {@link NsRestoreException} from the call.
         */
        RETIRE
    }

    private static volatile RestoreFailurePolicy policy;

    private static final String THREAD_NS = "/proc/thread-self/ns/net";

    private final String path;
    private final long dev;
    private final long ino;
    /** Guarded by this: the descriptor, -1 once closed and no longer in use. */
    private int fd;
    /** Guarded by this: how many run/call/hold are using the descriptor. */
    private int users;
    /** Guarded by this: close() was called; the last user closes the descriptor. */
    private boolean closed;

    private NetNs(String path, int fd) {
        this.path = path;
        this.fd = fd;
        long[] id = identity(fd, path);
        this.dev = id[0];
        this.ino = id[1];
    }

    /**
     * Opens a network namespace by path, e.g. {@code /var/run/netns/blue} or
     * {@code /proc/1234/ns/net} (Go: {@code ns.GetNS}). A relative path is resolved against the
     * working directory of the current plugin call (the caller's, also when the call is served by
     * the warm-mode daemon); messages and {@link #path()} show it as given.
     *
     * @param path the path
     * @return an open handle; close it
     * @throws NsPathNotExistException when the path does not exist
     * @throws NsPathNotNsException when it is not on nsfs/procfs
     * @throws NetNsException when it cannot be opened
     */
    public static NetNs get(String path) {
        // relative to the caller's working directory, which is not the JVM's when a call is served warm
        String file = path.startsWith("/") || path.isEmpty() ? path : CallContext.resolve(path).toString();
        long magic = Sys.statfsType(file);
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
            fd = Sys.openReadOnly(file);
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
        Threads.joinUninterruptibly(t);
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
     * @throws IllegalStateException on a virtual thread or a retired one, or when this handle is closed
     * @throws NetNsException when this namespace cannot be entered (the code did not run)
     * @throws NsRestoreException when the thread cannot return and the policy is
     *     {@link RestoreFailurePolicy#RETIRE} (the thread is retired)
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
     * @throws IllegalStateException on a virtual thread or a retired one, or when this handle is closed
     * @throws NetNsException when this namespace cannot be entered (the code did not run)
     * @throws NsRestoreException when the thread cannot return and the policy is
     *     {@link RestoreFailurePolicy#RETIRE} (the thread is retired)
     */
    public <T, E extends Exception> T call(NsCallable<T, E> body) throws E {
        refuseVirtualThread();
        checkNotRetired();
        long entry = Phases.start();
        int original = Sys.openReadOnly(THREAD_NS);
        try {
            int target = acquire();
            try {
                Sys.setns(target, Sys.CLONE_NEWNET);
            } catch (NetlinkException e) {
                throw new NetNsException("setns", e.errno(), "cannot enter network namespace \"" + path + "\": setns: "
                        + Errno.describe(e.errno()), e);
            } finally {
                release();
                Phases.add("namespace entry (setns)", entry);
            }
            Throwable failure = null;
            try {
                return body.call();
            } catch (Throwable t) {
                failure = t;
                throw t;
            } finally {
                long back = Phases.start();
                restore(original, failure);
                Phases.add("namespace return (setns)", back);
            }
        } finally {
            Sys.close(original);
        }
    }

    /**
     * Sets what happens to a thread that cannot return to its namespace, for the whole JVM; it
     * overrides the system property {@value #RESTORE_FAILURE_PROPERTY}.
     *
     * @param newPolicy the policy
     */
    public static void setRestoreFailurePolicy(RestoreFailurePolicy newPolicy) {
        policy = java.util.Objects.requireNonNull(newPolicy, "policy");
    }

    /**
     * @return the policy in force: the one set by {@link #setRestoreFailurePolicy}, else the system
     *     property {@value #RESTORE_FAILURE_PROPERTY}, else {@link RestoreFailurePolicy#HALT}
     */
    public static RestoreFailurePolicy restoreFailurePolicy() {
        RestoreFailurePolicy p = policy;
        if (p != null) {
            return p;
        }
        String v = System.getProperty(RESTORE_FAILURE_PROPERTY, "");
        return v.equalsIgnoreCase("retire") ? RestoreFailurePolicy.RETIRE : RestoreFailurePolicy.HALT;
    }

    /**
     * @return true when the calling thread was retired because it could not return to its namespace
     *     (policy {@link RestoreFailurePolicy#RETIRE}); such a thread must not serve again
     */
    public static boolean isRetired() {
        return CallContext.isRetired();
    }

    private static void checkNotRetired() {
        if (CallContext.isRetired()) {
            throw new IllegalStateException("this thread could not return to its network namespace earlier and was "
                    + "retired: it must not enter a namespace again");
        }
    }

    private void restore(int original, Throwable bodyFailure) {
        try {
            Sys.setns(original, Sys.CLONE_NEWNET);
        } catch (Throwable e) {
            String what = "thread " + Thread.currentThread().getName()
                    + " cannot return to its network namespace after running in " + path + " (" + e + ")";
            if (restoreFailurePolicy() == RestoreFailurePolicy.RETIRE) {
                CallContext.retire(what);
                NsRestoreException x = new NsRestoreException(what + "; the thread is retired", e);
                if (bodyFailure != null) {
                    x.addSuppressed(bodyFailure);
                }
                throw x;
            }
            System.err.println("jcni: FATAL: " + what + "; halting so that no code runs in the wrong namespace");
            System.err.flush();
            Runtime.getRuntime().halt(RESTORE_FAILURE_EXIT_STATUS);
        }
    }

    /**
     * Keeps this handle's descriptor open until the hold is closed, even if {@link #close()} is
     * called meanwhile: use it around passing {@link Hold#fd()} to the kernel (e.g. in
     * {@code IFLA_NET_NS_FD}) when another thread might close the handle.
     *
     * @return the hold; close it
     * @throws IllegalStateException when the handle is closed
     */
    public Hold hold() {
        int held = acquire();
        return new Hold() {
            private boolean released;

            @Override
            public int fd() {
                return held;
            }

            @Override
            public void close() {
                synchronized (this) {
                    if (released) {
                        return;
                    }
                    released = true;
                }
                release();
            }
        };
    }

    /** A use of a handle's descriptor; see {@link #hold()}. */
    public interface Hold extends AutoCloseable {
        /** @return the descriptor, open until {@link #close()} */
        int fd();

        /** Ends the use; the descriptor is closed now if the handle was closed meanwhile. Idempotent. */
        @Override
        void close();
    }

    private synchronized int acquire() {
        if (closed) {
            throw new IllegalStateException("network namespace handle " + path + " is closed");
        }
        users++;
        return fd;
    }

    private synchronized void release() {
        users--;
        if (closed && users == 0 && fd >= 0) {
            Sys.close(fd);
            fd = -1;
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
     * The open file descriptor (for {@code IFLA_NET_NS_FD}). It is valid until {@link #close()};
     * when another thread may close the handle, use {@link #hold()} instead, which keeps it open.
     *
     * @return the descriptor
     * @throws IllegalStateException when closed
     */
    public synchronized int fd() {
        if (closed) {
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

    /**
     * Closes the handle. Idempotent. The descriptor is closed now, or by the last of the
     * {@link #run}, {@link #call} and {@link #hold()} still using it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (users == 0 && fd >= 0) {
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
        boolean isClosed;
        synchronized (this) {
            isClosed = closed;
        }
        return "NetNs[" + path + " net:[" + ino + "]" + (isClosed ? " closed" : "") + "]";
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

    /** Go's error text for an errno: strerror with a lowercase first letter. */
    static String goText(int errno) {
        String m = Errno.message(errno);
        return m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
}
