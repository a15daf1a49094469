package dev.jcni.sdk.internal;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.IntConsumer;

/**
 * The process at the other end of a connected Unix-domain socket, as the kernel recorded it when
 * that process connected (SO_PEERCRED, and a pidfd that keeps naming that process). The JDK tells
 * only the peer's uid and gid; the pid takes a system call, so cni-sdk-netlink's native library
 * provides this service. The warm-mode daemon refuses every call when there is none. Not API.
 */
public interface PeerProcesses {

    /**
     * The peer of a connected channel.
     *
     * @param channel a connected Unix-domain socket channel of the JDK
     * @return the peer; close it to release its pidfd
     * @throws IOException when the kernel does not tell (or the native library cannot load)
     */
    Peer of(SocketChannel channel) throws IOException;

    /**
     * Loads what {@link #of} needs (the native library) now, so that the daemon finds out at start,
     * and not on a call that may come when descriptors or memory are short.
     *
     * @throws IOException when it cannot load
     */
    void load() throws IOException;

    /**
     * @return the first provider found, or empty when no jcni module provides one
     */
    static Optional<PeerProcesses> find() {
        return ServiceLoader.load(PeerProcesses.class, PeerProcesses.class.getClassLoader()).findFirst();
    }

    /** A peer process: its credentials at connect time and a pidfd of it. */
    final class Peer implements AutoCloseable {
        private final int pid;
        private final int uid;
        private final int gid;
        private final int pidfd;
        private final IntConsumer closer;
        private boolean closed;

        /**
         * @param pid the peer's pid in this process's pid namespace (0 when it has none here)
         * @param uid its effective uid at connect time
         * @param gid its effective gid at connect time
         * @param pidfd a pidfd of that process, which this peer owns from now on
         * @param closer closes a file descriptor
         */
        public Peer(int pid, int uid, int gid, int pidfd, IntConsumer closer) {
            this.pid = pid;
            this.uid = uid;
            this.gid = gid;
            this.pidfd = pidfd;
            this.closer = closer;
        }

        /** @return the pid, 0 when the peer has none in this pid namespace */
        public int pid() {
            return pid;
        }

        /** @return the effective uid at connect time */
        public int uid() {
            return uid;
        }

        /** @return the effective gid at connect time */
        public int gid() {
            return gid;
        }

        /**
         * Whether the process that connected is still running under its pid, so that what
         * {@code /proc/<pid>} showed meanwhile was its own and not a later process's that reused
         * the pid: the pidfd's fdinfo names the pid while the process lives, -1 once it has gone.
         *
         * @return true when it is
         * @throws IOException when the fdinfo cannot be read
         */
        public boolean isStillThere() throws IOException {
            String info = new String(Files.readAllBytes(Path.of("/proc/self/fdinfo/" + pidfd)), StandardCharsets.US_ASCII);
            for (String line : info.split("\n")) {
                if (line.startsWith("Pid:")) {
                    return line.substring(4).trim().equals(Integer.toString(pid));
                }
            }
            return false;
        }

        /** Closes the pidfd. */
        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                closer.accept(pidfd);
            }
        }
    }
}
