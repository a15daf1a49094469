package dev.jcni.plugins.hostlocal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The exclusive lock on a store's {@code lock} file, held around each range-set operation (one
 * allocation, one release, CHECK's lookup, GC's sweep). Close it to release it.
 *
 * <p>This is the one seam for the locking primitive. The Go plugin locks with {@code flock(2)};
 * today's implementation, {@link FileChannelStoreLock}, uses {@code FileChannel.lock}, which is an
 * {@code fcntl} record lock on Linux and does <em>not</em> exclude {@code flock} holders. jcni
 * processes therefore exclude each other, but not Go processes. That does not risk duplicate
 * addresses (a reservation is created with an exclusive link/create, which fails when the address
 * file exists, whoever holds which lock), only Go's own serialisation guarantees between the two
 * kinds of process. {@link #acquire(Path)} is to switch to {@code flock(LOCK_EX)} through
 * cni-sdk-netlink's libc binding once that exists; nothing else changes.
 */
interface StoreLock extends AutoCloseable {

    /**
     * Blocks until the lock is held. The file must exist.
     *
     * @param lockFile {@code <dataDir>/<network>/lock}
     * @return the held lock
     * @throws IOException when the file cannot be opened or locked
     */
    static StoreLock acquire(Path lockFile) throws IOException {
        return FileChannelStoreLock.acquire(lockFile);
    }

    /** Releases the lock. */
    @Override
    void close();
}
