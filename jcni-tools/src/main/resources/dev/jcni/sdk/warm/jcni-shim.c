/*
 * jcni-shim: hands one CNI plugin call to jcni's warm-mode daemon, or falls back to the cold path.
 *
 *   jcni-shim SOCKET DISTID PLUGIN LAUNCHER [ARGS...]
 *
 * A jcni launcher execs this when the daemon's socket exists. Built with -DJCNI_ENTRY, the same program
 * is a plugin's bin/<plugin> and does the launcher's part itself ("the entry point", below). The shim sends the daemon the call
 * (stdin bytes, the whole environment, the working directory, the plugin's name, the dist id,
 * and the process facts the daemon must share for the call to run as an exec would: namespaces,
 * root directory, umask). Until it has given the daemon the go-ahead, anything that goes wrong
 * falls back to the cold path, with stdin intact:
 *
 *   execv(LAUNCHER, [LAUNCHER, "--jcni-cold", ARGS...])
 *
 * with the environment unchanged and, when stdin was read, fd 0 replaced by a memfd holding the
 * bytes. That includes a daemon that is wedged or stopped: the shim waits at most 500 ms (or
 * JCNI_WARM_PATIENCE_MS) for each step of the daemon's (the request's bytes, each reply; a daemon
 * that makes a call wait for its turn says so every 100 ms). After the start, the shim relays stderr as it comes,
 * writes stdout when the call ends and exits with the call's exit code. If the daemon goes away
 * mid-call, it prints a CNI error JSON (code 999) on stdout and exits 1: never a hang on a dead
 * daemon.
 *
 * Exactly one of the daemon and the cold path runs a call: the daemon offers the start ('T'), and
 * runs the call only after reading the shim's go-ahead ('G') and writing its confirmation ('S').
 * The shim sends 'G' right after its request (so that the daemon never waits for the shim to wake
 * up in between), and goes cold only when no 'S' can come any more: the daemon refused ('R') or
 * ended the connection before an 'S', or the shim's patience ran out and it shut its socket's
 * reading side down (from then on the daemon's writes fail) and found no 'S' queued before that.
 *
 * Trust: the socket's directory must be a root-owned directory that only root can use, the socket
 * root's, and the peer (SO_PEERCRED) uid 0. The daemon learns the caller from the kernel (its
 * SO_PEERCRED pid and a pidfd, then /proc): the pid, namespaces, root and umask sent here are
 * checked against that, never trusted (docs/operators.md, "Threat model").
 * JCNI_WARM_DEBUG=1 in the environment makes the shim say on stderr why it went cold.
 * JCNI_WARM_PHASES=1 makes it (and the daemon) print on stderr when each step of the call happened
 * ("jcni-phase mark <CLOCK_MONOTONIC ns> <step>" lines, for bench/compare.sh --phases).
 *
 * Wire protocol (version 2), integers big-endian:
 *   request:  "JCW2" u32:length-of-rest, then u32 pid, u32 umask,
 *             4 x (u64 dev, u64 ino) of /proc/self/ns/net, /proc/self/ns/mnt, /proc/self/ns/user, /proc/self/root,
 *             str dist-id, str plugin, str cwd, u32 argc + argc x str, u32 envc + envc x str, str stdin
 *             (str = u32 length + bytes)
 *   replies:  frames u8 type + u32 length + payload:
 *             before the start: 'W' wait (repeated while the call waits for its turn), 'R' refused
 *             (payload: reason), 'T' turn, which the daemon follows by reading the byte 'G' (go; this
 *             shim sends it right after the request) and writing 'S' started; then 'E' stderr bytes,
 *             'O' stdout bytes, 'X' exit (payload: u32 exit code), the last frame.
 *
 * VERSION without a JVM: a launcher execs the shim for every VERSION call too, daemon or not. When
 * the call is the common well-formed case (CNI_COMMAND=VERSION, no arguments, no JCNI_LOG_LEVEL or
 * JCNI_LOG_FILE, stdin a JSON object of printable ASCII that the strict check below accepts, its
 * cniVersion absent, not a string, empty, or of the characters 0-9 A-Z a-z . _ + -) and the
 * distribution holds the plugin's own answer (lib/version/<plugin>.json, what the plugin's JVM
 * answered at package time to a configuration without cniVersion), the shim answers from it:
 * byte for byte the JVM's answer (the configuration's cniVersion echoed in place of the plugin's).
 * Anything else goes on as before: to the daemon, or cold (JCNI_WARM=off: straight to the JVM).
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -Wconversion -Wshadow -Wformat=2 -o jcni-shim jcni-shim.c
 * (libc only; jcni package adds hardening flags and the CNI versions, see Packager).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_REQUEST (4u << 20)
/* How long the shim waits for each step of the daemon's before the call starts: 500 ms, or
   JCNI_WARM_PATIENCE_MS (50 to 60000) from the environment. */
static long long patience_ms = 500;

/* The CNI versions jcni supports and its current one (jcni package passes SpecVersions' lists). */
#ifndef JCNI_CNI_VERSIONS
#define JCNI_CNI_VERSIONS "0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"
#endif
#ifndef JCNI_CNI_CURRENT
#define JCNI_CNI_CURRENT "1.1.0"
#endif

static int debug;

/* ------------------------------------------------------------------ phases (JCNI_WARM_PHASES) */

#define MAX_MARKS 16
static int phases_on;
static int n_marks;
static const char *mark_label[MAX_MARKS];
static long long mark_ns[MAX_MARKS];

static void mark(const char *label)
{
    if (!phases_on || n_marks >= MAX_MARKS)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    mark_label[n_marks] = label;
    mark_ns[n_marks++] = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int write_all(int fd, const void *p, size_t n, int to_socket);

static void print_marks(void)
{
    char line[160];
    for (int i = 0; phases_on && i < n_marks; i++) {
        int n = snprintf(line, sizeof line, "jcni-phase mark %lld shim: %s\n", mark_ns[i], mark_label[i]);
        if (n > 0 && (size_t)n < sizeof line)
            (void)write_all(2, line, (size_t)n, 0);
    }
}
static char **g_argv;
static int g_argc;
/* The entry point (bin/<plugin>, built with -DJCNI_ENTRY): the distribution's lib directory it found. */
static char g_lib[4096];

/* ------------------------------------------------------------------ buffers */

struct buf {
    unsigned char *p;
    size_t len, cap;
};

static int buf_room(struct buf *b, size_t more)
{
    if (b->len + more <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more)
        cap *= 2;
    unsigned char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int put(struct buf *b, const void *data, size_t n)
{
    if (buf_room(b, n))
        return -1;
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

static void be32(unsigned char x[4], uint32_t v)
{
    x[0] = (unsigned char)(v >> 24);
    x[1] = (unsigned char)(v >> 16);
    x[2] = (unsigned char)(v >> 8);
    x[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char x[4])
{
    return (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
}

static int put_u32(struct buf *b, uint32_t v)
{
    unsigned char x[4];
    be32(x, v);
    return put(b, x, 4);
}

static int put_u64(struct buf *b, uint64_t v)
{
    return put_u32(b, (uint32_t)(v >> 32)) || put_u32(b, (uint32_t)v);
}

static int put_str(struct buf *b, const void *s, size_t n)
{
    return put_u32(b, (uint32_t)n) || put(b, s, n);
}

/* ------------------------------------------------------------------ io */

/* to_socket: send() without SIGPIPE, for the daemon's socket; stdout and stderr keep the usual SIGPIPE */
static int write_all(int fd, const void *p, size_t n, int to_socket)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = to_socket ? send(fd, c, n, MSG_NOSIGNAL) : write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* 1 = all read, 0 = EOF before the end, -1 = error */
static int read_full(int fd, void *p, size_t n)
{
    char *c = p;
    while (n > 0) {
        ssize_t r = read(fd, c, n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return 0;
        c += r;
        n -= (size_t)r;
    }
    return 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 = ready (or hung up: the next read or write tells), 0 = the deadline passed, -1 = error */
static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0)
            return 0;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)left);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        return r > 0;
    }
}

/* Sends all to the daemon, waiting at most patience_ms for each bit of progress. 1 = sent, 0 = no progress in time, -1 = error */
static int send_patiently(int fd, const void *p, size_t n)
{
    const char *c = p;
    long long deadline = now_ms() + patience_ms;
    while (n > 0) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
            int r = wait_fd(fd, POLLOUT, deadline);
            if (r <= 0)
                return r;
            continue;
        }
        c += w;
        n -= (size_t)w;
        deadline = now_ms() + patience_ms;
    }
    return 1;
}

/* Reads n bytes from the daemon before a deadline. 1 = read, 0 = EOF first, -1 = error, -2 = the deadline passed */
static int read_by(int fd, void *p, size_t n, long long deadline)
{
    char *c = p;
    while (n > 0) {
        ssize_t r = recv(fd, c, n, MSG_DONTWAIT);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
            int w = wait_fd(fd, POLLIN, deadline);
            if (w < 0)
                return -1;
            if (w == 0)
                return -2;
            continue;
        }
        if (r == 0)
            return 0;
        c += r;
        n -= (size_t)r;
    }
    return 1;
}

/* ------------------------------------------------------------------ the configuration's cniVersion */

/* For the shim's own error JSON, as the daemon does it: the configuration's cniVersion when the
   configuration is a JSON object naming one jcni supports, else the current version. */
static const char *const versions[] = {JCNI_CNI_VERSIONS};
static char g_version[16] = JCNI_CNI_CURRENT;

struct scan {
    const unsigned char *p, *end;
    int depth;
};

static void ws(struct scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* a string; its raw content in *start, *len. 0 when malformed */
static int jstring(struct scan *s, const unsigned char **start, size_t *len)
{
    if (s->p >= s->end || *s->p != '"')
        return 0;
    const unsigned char *b = ++s->p;
    while (s->p < s->end) {
        unsigned char c = *s->p;
        if (c == '"') {
            *start = b;
            *len = (size_t)(s->p - b);
            s->p++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\' && ++s->p >= s->end)
            return 0;
        s->p++;
    }
    return 0;
}

/* skips one value (objects and arrays to a depth of 1000); 0 when malformed */
static int jvalue(struct scan *s)
{
    const unsigned char *b;
    size_t n;
    ws(s);
    if (s->p >= s->end)
        return 0;
    unsigned char open = *s->p;
    if (open == '"')
        return jstring(s, &b, &n);
    if (open == '{' || open == '[') {
        unsigned char close = open == '{' ? '}' : ']';
        if (++s->depth > 1000)
            return 0;
        s->p++;
        ws(s);
        if (s->p < s->end && *s->p == close) {
            s->p++;
            s->depth--;
            return 1;
        }
        for (;;) {
            if (open == '{') {
                ws(s);
                if (!jstring(s, &b, &n))
                    return 0;
                ws(s);
                if (s->p >= s->end || *s->p != ':')
                    return 0;
                s->p++;
            }
            if (!jvalue(s))
                return 0;
            ws(s);
            if (s->p >= s->end)
                return 0;
            if (*s->p == ',') {
                s->p++;
                continue;
            }
            if (*s->p != close)
                return 0;
            s->p++;
            s->depth--;
            return 1;
        }
    }
    b = s->p;
    while (s->p < s->end && (isalnum(*s->p) || *s->p == '-' || *s->p == '+' || *s->p == '.'))
        s->p++;
    return s->p > b;
}

static void find_version(const unsigned char *data, size_t len)
{
    struct scan s = {data, data + len, 1};
    const unsigned char *found = NULL, *k;
    size_t found_len = 0, k_len;
    ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return;
    s.p++;
    ws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            ws(&s);
            if (!jstring(&s, &k, &k_len))
                return;
            ws(&s);
            if (s.p >= s.end || *s.p != ':')
                return;
            s.p++;
            ws(&s);
            if (k_len == 10 && memcmp(k, "cniVersion", 10) == 0) {
                /* the last one counts, as in the daemon's JSON tree */
                found = NULL;
                if (s.p < s.end && *s.p == '"') {
                    if (!jstring(&s, &found, &found_len))
                        return;
                } else if (!jvalue(&s)) {
                    return;
                }
            } else if (!jvalue(&s)) {
                return;
            }
            ws(&s);
            if (s.p >= s.end)
                return;
            if (*s.p == ',') {
                s.p++;
                continue;
            }
            if (*s.p != '}')
                return;
            s.p++;
            break;
        }
    }
    ws(&s);
    if (s.p != s.end || !found)
        return;
    if (found_len == 0) {
        /* "" is the default version: the daemon's error JSON then has no cniVersion */
        g_version[0] = '\0';
        return;
    }
    for (size_t i = 0; i < sizeof versions / sizeof *versions; i++) {
        if (strlen(versions[i]) == found_len && found_len < sizeof g_version && memcmp(versions[i], found, found_len) == 0) {
            memcpy(g_version, found, found_len);
            g_version[found_len] = '\0';
            return;
        }
    }
}

/* ------------------------------------------------------------------ VERSION without a JVM */

/* A strict JSON check, narrower than the JVM's parser (anything it refuses goes to the JVM): printable
   ASCII, no \u escapes, numbers of at most 40 characters with exponents of at most 3 digits, depth 32. */
struct strict {
    const unsigned char *p, *end;
    int depth;
};

static void sws(struct strict *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* a string; its raw content (escapes undecoded) in *b, *n; *esc says whether it has escapes */
static int sstring(struct strict *s, const unsigned char **b, size_t *n, int *esc)
{
    if (s->p >= s->end || *s->p != '"')
        return 0;
    const unsigned char *start = ++s->p;
    *esc = 0;
    while (s->p < s->end) {
        unsigned char c = *s->p;
        if (c == '"') {
            *b = start;
            *n = (size_t)(s->p - start);
            s->p++;
            return 1;
        }
        if (c < 0x20 || c > 0x7e)
            return 0;
        if (c == '\\') {
            *esc = 1;
            if (++s->p >= s->end || !strchr("\"\\/bfnrt", *s->p) || *s->p == '\0')
                return 0;
        }
        s->p++;
    }
    return 0;
}

static int digits(struct strict *s)
{
    const unsigned char *b = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return (int)(s->p - b);
}

static int snumber(struct strict *s)
{
    const unsigned char *b = s->p;
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p < s->end && *s->p == '0')
        s->p++;
    else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || digits(s) == 0)
        return 0;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (digits(s) == 0)
            return 0;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        int d = digits(s);
        if (d == 0 || d > 3)
            return 0;
    }
    return s->p - b <= 40;
}

static int sliteral(struct strict *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
        return 0;
    s->p += n;
    return 1;
}

static int svalue(struct strict *s);

static int scontainer(struct strict *s, unsigned char close)
{
    if (++s->depth > 32)
        return 0;
    s->p++;
    sws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        s->depth--;
        return 1;
    }
    for (;;) {
        sws(s);
        if (close == '}') {
            const unsigned char *k;
            size_t kn;
            int esc;
            if (!sstring(s, &k, &kn, &esc))
                return 0;
            sws(s);
            if (s->p >= s->end || *s->p != ':')
                return 0;
            s->p++;
        }
        if (!svalue(s))
            return 0;
        sws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p >= s->end || *s->p != close)
            return 0;
        s->p++;
        s->depth--;
        return 1;
    }
}

static int svalue(struct strict *s)
{
    const unsigned char *b;
    size_t n;
    int esc;
    sws(s);
    if (s->p >= s->end)
        return 0;
    switch (*s->p) {
    case '"':
        return sstring(s, &b, &n, &esc);
    case '{':
        return scontainer(s, '}');
    case '[':
        return scontainer(s, ']');
    case 't':
        return sliteral(s, "true");
    case 'f':
        return sliteral(s, "false");
    case 'n':
        return sliteral(s, "null");
    default:
        return snumber(s);
    }
}

/* What the JVM's VERSION answer echoes of a configuration: 1 = its cniVersion (in *v, *vn; 0 bytes: the
   plugin's own version), 0 = not the common well-formed case (the JVM answers). */
static int version_of(const unsigned char *data, size_t len, const unsigned char **v, size_t *vn)
{
    struct strict s = {data, data + len, 1};
    *v = NULL;
    *vn = 0;
    sws(&s);
    if (s.p >= s.end || *s.p != '{')
        return 0;
    s.p++;
    sws(&s);
    if (s.p < s.end && *s.p == '}') {
        s.p++;
    } else {
        for (;;) {
            const unsigned char *k, *val;
            size_t kn, valn;
            int esc;
            sws(&s);
            if (!sstring(&s, &k, &kn, &esc) || esc)
                return 0;
            sws(&s);
            if (s.p >= s.end || *s.p != ':')
                return 0;
            s.p++;
            sws(&s);
            if (kn == 10 && memcmp(k, "cniVersion", 10) == 0) {
                /* the last one counts, as in the JVM's tree */
                *v = NULL;
                *vn = 0;
                if (s.p < s.end && *s.p == '"') {
                    if (!sstring(&s, &val, &valn, &esc) || esc || valn > 64)
                        return 0;
                    for (size_t i = 0; i < valn; i++)
                        if (!isalnum(val[i]) && !strchr("._+-", val[i]))
                            return 0;
                    *v = val;
                    *vn = valn;
                } else if (!svalue(&s)) {
                    return 0;
                }
            } else if (!svalue(&s)) {
                return 0;
            }
            sws(&s);
            if (s.p < s.end && *s.p == ',') {
                s.p++;
                continue;
            }
            if (s.p >= s.end || *s.p != '}')
                return 0;
            s.p++;
            break;
        }
    }
    sws(&s);
    return s.p == s.end;
}

static int env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

/* Answers VERSION from lib/version/<plugin>.json when the call is the common well-formed case; returns
   only when it is not (the bytes of stdin are then in data, n). */
static void answer_version(const char *plugin, const unsigned char *data, size_t n)
{
    const char *cmd = getenv("CNI_COMMAND");
    if (!cmd || strcmp(cmd, "VERSION") != 0 || g_argc != 5 || env_set("JCNI_LOG_LEVEL") || env_set("JCNI_LOG_FILE"))
        return;
    if (n == 0 || n > 65536 || !*plugin || plugin[0] == '.' || strlen(plugin) > 64)
        return;
    for (const char *c = plugin; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("._-", *c))
            return;
    const unsigned char *v;
    size_t vn;
    if (!version_of(data, n, &v, &vn))
        return;
    /* the answer recorded at package time: lib/version/<plugin>.json, beside this executable (the
       entry point bin/<plugin>: in the lib directory it found) */
    char path[4096];
    if (g_lib[0]) {
        int pn = snprintf(path, sizeof path, "%s/version/%s.json", g_lib, plugin);
        if (pn <= 0 || (size_t)pn >= sizeof path)
            return;
    } else {
        ssize_t k = readlink("/proc/self/exe", path, sizeof path - 1);
        if (k <= 0)
            return;
        path[k] = '\0';
        char *slash = strrchr(path, '/');
        if (!slash || (size_t)(slash - path) + strlen(plugin) + 20 >= sizeof path)
            return;
        snprintf(slash + 1, sizeof path - (size_t)(slash + 1 - path), "version/%s.json", plugin);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    char rec[4096];
    ssize_t rn = read(fd, rec, sizeof rec);
    close(fd);
    static const char head[] = "{\"cniVersion\":\"";
    size_t hn = sizeof head - 1;
    if (rn <= (ssize_t)hn || rn >= (ssize_t)sizeof rec || memcmp(rec, head, hn) != 0 || rec[rn - 1] != '\n')
        return;
    char *q = memchr(rec + hn, '"', (size_t)rn - hn);
    if (!q)
        return;
    struct buf out = {0};
    if (vn == 0) {
        if (put(&out, rec, (size_t)rn))
            return;
    } else if (put(&out, rec, hn) || put(&out, v, vn) || put(&out, q, (size_t)(rec + rn - q))) {
        return;
    }
    mark("answered VERSION");
    print_marks();
    if (write_all(1, out.p, out.len, 0))
        _exit(1);
    _exit(0);
}

/* ------------------------------------------------------------------ the cold path */

static void say(const char *why)
{
    if (debug) {
        char line[512];
        int n = snprintf(line, sizeof line, "jcni-shim: going cold: %s\n", why);
        if (n > 0)
            (void)write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, 0);
    }
}

static void fail_json(const char *msg)
{
    char out[1024];
    int n;
    if (g_version[0])
        n = snprintf(out, sizeof out, "{\n    \"cniVersion\": \"%s\",\n    \"code\": 999,\n    \"msg\": \"%s\"\n}",
                     g_version, msg);
    else
        n = snprintf(out, sizeof out, "{\n    \"code\": 999,\n    \"msg\": \"%s\"\n}", msg);
    if (n > 0)
        (void)write_all(1, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1, 0);
    _exit(1);
}

/* Gives fd 0 the bytes already read from it, so that the cold plugin reads them again. */
static int restore_stdin(const unsigned char *data, size_t n)
{
    int fd = memfd_create("jcni-stdin", 0);
    if (fd < 0) {
        char tmpl[] = "/tmp/jcni-stdin-XXXXXX";
        fd = mkstemp(tmpl);
        if (fd < 0)
            return -1;
        unlink(tmpl);
    }
    if (write_all(fd, data, n, 0) || lseek(fd, 0, SEEK_SET) != 0 || dup2(fd, 0) < 0) {
        close(fd);
        return -1;
    }
    if (fd != 0)
        close(fd);
    return 0;
}

/* Never returns. stdin_read: whether fd 0 was consumed into data/n. */
static void go_cold(int sock, const char *why, int stdin_read, const unsigned char *data, size_t n)
{
    say(why);
    if (sock >= 0)
        close(sock);
    if (stdin_read && restore_stdin(data, n))
        fail_json("jcni-shim: cannot hand stdin to the cold path");
    const char *launcher = g_argv[4];
    char **args = calloc((size_t)g_argc, sizeof *args);
    if (!args)
        fail_json("jcni-shim: out of memory");
    int k = 0;
    args[k++] = (char *)launcher;
    args[k++] = "--jcni-cold";
    for (int i = 5; i < g_argc; i++)
        args[k++] = g_argv[i];
    args[k] = NULL;
    execv(launcher, args);
    fail_json("jcni-shim: cannot exec the launcher for the cold path");
}

/* ------------------------------------------------------------------ checks */

static int root_only_dir(const char *sock_path)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
    size_t n = strlen(sock_path);
    if (n >= sizeof dir)
        return 0;
    memcpy(dir, sock_path, n + 1);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    struct stat st;
    if (lstat(dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077) != 0)
        return 0;
    if (lstat(sock_path, &st) || !S_ISSOCK(st.st_mode) || st.st_uid != 0)
        return 0;
    return 1;
}

static void id_of(struct buf *b, const char *path, int *ok)
{
    struct stat st;
    if (stat(path, &st)) {
        memset(&st, 0, sizeof st);
        *ok = 0;
    }
    *ok &= put_u64(b, (uint64_t)st.st_dev) == 0 && put_u64(b, (uint64_t)st.st_ino) == 0;
}

/* ------------------------------------------------------------------ the entry point (bin/<plugin>) */

#ifdef JCNI_ENTRY
/*
 * Built with -DJCNI_ENTRY, this program is a plugin's bin/<plugin> (jcni package writes it there when it
 * compiles the shim): the file a runtime execs, so that a warm call and a VERSION answered here start
 * no shell. It does what the sh launcher's start and warm-mode branch do, and hands everything else to
 * that launcher, which jcni package moved to lib/launchers/<plugin>:
 *
 *   - its identity (dist, id, kind, plugin name) is the last line of its own file, appended by jcni
 *     package: "# jcni-launcher dist=D id=I main=M kind=plugin name=N" (read through /proc/self/exe,
 *     the file the kernel runs; never from argv or the environment);
 *   - the lib directory: DIR/jcni-lib/<dist>/<id> (install.sh's layout), DIR/../lib (the packaged
 *     layout) or DIR, where DIR is the directory of the path it was exec'd by (AT_EXECFN, the $0 of the
 *     sh launcher), then the directory of the real file; the first line of lib/jcni-dist.properties
 *     must be id=<id>. None: a CNI error JSON on stdout, exit 1;
 *   - a first argument --jcni-cold, --jcni-train or --jcni-train-one: the sh launcher, argv unchanged;
 *   - warm (CNI_COMMAND=VERSION, or JCNI_WARM is not off and /run/jcni/<dist>.sock is a socket) unless
 *     the environment chooses the JVM (JCNI_JAVA_HOME, JCNI_JAVA_OPTS non-empty; JAVA_TOOL_OPTIONS,
 *     _JAVA_OPTIONS, JDK_JAVA_OPTIONS set): the shim's work below, with the sh launcher as the cold path;
 *   - anything else: the sh launcher with --jcni-cold and the arguments.
 * The environment goes on as the sh launcher's shell passes it on: without CDPATH (the launcher unsets
 * it), with PWD (the shell exports the working directory's name).
 */
static char e_dist[65], e_id[129], e_name[65], e_kind[16];

/* s[0..n) in out (NUL-terminated) when it is a word of the given kind: 'n' a name (a letter or digit,
   then letters, digits and . _ + -), 'x' lower-case hex, 'k' lower-case letters */
static int entry_word(const char *s, size_t n, char *out, size_t cap, char kind)
{
    if (n == 0 || n >= cap)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = kind == 'x' ? (isdigit(c) || (c >= 'a' && c <= 'f'))
                 : kind == 'k' ? (c >= 'a' && c <= 'z')
                 : (isalnum(c) || (i > 0 && strchr("._+-", c) != NULL));
        if (!ok || c == '\0')
            return 0;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 1;
}

/* The identity from the last line of this executable's file; 0 when it has none that is well-formed. */
static int entry_identity(void)
{
    char tail[1024];
    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    if (fstat(fd, &st) || st.st_size < 2) {
        close(fd);
        return 0;
    }
    size_t n = st.st_size < (off_t)sizeof tail ? (size_t)st.st_size : sizeof tail;
    ssize_t r = pread(fd, tail, n, st.st_size - (off_t)n);
    close(fd);
    if (r != (ssize_t)n || tail[n - 1] != '\n')
        return 0;
    char *nl = memrchr(tail, '\n', n - 1);
    static const char head[] = "# jcni-launcher ";
    if (!nl || n - 1 - (size_t)(nl + 1 - tail) < sizeof head || memcmp(nl + 1, head, sizeof head - 1) != 0)
        return 0;
    const char *p = nl + 1 + sizeof head - 1, *end = tail + n - 1;
    int have = 0;
    while (p < end) {
        const char *sp = memchr(p, ' ', (size_t)(end - p));
        const char *we = sp ? sp : end;
        const char *eq = memchr(p, '=', (size_t)(we - p));
        if (!eq)
            return 0;
        size_t kn = (size_t)(eq - p), vn = (size_t)(we - eq - 1);
        const char *v = eq + 1;
        if (kn == 4 && memcmp(p, "dist", 4) == 0)
            have |= entry_word(v, vn, e_dist, sizeof e_dist, 'n') ? 1 : 0;
        else if (kn == 2 && memcmp(p, "id", 2) == 0)
            have |= entry_word(v, vn, e_id, sizeof e_id, 'x') ? 2 : 0;
        else if (kn == 4 && memcmp(p, "kind", 4) == 0)
            have |= entry_word(v, vn, e_kind, sizeof e_kind, 'k') ? 4 : 0;
        else if (kn == 4 && memcmp(p, "name", 4) == 0)
            have |= entry_word(v, vn, e_name, sizeof e_name, 'n') ? 8 : 0;
        p = sp ? sp + 1 : end;
    }
    return have == 15;
}

/* Text as the inside of a JSON string: " and \ escaped, other bytes outside printable ASCII as '?' */
static void json_text(char *out, size_t cap, const char *s)
{
    size_t k = 0;
    for (; *s && k + 3 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            out[k++] = '\\';
            out[k++] = (char)c;
        } else {
            out[k++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
    }
    out[k] = '\0';
}

/* As the sh launcher's fail: the reason on stderr, a CNI error JSON (code 999) on stdout, exit 1. The
   configuration on stdin (unless a terminal) names the cniVersion. */
static void entry_fail(const char *msg, const char *details)
{
    char line[8192];
    int n = snprintf(line, sizeof line, "jcni %s: %s\n", e_name[0] ? e_name : "launcher", msg);
    if (n > 0)
        (void)write_all(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1, 0);
    if (!isatty(0)) {
        struct buf in = {0};
        while (in.len < MAX_REQUEST && buf_room(&in, 65536) == 0) {
            ssize_t r = read(0, in.p + in.len, in.cap - in.len);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            in.len += (size_t)r;
        }
        find_version(in.p, in.len);
    }
    char full[4200], m[4400], d[8400], out[13000];
    snprintf(full, sizeof full, "jcni %s: %s", e_name[0] ? e_name : "launcher", msg);
    json_text(m, sizeof m, full);
    json_text(d, sizeof d, details);
    if (g_version[0])
        n = snprintf(out, sizeof out, "{\n    \"cniVersion\": \"%s\",\n    \"code\": 999,\n    \"msg\": \"%s\",\n"
                     "    \"details\": \"%s\"\n}\n", g_version, m, d);
    else
        n = snprintf(out, sizeof out, "{\n    \"code\": 999,\n    \"msg\": \"%s\",\n    \"details\": \"%s\"\n}\n", m, d);
    if (n > 0)
        (void)write_all(1, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1, 0);
    _exit(1);
}

/* The lib directory beside dir (see above) into g_lib; 1 when found. */
static int entry_find_lib(const char *dir)
{
    char cand[sizeof g_lib], first[200];
    for (int i = 0; i < 3; i++) {
        int n = i == 0 ? snprintf(cand, sizeof cand, "%s/jcni-lib/%s/%s", dir, e_dist, e_id)
                : i == 1 ? snprintf(cand, sizeof cand, "%s/../lib", dir) : snprintf(cand, sizeof cand, "%s", dir);
        char props[sizeof cand + 32];
        if (n <= 0 || (size_t)n >= sizeof cand
            || snprintf(props, sizeof props, "%s/jcni-dist.properties", cand) >= (int)sizeof props)
            continue;
        int fd = open(props, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            continue;
        struct stat st;
        ssize_t r = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? read(fd, first, sizeof first - 1) : -1;
        close(fd);
        if (r <= 0)
            continue;
        first[r] = '\0';
        char *eol = strchr(first, '\n');
        if (eol)
            *eol = '\0';
        if (strncmp(first, "id=", 3) == 0 && strcmp(first + 3, e_id) == 0) {
            memcpy(g_lib, cand, (size_t)n + 1);
            return 1;
        }
    }
    return 0;
}

/* Execs the sh launcher lib/launchers/<name> with the arguments (after --jcni-cold when cold is set). */
static void entry_launcher(const char *launcher, int cold, int argc, char **argv)
{
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        entry_fail("out of memory", "");
    int k = 0;
    args[k++] = (char *)launcher;
    if (cold)
        args[k++] = "--jcni-cold";
    for (int i = 1; i < argc; i++)
        args[k++] = argv[i];
    args[k] = NULL;
    execv(launcher, args);
    char why[4400];
    snprintf(why, sizeof why, "%s: %s", launcher, strerror(errno));
    entry_fail("cannot start the launcher of the cold path", why);
}

/* Returns the shim's argv (SOCKET DISTID PLUGIN LAUNCHER ARGS...) for a warm call; else execs the sh
   launcher or fails. */
static char **entry(int argc, char **argv, int *shim_argc)
{
    /* an exec with an empty argv (kernels before 5.18; later ones give argv[0] = ""): as the sh
       launcher's, no arguments */
    static char *no_args[] = {"jcni-entry", NULL};
    if (argc < 1) {
        argc = 1;
        argv = no_args;
    }
    const char *dbg = getenv("JCNI_WARM_DEBUG");
    int say_cold = dbg && *dbg && strcmp(dbg, "0") != 0;
    unsetenv("CDPATH");
    if (!entry_identity())
        entry_fail("this entry point carries no launcher identity (not made by jcni package, or damaged)",
                   "its last line must be: # jcni-launcher dist=D id=I main=M kind=plugin name=N");
    /* the directory it was exec'd from, as the kernel names it (the sh launcher's $0), then the real one */
    const char *self = (const char *)getauxval(AT_EXECFN);
    char dir[sizeof g_lib], real[sizeof g_lib];
    int found = 0;
    if (self && *self && strlen(self) < sizeof dir) {
        strcpy(dir, self);
        char *slash = strrchr(dir, '/');
        if (!slash)
            strcpy(dir, ".");
        else if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        found = entry_find_lib(dir);
    }
    real[0] = '\0';
    if (!found) {
        ssize_t k = readlink("/proc/self/exe", real, sizeof real - 1);
        if (k > 0) {
            real[k] = '\0';
            memcpy(dir, real, (size_t)k + 1);
            char *slash = strrchr(dir, '/');
            if (slash)
                *slash = '\0';
            found = entry_find_lib(slash == dir ? "/" : dir);
        }
    }
    if (!found) {
        char msg[300], details[sizeof dir + sizeof real + 200];
        snprintf(msg, sizeof msg, "cannot find the jars of distribution %s (%s)", e_dist, e_id);
        snprintf(details, sizeof details, "looked for jcni-dist.properties with id=%s in jcni-lib/%s, ../lib and . beside %s%s%s",
                 e_id, e_dist, self ? self : "(no exec path)", real[0] ? " and " : "", real);
        entry_fail(msg, details);
    }
    static char launcher[sizeof g_lib + 100];
    if (snprintf(launcher, sizeof launcher, "%s/launchers/%s", g_lib, e_name) >= (int)sizeof launcher)
        entry_fail("the path of the launcher is too long", g_lib);
    if (argc > 1 && (strcmp(argv[1], "--jcni-cold") == 0 || strcmp(argv[1], "--jcni-train") == 0
                     || strcmp(argv[1], "--jcni-train-one") == 0))
        entry_launcher(launcher, 0, argc, argv);
    static char sock[120];
    snprintf(sock, sizeof sock, "/run/jcni/%s.sock", e_dist);
    const char *cmd = getenv("CNI_COMMAND"), *warm = getenv("JCNI_WARM");
    struct stat st;
    if (strcmp(e_kind, "plugin") != 0
        || !((cmd && strcmp(cmd, "VERSION") == 0) || (!(warm && strcmp(warm, "off") == 0) && stat(sock, &st) == 0
                                                     && S_ISSOCK(st.st_mode))))
        entry_launcher(launcher, 1, argc, argv);
    /* a call whose environment chooses the JVM or its options runs cold: only a JVM of its own honours them */
    const char *jvm_setting = NULL;
    if (env_set("JCNI_JAVA_HOME"))
        jvm_setting = "JCNI_JAVA_HOME";
    if (env_set("JCNI_JAVA_OPTS"))
        jvm_setting = "JCNI_JAVA_OPTS";
    /* the JVM reads these even when empty */
    if (getenv("JAVA_TOOL_OPTIONS"))
        jvm_setting = "JAVA_TOOL_OPTIONS";
    if (getenv("_JAVA_OPTIONS"))
        jvm_setting = "_JAVA_OPTIONS";
    if (getenv("JDK_JAVA_OPTIONS"))
        jvm_setting = "JDK_JAVA_OPTIONS";
    if (jvm_setting) {
        if (say_cold) {
            char line[200];
            int n = snprintf(line, sizeof line, "jcni %s: going cold: %s is set\n", e_name, jvm_setting);
            if (n > 0)
                (void)write_all(2, line, (size_t)n, 0);
        }
        entry_launcher(launcher, 1, argc, argv);
    }
    /* PWD as the sh launcher's shell exports it (and the cold path's JVM sees it): the caller's when it
       is absolute and names the working directory, else the working directory */
    const char *pwd = getenv("PWD");
    struct stat at_pwd, at_dot;
    if (!(pwd && pwd[0] == '/' && stat(pwd, &at_pwd) == 0 && stat(".", &at_dot) == 0 && at_pwd.st_dev == at_dot.st_dev
          && at_pwd.st_ino == at_dot.st_ino)) {
        char *cwd = getcwd(NULL, 0);
        if (cwd)
            setenv("PWD", cwd, 1);
        free(cwd);
    }
    char **args = calloc((size_t)argc + 5, sizeof *args);
    if (!args)
        entry_fail("out of memory", "");
    args[0] = argv[0];
    args[1] = sock;
    args[2] = e_id;
    args[3] = e_name;
    args[4] = launcher;
    for (int i = 1; i < argc; i++)
        args[i + 4] = argv[i];
    *shim_argc = argc + 4;
    return args;
}
#endif

/* ------------------------------------------------------------------ main */

int main(int argc, char **argv)
{
#ifdef JCNI_ENTRY
    argv = entry(argc, argv, &argc);
#endif
    g_argc = argc;
    g_argv = argv;
    if (argc < 5)
        fail_json("jcni-shim: usage: jcni-shim SOCKET DISTID PLUGIN LAUNCHER [ARGS...]");
    const char *dbg = getenv("JCNI_WARM_DEBUG");
    debug = dbg && *dbg && strcmp(dbg, "0") != 0;
    const char *ph = getenv("JCNI_WARM_PHASES");
    phases_on = ph && *ph && strcmp(ph, "0") != 0;
    mark("main");
    const char *patience = getenv("JCNI_WARM_PATIENCE_MS");
    if (patience && *patience) {
        char *end;
        long long v = strtoll(patience, &end, 10);
        if (*end == '\0' && v >= 50 && v <= 60000)
            patience_ms = v;
    }
    const char *sock_path = argv[1];

    /* a terminal on stdin: the cold path decides what to read */
    if (isatty(0))
        go_cold(-1, "stdin is a terminal", 0, NULL, 0);
    struct stat st0;
    if (fstat(0, &st0))
        go_cold(-1, "stdin is not open", 0, NULL, 0);

    /* stdin, to its end (the cold path gets every byte back) */
    struct buf in = {0};
    for (;;) {
        if (buf_room(&in, 65536))
            go_cold(-1, "out of memory", 1, in.p, in.len);
        ssize_t r = read(0, in.p + in.len, in.cap - in.len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            go_cold(-1, "cannot read stdin", 1, in.p, in.len);
        }
        if (r == 0)
            break;
        in.len += (size_t)r;
    }
    mark("stdin read");
    answer_version(argv[3], in.p, in.len);
    const char *warm = getenv("JCNI_WARM");
    if (warm && strcmp(warm, "off") == 0)
        go_cold(-1, "JCNI_WARM=off", 1, in.p, in.len);
    if (!root_only_dir(sock_path))
        go_cold(-1, "the socket or its directory is not root's alone", 1, in.p, in.len);

    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(sock_path) >= sizeof addr.sun_path)
        go_cold(-1, "socket path too long", 1, in.p, in.len);
    strcpy(addr.sun_path, sock_path);
    /* non-blocking for the connect: a daemon whose backlog is full does not make it wait */
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (sock < 0)
        go_cold(-1, "socket() failed", 1, in.p, in.len);
    if (connect(sock, (struct sockaddr *)&addr, sizeof addr))
        go_cold(sock, errno == EAGAIN ? "the daemon's backlog is full" : "the daemon is not listening", 1, in.p, in.len);
    int flags = fcntl(sock, F_GETFL);
    if (flags < 0 || fcntl(sock, F_SETFL, flags & ~O_NONBLOCK))
        go_cold(sock, "fcntl() failed", 1, in.p, in.len);
    struct ucred cred;
    socklen_t clen = sizeof cred;
    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || cred.uid != 0)
        go_cold(sock, "the daemon is not root", 1, in.p, in.len);
    mark("connected");

    find_version(in.p, in.len);
    /* read to its end in any case: the cold path must get every byte */
    if (in.len > MAX_REQUEST)
        go_cold(sock, "stdin too large", 1, in.p, in.len);

    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        go_cold(sock, "no working directory", 1, in.p, in.len);

    struct buf req = {0};
    int ok = 1;
    mode_t mask = umask(0);
    umask(mask);
    ok &= put(&req, "JCW2", 4) == 0 && put_u32(&req, 0) == 0;
    ok &= put_u32(&req, (uint32_t)getpid()) == 0 && put_u32(&req, (uint32_t)mask) == 0;
    id_of(&req, "/proc/self/ns/net", &ok);
    id_of(&req, "/proc/self/ns/mnt", &ok);
    id_of(&req, "/proc/self/ns/user", &ok);
    /* the root through /proc, as with the namespaces: the same directory as "/", also under
       qemu-user with QEMU_LD_PREFIX, which resolves "/" to its sysroot (docs/architectures.md) */
    id_of(&req, "/proc/self/root", &ok);
    ok &= put_str(&req, argv[2], strlen(argv[2])) == 0;
    ok &= put_str(&req, argv[3], strlen(argv[3])) == 0;
    ok &= put_str(&req, cwd, strlen(cwd)) == 0;
    ok &= put_u32(&req, (uint32_t)(argc - 5)) == 0;
    for (int i = 5; i < argc && ok; i++)
        ok &= put_str(&req, argv[i], strlen(argv[i])) == 0;
    uint32_t envc = 0;
    for (char **e = environ; *e; e++)
        envc++;
    ok &= put_u32(&req, envc) == 0;
    for (char **e = environ; *e && ok; e++)
        ok &= put_str(&req, *e, strlen(*e)) == 0;
    ok &= put_str(&req, in.p, in.len) == 0;
    if (!ok || req.len - 8 > MAX_REQUEST)
        go_cold(sock, "cannot build the request", 1, in.p, in.len);
    be32(req.p + 4, (uint32_t)(req.len - 8));
    /* the go-ahead goes with the request (the daemon reads it after its 'T'): the daemon need not wait for
       the shim to wake up between its 'T' and its 'S'. A send that does not complete never sent it. */
    if (put(&req, "G", 1))
        go_cold(sock, "cannot build the request", 1, in.p, in.len);
    int sent = send_patiently(sock, req.p, req.len);
    if (sent == 0)
        go_cold(sock, "the daemon did not take the request in time", 1, in.p, in.len);
    if (sent < 0)
        go_cold(sock, "the daemon closed the connection", 1, in.p, in.len);
    free(req.p);
    mark("request sent");

    /* wait for the turn and the start: 'W' while the call waits for its turn, 'R' for a refusal, 'T' then 'S'.
       The go-ahead is sent, so from here on the shim runs the call cold only if the daemon cannot have
       started it: before 'S', the daemon's end came (EOF, 'R', anything else), or the shim's patience ran
       out and it shut its socket's reading side down (the daemon's later writes fail) and found no 'S'
       queued before that. */
    unsigned char hdr[5];
    uint32_t n;
    int turn = 0;
    for (;;) {
        int r = read_by(sock, hdr, 5, now_ms() + patience_ms);
        if (r == -2) {
            /* no 'S' can be written after this; one written before it is still queued */
            shutdown(sock, SHUT_RD);
            int started = 0;
            /* 'W' and 'T' frames may be queued before an 'S' */
            while (!started && read_by(sock, hdr, 5, now_ms()) == 1 && get_be32(hdr + 1) == 0
                   && (hdr[0] == 'W' || hdr[0] == 'T' || hdr[0] == 'S'))
                started = hdr[0] == 'S';
            if (started)
                fail_json("jcni warm mode: the warm-mode daemon started the call as the shim stopped waiting for it; "
                          "the call's outcome is unknown");
            go_cold(sock, turn ? "the daemon did not confirm the start in time" : "the daemon did not answer in time", 1,
                    in.p, in.len);
        }
        if (r != 1)
            go_cold(sock, "the daemon closed the connection", 1, in.p, in.len);
        n = get_be32(hdr + 1);
        if (hdr[0] == 'W' && n == 0 && !turn)
            continue;
        if (hdr[0] == 'T' && n == 0 && !turn) {
            mark("turn read (T)");
            turn = 1;
            continue;
        }
        if (hdr[0] == 'S' && n == 0 && turn)
            break;
        if (turn)
            go_cold(sock, "the daemon did not start the call", 1, in.p, in.len);
        char why[256] = "the daemon refused the call";
        if (hdr[0] == 'R' && n < 200) {
            char reason[200];
            if (read_by(sock, reason, n, now_ms() + patience_ms) == 1) {
                reason[n] = '\0';
                snprintf(why, sizeof why, "the daemon refused the call: %s", reason);
            }
        }
        go_cold(sock, why, 1, in.p, in.len);
    }
    mark("start read (S)");
    free(in.p);
    in.p = NULL;

    /* the call runs: relay until its exit */
    struct buf out = {0};
    unsigned char chunk[65536];
    for (;;) {
        if (read_full(sock, hdr, 5) != 1)
            break;
        n = get_be32(hdr + 1);
        if (hdr[0] == 'X') {
            unsigned char code[4];
            if (n != 4 || read_full(sock, code, 4) != 1)
                break;
            mark("exit read (X)");
            print_marks();
            if (out.len)
                (void)write_all(1, out.p, out.len, 0);
            _exit(code[3]);
        }
        if (hdr[0] != 'E' && hdr[0] != 'O')
            break;
        while (n > 0) {
            size_t k = n < sizeof chunk ? n : sizeof chunk;
            if (read_full(sock, chunk, k) != 1)
                goto died;
            if (hdr[0] == 'E')
                (void)write_all(2, chunk, k, 0);
            else if (put(&out, chunk, k))
                goto died;
            n -= (uint32_t)k;
        }
    }
died:
    fail_json("jcni warm mode: the warm-mode daemon died mid-call; the call's outcome is unknown");
    return 1;
}
