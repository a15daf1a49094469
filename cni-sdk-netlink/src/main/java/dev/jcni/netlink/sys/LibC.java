package dev.jcni.netlink.sys;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc functions jcni calls, bound by jnr-ffi. Every call that can fail saves errno right
 * after the call, on the calling thread. Public only because jnr-ffi's generated implementation
 * must see it; use {@link Sys}, which checks results and throws typed exceptions.
 */
public interface LibC {
    /**
     * socket(2).
     *
     * @param domain d
     * @param type t
     * @param protocol p
     * @return fd or -1
     */
    @SaveError
    int socket(int domain, int type, int protocol);

    /**

     * bind(2).

     *

     * @param fd fd

     * @param addr sockaddr

     * @param len length

     * @return 0 or -1

     */
    @SaveError
    int bind(int fd, @In byte[] addr, int len);

    /**

     * sendto(2).

     *

     * @param fd fd

     * @param buf data

     * @param len length

     * @param flags f

     * @param addr sockaddr

     * @param addrlen l

     * @return bytes sent or -1

     */
    @SaveError
    @ssize_t
    long sendto(int fd, @In byte[] buf, @size_t long len, int flags, @In byte[] addr, int addrlen);

    /**

     * recvfrom(2) into a direct buffer.

     *

     * @param fd fd

     * @param buf direct buffer

     * @param len length

     * @param flags f

     * @param addr null

     * @param addrlen null

     * @return length or -1

     */
    @SaveError
    @ssize_t
    long recvfrom(int fd, @Out ByteBuffer buf, @size_t long len, int flags, Pointer addr, Pointer addrlen);

    /**

     * sendmsg(2).

     *

     * @param fd fd

     * @param msg struct msghdr

     * @param flags f

     * @return bytes or -1

     */
    @SaveError
    @ssize_t
    long sendmsg(int fd, Pointer msg, int flags);

    /**

     * recvmsg(2).

     *

     * @param fd fd

     * @param msg struct msghdr

     * @param flags f

     * @return bytes or -1

     */
    @SaveError
    @ssize_t
    long recvmsg(int fd, Pointer msg, int flags);

    /**

     * setsockopt(2).

     *

     * @param fd fd

     * @param level l

     * @param name n

     * @param value v

     * @param len l

     * @return 0 or -1

     */
    @SaveError
    int setsockopt(int fd, int level, int name, @In byte[] value, int len);

    /**

     * getsockname(2).

     *

     * @param fd fd

     * @param addr out

     * @param len in/out

     * @return 0 or -1

     */
    @SaveError
    int getsockname(int fd, @Out byte[] addr, @In @Out int[] len);

    /**

     * close(2).

     *

     * @param fd fd

     * @return 0 or -1

     */
    @SaveError
    int close(int fd);

    /**
     * flock(2).
     *
     * @param fd fd
     * @param operation LOCK_SH, LOCK_EX, LOCK_UN, optionally | LOCK_NB
     * @return 0 or -1
     */
    @SaveError
    int flock(int fd, int operation);

    /**

     * open(2) without O_CREAT (two fixed arguments).

     *

     * @param path p

     * @param flags f

     * @return fd or -1

     */
    @SaveError
    int open(CharSequence path, int flags);

    /**

     * setns(2).

     *

     * @param fd fd

     * @param nstype t

     * @return 0 or -1

     */
    @SaveError
    int setns(int fd, int nstype);

    /**

     * unshare(2).

     *

     * @param flags f

     * @return 0 or -1

     */
    @SaveError
    int unshare(int flags);

    /**

     * mount(2).

     *

     * @param source s

     * @param target t

     * @param fstype f

     * @param flags fl

     * @param data null

     * @return 0 or -1

     */
    @SaveError
    int mount(CharSequence source, CharSequence target, CharSequence fstype, @size_t long flags, Pointer data);

    /**

     * umount2(2).

     *

     * @param target t

     * @param flags f

     * @return 0 or -1

     */
    @SaveError
    int umount2(CharSequence target, int flags);

    /**

     * statfs(2).

     *

     * @param path p

     * @param buf struct statfs

     * @return 0 or -1

     */
    @SaveError
    int statfs(CharSequence path, @Out byte[] buf);

    /**

     * getpid(2).

     *

     * @return the process id

     */
    int getpid();

    /**

     * gettid(2).

     *

     * @return the thread id

     */
    int gettid();
}
