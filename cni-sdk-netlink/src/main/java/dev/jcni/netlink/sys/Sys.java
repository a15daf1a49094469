package dev.jcni.netlink.sys;

import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Checked wrappers over {@link LibC}: each returns the result or throws a
 * {@link NetlinkException} naming the call and the errno, e.g. {@code setns: EINVAL (Invalid argument)}.
 * Internal to jcni (exported only so that jnr-ffi can implement {@link LibC}).
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

     * @return true once libc has been loaded through jnr-ffi in this JVM

     */
    public static boolean isLoaded() {
        return Native.isLoaded();
    }

    /** Loads libc now (it is otherwise loaded on the first kernel call). */
    public static void load() {
        Native.libc();
    }

    private static NetlinkException fail(String call) {
        return new NetlinkException(call, Native.lastErrno());
    }

    /**

     * @return the errno saved by the last libc call on this thread

     */
    public static int lastErrno() {
        return Native.lastErrno();
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
        int fd = Native.libc().socket(domain, type, protocol);
        if (fd < 0) {
            throw fail("socket");
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
        byte[] sa = sockaddrNl(pid, groups);
        if (Native.libc().bind(fd, sa, sa.length) < 0) {
            throw fail("bind");
        }
    }

    /**
     * getsockname(2) of a netlink socket.
     *
     * @param fd socket
     * @return the port id the kernel gave it
     */
    public static int netlinkPortId(int fd) {
        byte[] sa = new byte[12];
        int[] len = {12};
        if (Native.libc().getsockname(fd, sa, len) < 0) {
            throw fail("getsockname");
        }
        return ByteBuffer.wrap(sa).order(ByteOrder.nativeOrder()).getInt(4);
    }

    /**
     * sendto(2) to the kernel (netlink port 0).
     *
     * @param fd socket
     * @param data bytes
     * @param len how many bytes
     */
    public static void sendToKernel(int fd, byte[] data, int len) {
        byte[] sa = sockaddrNl(0, 0);
        while (true) {
            long n = Native.libc().sendto(fd, data, len, 0, sa, sa.length);
            if (n >= 0) {
                if (n != len) {
                    throw NetlinkException.of("sendto", "sendto: short write " + n + " of " + len);
                }
                return;
            }
            if (Native.lastErrno() != Errno.EINTR) {
                throw fail("sendto");
            }
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
        while (true) {
            long n = Native.libc().recvfrom(fd, buf, buf.capacity(), flags, null, null);
            if (n >= 0) {
                return (int) n;
            }
            if (Native.lastErrno() != Errno.EINTR) {
                throw fail("recvfrom");
            }
        }
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
        if (Native.libc().setsockopt(fd, level, name, v, 4) < 0) {
            throw fail("setsockopt " + what);
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
        if (Native.libc().setsockopt(fd, SOL_SOCKET, name, v, 16) < 0) {
            throw fail("setsockopt SO_RCVTIMEO");
        }
    }

    /**
     * close(2); errors are ignored (the descriptor is gone either way on Linux).
     *
     * @param fd descriptor
     */
    public static void close(int fd) {
        Native.libc().close(fd);
    }

    /** flock(2): exclusive lock. */
    public static final int LOCK_EX = 2;
    /** flock(2): unlock. */
    public static final int LOCK_UN = 8;
    /** Errno: interrupted system call. */
    private static final int EINTR = 4;

    /**
     * flock(2), blocking, retried when interrupted by a signal.
     *
     * @param fd descriptor
     * @param operation {@link #LOCK_EX} or {@link #LOCK_UN}
     */
    public static void flock(int fd, int operation) {
        while (Native.libc().flock(fd, operation) < 0) {
            if (Native.lastErrno() != EINTR) {
                throw fail("flock");
            }
        }
    }

    /**
     * open(2) read-only, close-on-exec.
     *
     * @param path the path
     * @return the descriptor
     */
    public static int openReadOnly(String path) {
        int fd = Native.libc().open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            throw fail("open \"" + path + "\"");
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
        if (Native.libc().setns(fd, nstype) < 0) {
            throw fail("setns");
        }
    }

    /**
     * unshare(2).
     *
     * @param flags CLONE_NEW* flags
     */
    public static void unshare(int flags) {
        if (Native.libc().unshare(flags) < 0) {
            throw fail("unshare");
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
        return Native.libc().mount(source, target, fstype, flags, null) < 0 ? Native.lastErrno() : 0;
    }

    /**
     * umount2(2).
     *
     * @param target the mount point
     * @param flags MNT_ flags
     * @return 0, or the errno when it failed
     */
    public static int umount2(String target, int flags) {
        return Native.libc().umount2(target, flags) < 0 ? Native.lastErrno() : 0;
    }

    /**
     * statfs(2): the file system's magic number.
     *
     * @param path the path
     * @return the f_type, or {@code -errno} when the call failed
     */
    public static long statfsType(String path) {
        byte[] buf = new byte[256];
        if (Native.libc().statfs(path, buf) < 0) {
            return -Native.lastErrno();
        }
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        return "32".equals(System.getProperty("sun.arch.data.model")) ? b.getInt(0) & 0xffffffffL : b.getLong(0);
    }

    /**

     * @return the calling thread's kernel thread id

     */
    public static int gettid() {
        return Native.libc().gettid();
    }

    /**

     * @return the process id

     */
    public static int getpid() {
        return Native.libc().getpid();
    }

    private static byte[] sockaddrNl(int pid, int groups) {
        return ByteBuffer.allocate(12).order(ByteOrder.nativeOrder())
                .putShort((short) AF_NETLINK).putShort((short) 0).putInt(pid).putInt(groups).array();
    }
}
