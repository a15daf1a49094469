package dev.jcni.netlink;

import dev.jcni.netlink.sys.Sys;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An exclusive {@code flock(2)} lock on a file, held until {@link #close()}.
 *
 * <p>Java's {@link java.nio.channels.FileChannel#lock()} takes POSIX record locks ({@code fcntl}),
 * which on Linux do not exclude {@code flock} holders. The Go plugins (host-local's store) lock
 * with {@code flock}, so a jcni plugin that shares state with them must too.
 */
public final class Flock implements AutoCloseable {
    private int fd;

    private Flock(int fd) {
        this.fd = fd;
    }

    /**
     * Creates the file when missing (mode 0600, empty), opens it read-only and waits for the
     * exclusive lock.
     *
     * @param file the lock file
     * @return the held lock
     * @throws IOException when the file cannot be created
     * @throws NetlinkException when open(2) or flock(2) fails (errno named)
     */
    public static Flock lockExclusive(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                // made by someone else meanwhile: fine
            }
        }
        int fd = Sys.openReadOnly(file.toString());
        try {
            Sys.flock(fd, Sys.LOCK_EX);
        } catch (RuntimeException e) {
            Sys.close(fd);
            throw e;
        }
        return new Flock(fd);
    }

    /** Releases the lock (closing the descriptor releases it). */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Sys.close(fd);
            fd = -1;
        }
    }
}
