package dev.jcni.sdk.warm;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One lock per key, made on demand and dropped when nobody holds or waits for it, so that the map
 * stays as small as the number of calls in flight.
 */
final class KeyedLocks {
    private final Map<String, Entry> entries = new HashMap<>();

    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
    }

    /** A held lock; close releases it (on the thread that took it). */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Takes the key's lock if it is free.
     *
     * @param key the key
     * @return the held lock, or null when another thread holds it
     */
    Held tryLock(String key) {
        Entry e = enter(key);
        if (e.lock.tryLock()) {
            return () -> release(key, e);
        }
        leave(key, e);
        return null;
    }

    /** Called while a wait goes on, at least every {@link #SLICE_NANOS}. */
    interface Heartbeat {
        /**
         * Says the wait goes on.
         *
         * @throws IOException when the waiter's caller is gone: the wait ends
         */
        void beat() throws IOException;
    }

    /** How long a wait goes without a heartbeat: 100 ms. */
    static final long SLICE_NANOS = 100_000_000L;

    /**
     * Takes the key's lock, waiting until a deadline, with a heartbeat every {@link #SLICE_NANOS}.
     *
     * @param key the key
     * @param deadline the end of the wait ({@link System#nanoTime()})
     * @param heartbeat called between slices of the wait
     * @return the held lock, or null when the deadline passed first
     * @throws InterruptedException when the thread is interrupted (its caller went away)
     * @throws IOException when the heartbeat says the caller is gone
     */
    Held lock(String key, long deadline, Heartbeat heartbeat) throws InterruptedException, IOException {
        Entry e = enter(key);
        boolean held = false;
        try {
            for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                if (e.lock.tryLock(Math.min(left, SLICE_NANOS), TimeUnit.NANOSECONDS)) {
                    held = true;
                    return () -> release(key, e);
                }
                heartbeat.beat();
            }
            return null;
        } finally {
            if (!held) {
                leave(key, e);
            }
        }
    }

    /** @return how many keys have a lock now (for tests and the memory bound) */
    synchronized int size() {
        return entries.size();
    }

    private synchronized Entry enter(String key) {
        Entry e = entries.computeIfAbsent(key, k -> new Entry());
        e.users++;
        return e;
    }

    private void release(String key, Entry e) {
        e.lock.unlock();
        leave(key, e);
    }

    private synchronized void leave(String key, Entry e) {
        if (--e.users == 0) {
            entries.remove(key, e);
        }
    }
}
