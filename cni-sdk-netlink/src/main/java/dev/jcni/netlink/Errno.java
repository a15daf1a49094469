package dev.jcni.netlink;

/**
 * Linux error numbers, with the names and texts that glibc's {@code strerror} gives them.
 *
 * <p>Compare {@link NetlinkException#errno()} against these constants, for example
 * {@code e.errno() == Errno.EEXIST}.
 */
public final class Errno {
    private Errno() {
    }

    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory. */
    public static final int ENOENT = 2;
    /** No such process. */
    public static final int ESRCH = 3;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Input/output error. */
    public static final int EIO = 5;
    /** Bad file descriptor. */
    public static final int EBADF = 9;
    /** Resource temporarily unavailable. */
    public static final int EAGAIN = 11;
    /** Cannot allocate memory. */
    public static final int ENOMEM = 12;
    /** Permission denied. */
    public static final int EACCES = 13;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** File exists. */
    public static final int EEXIST = 17;
    /** No such device. */
    public static final int ENODEV = 19;
    /** Not a directory. */
    public static final int ENOTDIR = 20;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** Numerical result out of range. */
    public static final int ERANGE = 34;
    /** Bad message. */
    public static final int EBADMSG = 74;
    /** Message too long. */
    public static final int EMSGSIZE = 90;
    /** Protocol not supported. */
    public static final int EPROTONOSUPPORT = 93;
    /** Operation not supported. */
    public static final int EOPNOTSUPP = 95;
    /** Address family not supported by protocol. */
    public static final int EAFNOSUPPORT = 97;
    /** Address already in use. */
    public static final int EADDRINUSE = 98;
    /** Cannot assign requested address. */
    public static final int EADDRNOTAVAIL = 99;
    /** Network is unreachable. */
    public static final int ENETUNREACH = 101;
    /** No buffer space available. */
    public static final int ENOBUFS = 105;
    /** Connection timed out. */
    public static final int ETIMEDOUT = 110;
    /** No route to host. */
    public static final int EHOSTUNREACH = 113;

    // index = errno; each entry "NAME|Text"
    private static final String[] TABLE = {
        null,
        "EPERM|Operation not permitted", "ENOENT|No such file or directory", "ESRCH|No such process",
        "EINTR|Interrupted system call", "EIO|Input/output error", "ENXIO|No such device or address",
        "E2BIG|Argument list too long", "ENOEXEC|Exec format error", "EBADF|Bad file descriptor",
        "ECHILD|No child processes", "EAGAIN|Resource temporarily unavailable", "ENOMEM|Cannot allocate memory",
        "EACCES|Permission denied", "EFAULT|Bad address", "ENOTBLK|Block device required",
        "EBUSY|Device or resource busy", "EEXIST|File exists", "EXDEV|Invalid cross-device link",
        "ENODEV|No such device", "ENOTDIR|Not a directory", "EISDIR|Is a directory",
        "EINVAL|Invalid argument", "ENFILE|Too many open files in system", "EMFILE|Too many open files",
        "ENOTTY|Inappropriate ioctl for device", "ETXTBSY|Text file busy", "EFBIG|File too large",
        "ENOSPC|No space left on device", "ESPIPE|Illegal seek", "EROFS|Read-only file system",
        "EMLINK|Too many links", "EPIPE|Broken pipe", "EDOM|Numerical argument out of domain",
        "ERANGE|Numerical result out of range", "EDEADLK|Resource deadlock avoided", "ENAMETOOLONG|File name too long",
        "ENOLCK|No locks available", "ENOSYS|Function not implemented", "ENOTEMPTY|Directory not empty",
        "ELOOP|Too many levels of symbolic links", null, "ENOMSG|No message of desired type",
        "EIDRM|Identifier removed", "ECHRNG|Channel number out of range", "EL2NSYNC|Level 2 not synchronized",
        "EL3HLT|Level 3 halted", "EL3RST|Level 3 reset", "ELNRNG|Link number out of range",
        "EUNATCH|Protocol driver not attached", "ENOCSI|No CSI structure available", "EL2HLT|Level 2 halted",
        "EBADE|Invalid exchange", "EBADR|Invalid request descriptor", "EXFULL|Exchange full",
        "ENOANO|No anode", "EBADRQC|Invalid request code", "EBADSLT|Invalid slot", null,
        "EBFONT|Bad font file format", "ENOSTR|Device not a stream", "ENODATA|No data available",
        "ETIME|Timer expired", "ENOSR|Out of streams resources", "ENONET|Machine is not on the network",
        "ENOPKG|Package not installed", "EREMOTE|Object is remote", "ENOLINK|Link has been severed",
        "EADV|Advertise error", "ESRMNT|Srmount error", "ECOMM|Communication error on send",
        "EPROTO|Protocol error", "EMULTIHOP|Multihop attempted", "EDOTDOT|RFS specific error",
        "EBADMSG|Bad message", "EOVERFLOW|Value too large for defined data type",
        "ENOTUNIQ|Name not unique on network", "EBADFD|File descriptor in bad state",
        "EREMCHG|Remote address changed", "ELIBACC|Can not access a needed shared library",
        "ELIBBAD|Accessing a corrupted shared library", "ELIBSCN|.lib section in a.out corrupted",
        "ELIBMAX|Attempting to link in too many shared libraries", "ELIBEXEC|Cannot exec a shared library directly",
        "EILSEQ|Invalid or incomplete multibyte or wide character", "ERESTART|Interrupted system call should be restarted",
        "ESTRPIPE|Streams pipe error", "EUSERS|Too many users", "ENOTSOCK|Socket operation on non-socket",
        "EDESTADDRREQ|Destination address required", "EMSGSIZE|Message too long",
        "EPROTOTYPE|Protocol wrong type for socket", "ENOPROTOOPT|Protocol not available",
        "EPROTONOSUPPORT|Protocol not supported", "ESOCKTNOSUPPORT|Socket type not supported",
        "EOPNOTSUPP|Operation not supported", "EPFNOSUPPORT|Protocol family not supported",
        "EAFNOSUPPORT|Address family not supported by protocol", "EADDRINUSE|Address already in use",
        "EADDRNOTAVAIL|Cannot assign requested address", "ENETDOWN|Network is down",
        "ENETUNREACH|Network is unreachable", "ENETRESET|Network dropped connection on reset",
        "ECONNABORTED|Software caused connection abort", "ECONNRESET|Connection reset by peer",
        "ENOBUFS|No buffer space available", "EISCONN|Transport endpoint is already connected",
        "ENOTCONN|Transport endpoint is not connected", "ESHUTDOWN|Cannot send after transport endpoint shutdown",
        "ETOOMANYREFS|Too many references: cannot splice", "ETIMEDOUT|Connection timed out",
        "ECONNREFUSED|Connection refused", "EHOSTDOWN|Host is down", "EHOSTUNREACH|No route to host",
        "EALREADY|Operation already in progress", "EINPROGRESS|Operation now in progress",
        "ESTALE|Stale file handle", "EUCLEAN|Structure needs cleaning", "ENOTNAM|Not a XENIX named type file",
        "ENAVAIL|No XENIX semaphores available", "EISNAM|Is a named type file", "EREMOTEIO|Remote I/O error",
        "EDQUOT|Disk quota exceeded", "ENOMEDIUM|No medium found", "EMEDIUMTYPE|Wrong medium type",
        "ECANCELED|Operation canceled", "ENOKEY|Required key not available", "EKEYEXPIRED|Key has expired",
        "EKEYREVOKED|Key has been revoked", "EKEYREJECTED|Key was rejected by service",
        "EOWNERDEAD|Owner died", "ENOTRECOVERABLE|State not recoverable",
        "ERFKILL|Operation not possible due to RF-kill", "EHWPOISON|Memory page has hardware error",
    };

    /**
     * The symbolic name of an error number.
     *
     * @param errno a positive error number
     * @return e.g. {@code EEXIST}, or {@code errno 777} for a number this table does not know
     */
    public static String name(int errno) {
        String e = entry(errno);
        return e == null ? "errno " + errno : e.substring(0, e.indexOf('|'));
    }

    /**
     * The text of an error number, as glibc's {@code strerror} gives it.
     *
     * @param errno a positive error number
     * @return e.g. {@code File exists}, or {@code Unknown error 777}
     */
    public static String message(int errno) {
        String e = entry(errno);
        return e == null ? "Unknown error " + errno : e.substring(e.indexOf('|') + 1);
    }

    /**
     * Name and text together, the form used in every jcni kernel error message.
     *
     * @param errno a positive error number
     * @return e.g. {@code EINVAL (Invalid argument)}
     */
    public static String describe(int errno) {
        return name(errno) + " (" + message(errno) + ")";
    }

    private static String entry(int errno) {
        return errno > 0 && errno < TABLE.length ? TABLE[errno] : null;
    }
}
