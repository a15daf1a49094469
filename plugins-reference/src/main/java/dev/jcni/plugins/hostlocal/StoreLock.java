package dev.jcni.plugins.hostlocal;

import dev.jcni.netlink.Flock;
import dev.jcni.netlink.NetlinkException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The exclusive lock on a store's {@code lock} file, held around each range-set operation (one
 * allocation, one release, CHECK's lookup, GC's sweep). Close it to release it.
 *
 * <p>It is {@code flock(2)} (through cni-sdk-netlink's {@link Flock}), the lock Go's host-local
 * takes, so a jcni and a Go host-local sharing one store exclude each other. ({@code
 * FileChannel.lock} would be an {@code fcntl} lock, which does not exclude {@code flock} holders.)
 * Each acquisition opens its own descriptor, so threads of one process exclude each other too.
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
        if (!Files.isRegularFile(lockFile)) {
            throw new java.nio.file.NoSuchFileException(lockFile.toString());
        }
        Flock flock;
        try {
            flock = Flock.lockExclusive(lockFile);
        } catch (NetlinkException e) {
            throw new IOException(e.getMessage(), e);
        }
        return flock::close;
    }

    /** Releases the lock. */
    @Override
    void close();
}
