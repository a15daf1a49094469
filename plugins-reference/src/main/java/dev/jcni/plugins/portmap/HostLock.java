package dev.jcni.plugins.portmap;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Semaphore;

/**
 * A host-wide lock (a POSIX file lock on {@code /run/jcni/portmap.lock}) around the check-then-add of
 * the shared iptables chains, so that concurrent ADDs of jcni's portmap do not add a shared rule
 * twice. When the file cannot be made the plugin goes on without the lock, as Go's plugin always
 * does. Threads of one JVM (calls served by the warm-mode daemon) first exclude each other in the
 * JVM: a POSIX lock is held per process, so a second thread's attempt would not wait for the first.
 */
final class HostLock implements AutoCloseable {
    static final Path DEFAULT = Path.of("/run/jcni/portmap.lock");
    /** The lock among threads of this JVM, taken before the file lock and released after it. */
    private static final Semaphore IN_JVM = new Semaphore(1);

    private final FileChannel channel;
    private final FileLock lock;
    private boolean released;

    private HostLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** @return the held lock, or a no-op lock when the file cannot be opened */
    static HostLock acquire() {
        return acquire(DEFAULT);
    }

    static HostLock acquire(Path file) {
        IN_JVM.acquireUninterruptibly();
        FileChannel ch = null;
        try {
            Files.createDirectories(file.getParent());
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new HostLock(ch, ch.lock());
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing held
                }
            }
            return new HostLock(null, null);
        }
    }

    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing the channel releases the lock anyway
        } finally {
            IN_JVM.release();
        }
    }
}
