package dev.jcni.netlink;

import dev.jcni.netlink.sys.Sys;
import dev.jcni.sdk.internal.Phases;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * An exclusive {@code flock(2)} lock on a file, held until {@link #close()}.
 *
 * <p>Java's {@link java.nio.channels.FileChannel#lock()} takes POSIX record locks ({@code fcntl}),
 * which on Linux do not exclude {@code flock} holders. The Go plugins (host-local's store) lock
 * with {@code flock}, so a jcni plugin that shares state with them must too.
 *
 * <p>Holders in this JVM (the calls of a warm-mode daemon) also queue for the lock in the JVM, in
 * order of arrival, before they take the {@code flock}: a waiter here is woken as the lock is
 * released, instead of finding out at its next attempt (up to 50 ms later). The queue is per path
 * as given ({@link Path#toAbsolutePath()}, normalized); the {@code flock} still excludes everybody
 * else, other processes (Go's plugins) and other paths to the same file.
 */
public final class Flock implements AutoCloseable {
    /** The in-JVM queues, per lock file path; an entry lives while somebody holds or waits for it. */
    private static final Map<String, Queue> QUEUES = new HashMap<>();

    private static final class Queue {
        final Semaphore turn = new Semaphore(1, true);
        int users;
    }

    private int fd;
    private String queueKey;
    private Queue queue;

    private Flock(int fd) {
        this.fd = fd;
    }

    /**
     * How long {@link #lockExclusive(Path)} waits for other holders: 90 s. Many calls at once queue
     * for a lock (50 cold plugin starts on 2 cores kept the last one waiting about 40 s), so the bound
     * is for a wedged holder, not for a queue; it ends the wait within kubelet's 2-minute runtime
     * request timeout, with time left to answer.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(90);
    /** The longest pause between two attempts while another holder has the lock. */
    private static final long MAX_PAUSE_MS = 50;

    /**
     * {@link #lockExclusive(Path, Duration)} waiting at most {@link #DEFAULT_TIMEOUT}.
     *
     * @param file the lock file
     * @return the held lock
     * @throws IOException when the file cannot be created
     * @throws NetlinkException when open(2) or flock(2) fails (errno named), or with
     *     {@link Errno#EAGAIN} when another holder kept the lock past the timeout
     */
    public static Flock lockExclusive(Path file) throws IOException {
        return lockExclusive(file, DEFAULT_TIMEOUT);
    }

    /**
     * Creates the file when missing (mode 0600, empty), opens it read-only and takes the exclusive
     * lock, waiting for another holder at most {@code timeout}: the lock is tried without blocking
     * ({@code LOCK_NB}), again after pauses growing from 1 ms to 50 ms, so that the wait is bounded
     * and an interrupt ends it (a blocking {@code flock(2)} would wait for ever, deaf to both).
     *
     * @param file the lock file
     * @param timeout how long to wait for another holder
     * @return the held lock
     * @throws IOException when the file cannot be created
     * @throws NetlinkException when open(2) or flock(2) fails (errno named); with
     *     {@link Errno#EAGAIN} when another holder kept the lock past the timeout, with
     *     {@link Errno#EINTR} when the thread was interrupted while waiting (its flag stays set)
     */
    public static Flock lockExclusive(Path file, Duration timeout) throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                // made by someone else meanwhile: fine
            }
        }
        long t = Phases.start();
        long end = System.nanoTime() + timeout.toNanos();
        String key = file.toAbsolutePath().normalize().toString();
        Queue q = enter(key);
        boolean ok = false;
        try {
            try {
                // a free lock is taken even by an interrupted thread, as the flock itself would be
                if (!q.turn.tryAcquire() && !q.turn.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
                    throw held(file, timeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(file);
            }
            int fd;
            try {
                fd = Sys.openReadOnly(file.toString());
            } catch (RuntimeException e) {
                q.turn.release();
                throw e;
            }
            try {
                waitFor(fd, file, timeout, end);
            } catch (RuntimeException e) {
                Sys.close(fd);
                q.turn.release();
                throw e;
            }
            Phases.add("file lock (queue, open, flock and its wait)", t);
            Flock f = new Flock(fd);
            f.queueKey = key;
            f.queue = q;
            ok = true;
            return f;
        } finally {
            if (!ok) {
                leave(key, q);
            }
        }
    }

    private static synchronized Queue enter(String key) {
        Queue q = QUEUES.get(key); // no computeIfAbsent lambda on a cold call's way
        if (q == null) {
            q = new Queue();
            QUEUES.put(key, q);
        }
        q.users++;
        return q;
    }

    private static synchronized void leave(String key, Queue q) {
        if (--q.users == 0) {
            QUEUES.remove(key, q);
        }
    }

    /**
     * @param file a lock file
     * @return how many threads of this JVM wait in its queue now
     */
    static synchronized int waiters(Path file) {
        Queue q = QUEUES.get(file.toAbsolutePath().normalize().toString());
        return q == null ? 0 : q.turn.getQueueLength();
    }

    /** @return how many lock files have an in-JVM queue now (0 when nobody holds or waits: the map does not grow) */
    static synchronized int queueCount() {
        return QUEUES.size();
    }

    private static NetlinkException held(Path file, Duration timeout) {
        return new NetlinkException("flock \"" + file + "\" (held by another for more than " + timeout.toMillis()
                + " ms)", Errno.EAGAIN);
    }

    private static NetlinkException interrupted(Path file) {
        return new NetlinkException("flock \"" + file + "\" (interrupted while waiting)", Errno.EINTR);
    }

    private static void waitFor(int fd, Path file, Duration timeout, long end) {
        long pause = 1;
        while (!Sys.tryLockExclusive(fd)) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw held(file, timeout);
            }
            try {
                Thread.sleep(Math.min(pause, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw interrupted(file);
            }
            pause = Math.min(pause * 2, MAX_PAUSE_MS);
        }
    }

    /** Releases the lock (closing the descriptor releases it). */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Sys.close(fd);
            fd = -1;
            if (queue != null) {
                queue.turn.release();
                leave(queueKey, queue);
                queue = null;
            }
        }
    }
}
