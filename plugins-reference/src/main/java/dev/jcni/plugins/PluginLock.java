package dev.jcni.plugins;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.Flock;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * The one file lock of the reference plugins: host-local's store lock and portmap's lock around the
 * shared firewall chains. It is an exclusive {@code flock(2)} (cni-sdk-netlink's {@link Flock}), the
 * lock Go's host-local takes, so jcni and Go plugins sharing a file exclude each other; every
 * acquisition opens its own descriptor, so two calls in one process (threads of a warm-mode daemon)
 * exclude each other too. ({@code FileChannel.lock} takes an {@code fcntl} lock, which neither excludes
 * {@code flock} holders nor waits for another holder in the same JVM.)
 *
 * <p>One failure policy: a lock that cannot be taken fails the call (closed), naming the file; nothing
 * goes on unlocked. The wait for other holders is bounded ({@link Flock#DEFAULT_TIMEOUT}, 90 s): past
 * it the call fails with code 11 ({@code TRY_AGAIN_LATER}), where Go's plugins wait for ever; any other
 * failure is code 5 ({@code IO_FAILURE}).
 */
public final class PluginLock implements AutoCloseable {
    private final Flock flock;

    private PluginLock(Flock flock) {
        this.flock = flock;
    }

    /**
     * Takes the lock, waiting for other holders at most {@link Flock#DEFAULT_TIMEOUT} (90 s). Missing
     * parent directories are created (mode 0700), and the file (mode 0600) when missing.
     *
     * @param file the lock file
     * @return the held lock; close it to release
     * @throws CniException code 11 ({@code TRY_AGAIN_LATER}) when another holder kept it past the
     *     timeout; code 5 when the directory or file cannot be made, opened or locked
     */
    public static PluginLock acquire(Path file) {
        return acquire(file, Flock.DEFAULT_TIMEOUT);
    }

    /**
     * {@link #acquire(Path)} with another bound on the wait.
     *
     * @param file the lock file
     * @param timeout how long to wait for another holder
     * @return the held lock
     */
    static PluginLock acquire(Path file, Duration timeout) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException e) {
                    // made meanwhile by someone else, or not a directory: the open below tells
                }
            }
            return new PluginLock(Flock.lockExclusive(file, timeout));
        } catch (NetlinkException e) {
            if (e.errno() == Errno.EAGAIN) {
                throw new CniException(ErrorCodes.TRY_AGAIN_LATER, "cannot lock " + file + ": other calls held it for all of "
                        + timeout.toSeconds() + " s this call waited; try again later", "", e);
            }
            throw new CniException(ErrorCodes.IO_FAILURE, "cannot lock " + file + ": " + e.getMessage(), "", e);
        } catch (IOException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : String.valueOf(e.getMessage());
            throw new CniException(ErrorCodes.IO_FAILURE, "cannot lock " + file + ": " + why, "", e);
        }
    }

    /** Releases the lock. */
    @Override
    public void close() {
        flock.close();
    }
}
