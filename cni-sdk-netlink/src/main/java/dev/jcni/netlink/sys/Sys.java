package dev.jcni.netlink.sys;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Checked wrappers over jcni's native glue ({@code Native}, src/main/c/jcni-sys.c): each returns the
 * result or throws a {@link NetlinkException} naming the call and the errno, e.g.
 * {@code setns: EINVAL (Invalid argument)}. Internal to cni-sdk-netlink (not exported).
 */
public final class Sys {
    private Sys() {
    }

    /** AF_NETLINK. */
    public static final int AF_NETLINK = 16;
    /** SOCK_RAW. */
    public static final int SOCK_RAW = 3;
    /** SOCK_CLOEXEC. */
    public static final int SOCK_CLOEXEC = 0x80000;
    /** SOL_SOCKET. */
    public static final int SOL_SOCKET = 1;
    /** SO_SNDBUF. */
    public static final int SO_SNDBUF = 7;
    /** SO_RCVBUF. */
    public static final int SO_RCVBUF = 8;
    /** SO_RCVTIMEO. */
    public static final int SO_RCVTIMEO = 20;
    /** SOL_NETLINK. */
    public static final int SOL_NETLINK = 270;
    /** MSG_PEEK. */
    public static final int MSG_PEEK = 2;
    /** MSG_TRUNC. */
    public static final int MSG_TRUNC = 0x20;
    /** O_RDONLY. */
    public static final int O_RDONLY = 0;
    /** O_CLOEXEC. */
    public static final int O_CLOEXEC = 0x80000;
    /** CLONE_NEWNET. */
    public static final int CLONE_NEWNET = 0x40000000;
    /** MS_BIND. */
    public static final long MS_BIND = 4096;
    /** MS_REC. */
    public static final long MS_REC = 16384;
    /** MS_SHARED. */
    public static final long MS_SHARED = 1 << 20;
    /** MNT_DETACH. */
    public static final int MNT_DETACH = 2;

    /**

     * @return true once jcni's native library has been loaded in this JVM

     */
    public static boolean isLoaded() {
        return Native.isLoaded();
    }

    /** Loads libc now (it is otherwise loaded on the first kernel call). */
    public static void load() {
        Native.ensure();
    }

    private static NetlinkException fail(String call, long negativeErrno) {
        return new NetlinkException(call, (int) -negativeErrno);
    }

    /** A path as the kernel takes it: UTF-8, NUL-terminated. */
    private static byte[] cPath(String path) {
        byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
        byte[] c = Arrays.copyOf(utf8, utf8.length + 1);
        return c;
    }


    /**
     * socket(2).
     *
     * @param domain domain
     * @param type type
     * @param protocol protocol
     * @return the file descriptor
     */
    public static int socket(int domain, int type, int protocol) {
        Native.ensure();
        int fd = Native.socket(domain, type, protocol);
        if (fd < 0) {
            throw fail("socket", fd);
        }
        return fd;
    }

    /**
     * bind(2) of a netlink socket.
     *
     * @param fd socket
     * @param pid port id to ask for (0: the kernel picks)
     * @param groups multicast groups
     */
    public static void bindNetlink(int fd, int pid, int groups) {
        Native.ensure();
        int r = Native.bindNetlink(fd, pid, groups);
        if (r < 0) {
            throw fail("bind", r);
        }
    }

    /**
     * getsockname(2) of a netlink socket.
     *
     * @param fd socket
     * @return the port id the kernel gave it
     */
    public static int netlinkPortId(int fd) {
        Native.ensure();
        long id = Native.netlinkPortId(fd);
        if (id < 0) {
            throw fail("getsockname", id);
        }
        return (int) id;
    }

    /**
     * sendto(2) to the kernel (netlink port 0).
     *
     * @param fd socket
     * @param data bytes
     * @param len how many bytes
     */
    public static void sendToKernel(int fd, byte[] data, int len) {
        if (len < 0 || len > data.length) {
            throw new IllegalArgumentException("length " + len + " of a " + data.length + "-byte array");
        }
        Native.ensure();
        long n = Native.sendToKernel(fd, data, len);
        if (n < 0) {
            throw fail("sendto", n);
        }
        if (n != len) {
            throw NetlinkException.of("sendto", "sendto: short write " + n + " of " + len);
        }
    }

    /**
     * recvfrom(2) into a direct buffer, retrying on EINTR.
     *
     * @param fd socket
     * @param buf a direct buffer; filled from position 0
     * @param flags MSG_ flags
     * @return the length of the datagram (greater than the buffer with MSG_TRUNC when it did not fit)
     */
    public static int recv(int fd, ByteBuffer buf, int flags) {
        if (!buf.isDirect()) {
            throw new IllegalArgumentException("recv needs a direct buffer");
        }
        Native.ensure();
        long n = Native.recv(fd, buf, flags);
        if (n < 0) {
            throw fail("recvfrom", n);
        }
        return (int) n;
    }

    /**
     * setsockopt(2) with an int value.
     *
     * @param fd socket
     * @param level level
     * @param name option
     * @param value value
     * @param what the option's name for the message
     */
    public static void setsockoptInt(int fd, int level, int name, int value, String what) {
        byte[] v = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array();
        Native.ensure();
        int r = Native.setsockopt(fd, level, name, v);
        if (r < 0) {
            throw fail("setsockopt " + what, r);
        }
    }

    /**
     * setsockopt(2) with a struct timeval (64-bit layout).
     *
     * @param fd socket
     * @param name SO_RCVTIMEO or SO_SNDTIMEO
     * @param millis the timeout
     */
    public static void setsockoptTimeval(int fd, int name, long millis) {
        byte[] v = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder())
                .putLong(millis / 1000).putLong((millis % 1000) * 1000).array();
        Native.ensure();
        int r = Native.setsockopt(fd, SOL_SOCKET, name, v);
        if (r < 0) {
            throw fail("setsockopt SO_RCVTIMEO", r);
        }
    }

    /**
     * close(2); errors are ignored (the descriptor is gone either way on Linux).
     *
     * @param fd descriptor
     */
    public static void close(int fd) {
        Native.ensure();
        Native.close(fd);
    }

    /** flock(2): exclusive lock. */
    public static final int LOCK_EX = 2;
    /** flock(2): unlock. */
    public static final int LOCK_UN = 8;
    /** flock(2): fail with EWOULDBLOCK instead of waiting. */
    public static final int LOCK_NB = 4;

    /**
     * flock(2) exclusive, without waiting.
     *
     * @param fd descriptor
     * @return true when the lock is now held; false when another descriptor holds it (EWOULDBLOCK)
     */
    public static boolean tryLockExclusive(int fd) {
        Native.ensure();
        int r = Native.flock(fd, LOCK_EX | LOCK_NB);
        if (r == -Errno.EAGAIN) {
            // EWOULDBLOCK is EAGAIN on Linux
            return false;
        }
        if (r < 0) {
            throw fail("flock", r);
        }
        return true;
    }

    /**
     * flock(2), blocking, retried when interrupted by a signal.
     *
     * @param fd descriptor
     * @param operation {@link #LOCK_EX} or {@link #LOCK_UN}
     */
    public static void flock(int fd, int operation) {
        Native.ensure();
        int r = Native.flock(fd, operation);
        if (r < 0) {
            throw fail("flock", r);
        }
    }

    /**
     * open(2) read-only, close-on-exec.
     *
     * @param path the path
     * @return the descriptor
     */
    public static int openReadOnly(String path) {
        Native.ensure();
        int fd = Native.open(cPath(path), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw fail("open \"" + path + "\"", fd);
        }
        return fd;
    }

    /**
     * setns(2).
     *
     * @param fd namespace descriptor
     * @param nstype CLONE_NEW* or 0
     */
    public static void setns(int fd, int nstype) {
        Native.ensure();
        int r = Native.setns(fd, nstype);
        if (r < 0) {
            throw fail("setns", r);
        }
    }

    /**
     * unshare(2).
     *
     * @param flags CLONE_NEW* flags
     */
    public static void unshare(int flags) {
        Native.ensure();
        int r = Native.unshare(flags);
        if (r < 0) {
            throw fail("unshare", r);
        }
    }

    /**
     * mount(2) without data.
     *
     * @param source source, or null
     * @param target target
     * @param fstype file system type, or null
     * @param flags MS_ flags
     * @return 0, or the errno when it failed
     */
    public static int mount(String source, String target, String fstype, long flags) {
        Native.ensure();
        return -Native.mount(cPath(source), cPath(target), cPath(fstype), flags);
    }

    /**
     * umount2(2).
     *
     * @param target the mount point
     * @param flags MNT_ flags
     * @return 0, or the errno when it failed
     */
    public static int umount2(String target, int flags) {
        Native.ensure();
        return -Native.umount2(cPath(target), flags);
    }

    /**
     * statfs(2): the file system's magic number.
     *
     * @param path the path
     * @return the f_type, or {@code -errno} when the call failed
     */
    public static long statfsType(String path) {
        Native.ensure();
        return Native.statfsType(cPath(path));
    }

    /**

     * @return the calling thread's kernel thread id

     */
    public static int gettid() {
        Native.ensure();
        return Native.gettid();
    }

    /**

     * @return the process id

     */
    public static int getpid() {
        Native.ensure();
        return Native.getpid();
    }

    /**
     * getsockopt(2) SO_PEERCRED of a connected Unix-domain socket channel of the JDK: the
     * credentials the kernel recorded when the peer connected (its pid as seen from this process's
     * pid namespace, 0 when it has none there).
     *
     * @param channel the channel
     * @return pid, uid, gid
     */
    public static int[] peerCredentials(java.nio.channels.SocketChannel channel) {
        Native.ensure();
        int[] out = new int[3];
        int r = Native.peerCredentials(channel, out);
        if (r < 0) {
            throw fail("getsockopt SO_PEERCRED", r);
        }
        return out;
    }

    /**
     * getsockopt(2) SO_PEERPIDFD (Linux 6.5+): a pidfd of the process that connected, which stays
     * that process's even after its pid is reused.
     *
     * @param channel a connected Unix-domain socket channel
     * @return the pidfd (close it with {@link #close}), or {@code -errno} (ENOPROTOOPT before 6.5)
     */
    public static int peerPidfd(java.nio.channels.SocketChannel channel) {
        Native.ensure();
        return Native.peerPidfd(channel);
    }

    /**
     * pidfd_open(2) (Linux 5.3+).
     *
     * @param pid the process
     * @return the pidfd (close it with {@link #close}), or {@code -errno}
     */
    public static int pidfdOpen(int pid) {
        Native.ensure();
        return Native.pidfdOpen(pid);
    }
}
