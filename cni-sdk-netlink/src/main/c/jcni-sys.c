/*
 * jcni's native glue: the few Linux system calls cni-sdk-netlink needs, for the Java class
 * dev.jcni.netlink.sys.Native (and only it). Every function returns its result, or -errno on
 * failure, read right after the call on the calling thread; EINTR is retried here. Paths arrive as
 * NUL-terminated UTF-8 byte arrays. No state, no allocation that outlives a call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <linux/netlink.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* the Java class whose natives these are; a test build may name another (-D'JNI_FN(name)=...') */
#ifndef JNI_FN
#define JNI_FN(name) Java_dev_jcni_netlink_sys_Native_##name
#endif

/* Linux 6.5+: a pidfd of the process that connected (older headers lack the name) */
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* A pinned view of a Java byte[]; NULL array gives NULL. */
typedef struct {
    JNIEnv *env;
    jbyteArray array;
    jbyte *bytes;
} bytes_t;

static int pin(JNIEnv *env, jbyteArray array, bytes_t *b) {
    b->env = env;
    b->array = array;
    b->bytes = NULL;
    if (array == NULL) {
        return 0;
    }
    b->bytes = (*env)->GetByteArrayElements(env, array, NULL);
    return b->bytes == NULL ? -ENOMEM : 0;
}

static void unpin(bytes_t *b, int copy_back) {
    if (b->bytes != NULL) {
        (*b->env)->ReleaseByteArrayElements(b->env, b->array, b->bytes, copy_back ? 0 : JNI_ABORT);
    }
}

JNIEXPORT jint JNICALL JNI_FN(socket)(JNIEnv *env, jclass c, jint domain, jint type, jint protocol) {
    (void) env; (void) c;
    int fd = socket(domain, type, protocol);
    return fd < 0 ? -errno : fd;
}

JNIEXPORT jint JNICALL JNI_FN(bindNetlink)(JNIEnv *env, jclass c, jint fd, jint portId, jint groups) {
    (void) env; (void) c;
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof sa);
    sa.nl_family = AF_NETLINK;
    sa.nl_pid = (uint32_t) portId;
    sa.nl_groups = (uint32_t) groups;
    return bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0 ? -errno : 0;
}

/* The socket's netlink port id as an unsigned 32-bit value, or -errno. */
JNIEXPORT jlong JNICALL JNI_FN(netlinkPortId)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    struct sockaddr_nl sa;
    socklen_t len = sizeof sa;
    memset(&sa, 0, sizeof sa);
    if (getsockname(fd, (struct sockaddr *) &sa, &len) < 0) {
        return -errno;
    }
    return (jlong) sa.nl_pid;
}

/* sendto(2) to the kernel (port 0). */
JNIEXPORT jlong JNICALL JNI_FN(sendToKernel)(JNIEnv *env, jclass c, jint fd, jbyteArray data, jint len) {
    (void) c;
    struct sockaddr_nl sa;
    memset(&sa, 0, sizeof sa);
    sa.nl_family = AF_NETLINK;
    bytes_t b;
    int err = pin(env, data, &b);
    if (err < 0) {
        return err;
    }
    ssize_t n;
    do {
        n = sendto(fd, b.bytes, (size_t) len, 0, (struct sockaddr *) &sa, sizeof sa);
    } while (n < 0 && errno == EINTR);
    jlong result = n < 0 ? -errno : (jlong) n;
    unpin(&b, 0);
    return result;
}

/* recv(2) into a direct buffer, from its start, up to its capacity. */
JNIEXPORT jlong JNICALL JNI_FN(recv)(JNIEnv *env, jclass c, jint fd, jobject buffer, jint flags) {
    (void) c;
    void *address = (*env)->GetDirectBufferAddress(env, buffer);
    jlong capacity = (*env)->GetDirectBufferCapacity(env, buffer);
    if (address == NULL || capacity < 0) {
        return -EINVAL;
    }
    ssize_t n;
    do {
        n = recv(fd, address, (size_t) capacity, flags);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : (jlong) n;
}

JNIEXPORT jint JNICALL JNI_FN(setsockopt)(JNIEnv *env, jclass c, jint fd, jint level, jint name, jbyteArray value) {
    (void) c;
    bytes_t b;
    int err = pin(env, value, &b);
    if (err < 0) {
        return err;
    }
    jsize len = (*env)->GetArrayLength(env, value);
    int r = setsockopt(fd, level, name, b.bytes, (socklen_t) len) < 0 ? -errno : 0;
    unpin(&b, 0);
    return r;
}

JNIEXPORT jint JNICALL JNI_FN(close)(JNIEnv *env, jclass c, jint fd) {
    (void) env; (void) c;
    /* never retried: on Linux the descriptor is gone even when close reports EINTR */
    return close(fd) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL JNI_FN(flock)(JNIEnv *env, jclass c, jint fd, jint operation) {
    (void) env; (void) c;
    int r;
    do {
        r = flock(fd, operation);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL JNI_FN(open)(JNIEnv *env, jclass c, jbyteArray path, jint flags) {
    (void) c;
    bytes_t p;
    int err = pin(env, path, &p);
    if (err < 0) {
        return err;
    }
    int fd;
    do {
        fd = open((const char *) p.bytes, flags);
    } while (fd < 0 && errno == EINTR);
    int r = fd < 0 ? -errno : fd;
    unpin(&p, 0);
    return r;
}

JNIEXPORT jint JNICALL JNI_FN(setns)(JNIEnv *env, jclass c, jint fd, jint nstype) {
    (void) env; (void) c;
    return setns(fd, nstype) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL JNI_FN(unshare)(JNIEnv *env, jclass c, jint flags) {
    (void) env; (void) c;
    return unshare(flags) < 0 ? -errno : 0;
}

JNIEXPORT jint JNICALL JNI_FN(mount)(JNIEnv *env, jclass c, jbyteArray source, jbyteArray target, jbyteArray fstype,
                                     jlong flags) {
    (void) c;
    bytes_t s, t, f;
    int err = pin(env, source, &s);
    if (err == 0) {
        err = pin(env, target, &t);
        if (err == 0) {
            err = pin(env, fstype, &f);
            if (err == 0) {
                err = mount((const char *) s.bytes, (const char *) t.bytes, (const char *) f.bytes,
                            (unsigned long) flags, NULL) < 0 ? -errno : 0;
                unpin(&f, 0);
            }
            unpin(&t, 0);
        }
        unpin(&s, 0);
    }
    return err;
}

JNIEXPORT jint JNICALL JNI_FN(umount2)(JNIEnv *env, jclass c, jbyteArray target, jint flags) {
    (void) c;
    bytes_t t;
    int err = pin(env, target, &t);
    if (err < 0) {
        return err;
    }
    int r = umount2((const char *) t.bytes, flags) < 0 ? -errno : 0;
    unpin(&t, 0);
    return r;
}

/* statfs(2)'s f_type (a magic number, 0..2^32-1), or -errno. */
JNIEXPORT jlong JNICALL JNI_FN(statfsType)(JNIEnv *env, jclass c, jbyteArray path) {
    (void) c;
    bytes_t p;
    int err = pin(env, path, &p);
    if (err < 0) {
        return err;
    }
    struct statfs st;
    int r;
    do {
        r = statfs((const char *) p.bytes, &st);
    } while (r < 0 && errno == EINTR);
    jlong result = r < 0 ? -errno : (jlong) (uint32_t) st.f_type;
    unpin(&p, 0);
    return result;
}

JNIEXPORT jint JNICALL JNI_FN(getpid)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return (jint) getpid();
}

JNIEXPORT jint JNICALL JNI_FN(gettid)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return (jint) syscall(SYS_gettid);
}

/*
 * The file descriptor of a JDK socket channel (sun.nio.ch's fdVal, else fd.fd), read through JNI,
 * which needs no module opens; -EBADF when the object has neither.
 */
static int channel_fd(JNIEnv *env, jobject channel) {
    if (channel == NULL) {
        return -EBADF;
    }
    jclass cls = (*env)->GetObjectClass(env, channel);
    jfieldID f = (*env)->GetFieldID(env, cls, "fdVal", "I");
    if (f != NULL) {
        return (*env)->GetIntField(env, channel, f);
    }
    (*env)->ExceptionClear(env);
    f = (*env)->GetFieldID(env, cls, "fd", "Ljava/io/FileDescriptor;");
    if (f == NULL) {
        (*env)->ExceptionClear(env);
        return -EBADF;
    }
    jobject fdo = (*env)->GetObjectField(env, channel, f);
    if (fdo == NULL) {
        return -EBADF;
    }
    jclass fdc = (*env)->GetObjectClass(env, fdo);
    jfieldID n = (*env)->GetFieldID(env, fdc, "fd", "I");
    if (n == NULL) {
        (*env)->ExceptionClear(env);
        return -EBADF;
    }
    int fd = (*env)->GetIntField(env, fdo, n);
    return fd < 0 ? -EBADF : fd;
}

/* SO_PEERCRED of a connected Unix socket channel into out[0..2] = pid, uid, gid; 0 or -errno. */
JNIEXPORT jint JNICALL JNI_FN(peerCredentials)(JNIEnv *env, jclass c, jobject channel, jintArray out) {
    (void) c;
    int fd = channel_fd(env, channel);
    if (fd < 0) {
        return fd;
    }
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        return -errno;
    }
    if (len != sizeof cred || (*env)->GetArrayLength(env, out) < 3) {
        return -EINVAL;
    }
    jint v[3] = {(jint) cred.pid, (jint) cred.uid, (jint) cred.gid};
    (*env)->SetIntArrayRegion(env, out, 0, 3, v);
    return 0;
}

/* A pidfd (close-on-exec) of the process that connected the channel's peer end, or -errno. */
JNIEXPORT jint JNICALL JNI_FN(peerPidfd)(JNIEnv *env, jclass c, jobject channel) {
    (void) c;
    int fd = channel_fd(env, channel);
    if (fd < 0) {
        return fd;
    }
    int pidfd = -1;
    socklen_t len = sizeof pidfd;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0) {
        return -errno;
    }
    return pidfd < 0 ? -EBADF : pidfd;
}

/* pidfd_open(2) (Linux 5.3+), close-on-exec as every pidfd is; the descriptor or -errno. */
JNIEXPORT jint JNICALL JNI_FN(pidfdOpen)(JNIEnv *env, jclass c, jint pid) {
    (void) env; (void) c;
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, (pid_t) pid, 0);
    return fd < 0 ? -errno : (jint) fd;
#else
    (void) pid;
    return -ENOSYS;
#endif
}

/* The version of this glue, checked by the Java side against the one it was written for. */
JNIEXPORT jint JNICALL JNI_FN(abiVersion)(JNIEnv *env, jclass c) {
    (void) env; (void) c;
    return 2;
}
