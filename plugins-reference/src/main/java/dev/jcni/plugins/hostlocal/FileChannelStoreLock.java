package dev.jcni.plugins.hostlocal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link StoreLock} through {@code FileChannel.lock} (an {@code fcntl} lock: excludes other
 * processes) plus a lock per file inside this JVM ({@code fcntl} locks are per process, and Java
 * refuses a second lock on one file from the same JVM). See {@link StoreLock} for why this is to be
 * replaced by {@code flock}.
 *
 * <p>Caution inherent to {@code fcntl}: closing <em>any</em> descriptor of the lock file drops the
 * process's lock, so nothing else in the plugin opens the {@code lock} file while it is held.
 */
final class FileChannelStoreLock implements StoreLock {
    private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private final ReentrantLock inProcess;
    private final FileChannel channel;
    private final FileLock lock;

    private FileChannelStoreLock(ReentrantLock inProcess, FileChannel channel, FileLock lock) {
        this.inProcess = inProcess;
        this.channel = channel;
        this.lock = lock;
    }

    static StoreLock acquire(Path lockFile) throws IOException {
        ReentrantLock mine = IN_PROCESS.computeIfAbsent(lockFile.toAbsolutePath().normalize(), k -> new ReentrantLock());
        mine.lock();
        FileChannel ch = null;
        try {
            // an exclusive fcntl lock needs a descriptor open for writing (flock would not)
            ch = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE);
            return new FileChannelStoreLock(mine, ch, ch.lock());
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            mine.unlock();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it as well
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            } finally {
                inProcess.unlock();
            }
        }
    }
}
