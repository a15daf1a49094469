package dev.jcni.sdk.warm;

import java.util.HashMap;
import java.util.Map;
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

    /**
     * Takes the key's lock, waiting as long as it takes.
     *
     * @param key the key
     * @return the held lock
     */
    Held lock(String key) {
        Entry e = enter(key);
        e.lock.lock();
        return () -> release(key, e);
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
