package dev.jcni.sdk.warm;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a process passes on to a program it execs, as {@code /proc/<pid>} shows it: the daemon
 * reads its own at start, and its caller's (the pid the kernel gives for the connection) on every
 * call. A warm call runs with the daemon's; a cold one with what the caller's exec gives it, so a
 * call is served warm only when the caller has everything the daemon has ({@link #lackOf}).
 *
 * @param namespaces namespace kind (net, mnt, user, pid, uts, ipc, cgroup, time) to its identity
 *     (a file key: device and inode), the kinds this kernel has
 * @param root the root directory's identity
 * @param cwd the working directory's path (empty for the daemon: not compared)
 * @param cwdId the working directory's identity
 * @param umask the umask
 * @param caps CapEff, CapPrm, CapBnd, CapInh, CapAmb (name to bits)
 * @param noNewPrivs the no_new_privs flag
 * @param seccomp the seccomp mode and the number of filters, e.g. {@code 2/1}
 * @param uids real, effective, saved and file-system uid
 * @param gids the same gids
 * @param groups the supplementary groups
 * @param cgroups hierarchy ({@code id:controllers}) to the cgroup's path
 * @param limitsText {@code /proc/<pid>/limits}
 * @param oomScoreAdj the oom_score_adj
 * @param lsmLabel the LSM label ({@code attr/current}), empty when there is no LSM to tell
 */
record ProcessFacts(Map<String, Object> namespaces, Object root, String cwd, Object cwdId, int umask,
                    Map<String, Long> caps, boolean noNewPrivs, String seccomp, String uids, String gids,
                    Set<Integer> groups, Map<String, String> cgroups, String limitsText, int oomScoreAdj,
                    String lsmLabel) {

    /** The namespace kinds compared, those of /proc/&lt;pid&gt;/ns this kernel has. */
    static final List<String> NAMESPACES = List.of("net", "mnt", "user", "pid", "uts", "ipc", "cgroup", "time");
    private static final List<String> CAPS = List.of("CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb");
    /** The JVM raises its soft limit of open files to the hard one, cold as warm. */
    private static final String OPEN_FILES = "Max open files";

    /**
     * Reads a process's facts.
     *
     * @param pid the process
     * @param kinds the namespace kinds to read (those the daemon has)
     * @return its facts
     * @throws IOException when one cannot be read (the process is gone, or a zombie)
     */
    static ProcessFacts of(long pid, List<String> kinds) throws IOException {
        // parsed by hand, without regular expressions: a daemon that has not compiled this yet
        // pays for every character it looks at
        String proc = "/proc/" + pid + "/";
        Map<String, Object> ns = new LinkedHashMap<>();
        for (String kind : kinds) {
            ns.put(kind, key(Path.of(proc + "ns/" + kind)));
        }
        int umask = -1;
        Map<String, Long> caps = new LinkedHashMap<>();
        boolean nnp = false;
        String seccompMode = "0";
        String seccompFilters = "0";
        String uids = "";
        String gids = "";
        Set<Integer> groups = new TreeSet<>();
        for (String line : lines(read(proc + "status"))) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "Umask" -> umask = Integer.parseInt(value, 8);
                case "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" -> caps.put(key, Long.parseUnsignedLong(value, 16));
                case "NoNewPrivs" -> nnp = !value.equals("0");
                case "Seccomp" -> seccompMode = value;
                case "Seccomp_filters" -> seccompFilters = value;
                case "Uid" -> uids = value;
                case "Gid" -> gids = value;
                case "Groups" -> {
                    for (String g : words(value)) {
                        groups.add(Integer.parseInt(g));
                    }
                }
                default -> {
                    // not compared
                }
            }
        }
        if (umask < 0 || caps.size() != CAPS.size() || uids.isEmpty()) {
            throw new IOException(proc + "status lacks Umask, Cap*, or Uid (a kernel before 4.7?)");
        }
        Map<String, String> cgroups = new LinkedHashMap<>();
        for (String line : lines(read(proc + "cgroup"))) {
            int last = line.lastIndexOf(':');
            if (last > 0) {
                cgroups.put(line.substring(0, last), line.substring(last + 1));
            }
        }
        Path cwd = Path.of(proc + "cwd");
        return new ProcessFacts(ns, key(Path.of(proc + "root")), Files.readSymbolicLink(cwd).toString(), key(cwd), umask,
                caps, nnp, seccompMode + "/" + seccompFilters, uids, gids, groups, cgroups, read(proc + "limits"),
                Integer.parseInt(read(proc + "oom_score_adj").strip()), lsmLabel(Path.of(proc + "attr/current")));
    }

    /**
     * What the daemon would give a call that this process's own exec would not have, if anything.
     *
     * @param daemon the daemon's facts
     * @return what, in plain words for the daemon's log; empty when this process has it all
     */
    Optional<String> lackOf(ProcessFacts daemon) {
        for (Map.Entry<String, Object> n : daemon.namespaces.entrySet()) {
            if (!n.getValue().equals(namespaces.get(n.getKey()))) {
                return Optional.of("it is in another " + n.getKey() + " namespace");
            }
        }
        if (!root.equals(daemon.root)) {
            return Optional.of("it has another root directory");
        }
        if (umask != daemon.umask) {
            return Optional.of("its umask " + Integer.toOctalString(umask) + " is not the daemon's "
                    + Integer.toOctalString(daemon.umask));
        }
        for (String c : CAPS) {
            long missing = daemon.caps.get(c) & ~caps.get(c);
            if (missing != 0) {
                return Optional.of("its " + c + " lacks capabilities the daemon has (bits " + Long.toHexString(missing) + ")");
            }
        }
        if (noNewPrivs && !daemon.noNewPrivs) {
            return Optional.of("it has NoNewPrivs set");
        }
        if (!seccomp.equals(daemon.seccomp)) {
            return Optional.of("its seccomp (mode/filters " + seccomp + ") is not the daemon's (" + daemon.seccomp + ")");
        }
        if (!uids.equals(daemon.uids) || !gids.equals(daemon.gids)) {
            return Optional.of("its uids/gids (" + uids + " / " + gids + ") are not the daemon's (" + daemon.uids + " / "
                    + daemon.gids + ")");
        }
        if (!groups.containsAll(daemon.groups)) {
            // sorted, so that the log says the same of the same sets
            return Optional.of("its supplementary groups " + new TreeSet<>(groups) + " lack some of the daemon's "
                    + new TreeSet<>(daemon.groups));
        }
        Optional<String> cgroup = cgroupLack(daemon);
        if (cgroup.isPresent()) {
            return cgroup;
        }
        Optional<String> limit = limitsText.equals(daemon.limitsText) ? Optional.empty() : limitLack(daemon);
        if (limit.isPresent()) {
            return limit;
        }
        if (oomScoreAdj > daemon.oomScoreAdj) {
            return Optional.of("its oom_score_adj " + oomScoreAdj + " is above the daemon's " + daemon.oomScoreAdj);
        }
        if (!lsmLabel.equals(daemon.lsmLabel)) {
            return Optional.of("its LSM label \"" + lsmLabel + "\" is not the daemon's \"" + daemon.lsmLabel + "\"");
        }
        return Optional.empty();
    }

    /** Each soft and hard limit at least the daemon's (parsed only when the texts differ). */
    private Optional<String> limitLack(ProcessFacts daemon) {
        Map<String, long[]> mine;
        Map<String, long[]> its;
        try {
            mine = limits(limitsText);
            its = limits(daemon.limitsText);
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
        for (Map.Entry<String, long[]> l : its.entrySet()) {
            long[] m = mine.get(l.getKey());
            if (m == null) {
                return Optional.of("it has no limit \"" + l.getKey() + "\"");
            }
            long soft = l.getKey().equals(OPEN_FILES) ? m[1] : m[0];
            if (l.getValue()[0] > soft || l.getValue()[1] > m[1]) {
                return Optional.of("its limit \"" + l.getKey() + "\" (" + limit(m) + ") is below the daemon's ("
                        + limit(l.getValue()) + ")");
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a request tells the truth about this process, which has passed {@link #lackOf}: the
     * shim sends its pid, namespaces, root, umask and working directory, which the daemon does not
     * trust but checks.
     *
     * @param req the request
     * @param pid this process's pid (the kernel's)
     * @param daemonIds the daemon's network, mount and user namespaces and root, which this process
     *     shares (lackOf)
     * @return true when all of them are this process's
     */
    boolean saidBy(Wire.Request req, long pid, List<Wire.FileId> daemonIds) {
        return req.pid() == pid && req.netNs().equals(daemonIds.get(0)) && req.mntNs().equals(daemonIds.get(1))
                && req.userNs().equals(daemonIds.get(2)) && req.root().equals(daemonIds.get(3)) && req.umask() == umask
                && req.cwd().equals(cwd) && isDirectory(cwd, cwdId);
    }

    /**
     * @return the daemon's own network, mount and user namespaces and root directory, as the request
     *     names them (the root read through /proc/self/root, as the shim does: the same directory as
     *     "/", also under qemu-user, where "/" names QEMU_LD_PREFIX's sysroot)
     * @throws IOException when they cannot be read
     */
    static List<Wire.FileId> ownIds() throws IOException {
        return List.of(id("/proc/self/ns/net"), id("/proc/self/ns/mnt"), id("/proc/self/ns/user"), id("/proc/self/root"));
    }

    /** Whether a path names, here, the directory with that identity (it was not renamed meanwhile). */
    private static boolean isDirectory(String path, Object dir) {
        try {
            return key(Path.of(path)).equals(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The caller must be in the daemon's part of each cgroup tree: at or below the parent of the
     * daemon's cgroup (e.g. both in system.slice), so that a caller confined to a pod's or a user's
     * cgroup goes cold; or the daemon's cgroup is at or below the caller's (a daemon placed with
     * {@code --cgroup} under podman's conmon cgroup, say): cgroup limits are hierarchical, so what
     * confines the caller's cgroup confines the daemon's too. Limits themselves are not compared.
     */
    private Optional<String> cgroupLack(ProcessFacts daemon) {
        if (!cgroups.keySet().equals(daemon.cgroups.keySet())) {
            return Optional.of("its cgroup hierarchies " + cgroups.keySet() + " are not the daemon's " + daemon.cgroups.keySet());
        }
        for (Map.Entry<String, String> c : daemon.cgroups.entrySet()) {
            String d = c.getValue();
            String parent = d.lastIndexOf('/') <= 0 ? "/" : d.substring(0, d.lastIndexOf('/'));
            String mine = cgroups.get(c.getKey());
            if (!(within(mine, parent) || within(d, mine))) {
                return Optional.of("its cgroup " + c.getKey() + ":" + mine + " is outside the daemon's " + parent);
            }
        }
        return Optional.empty();
    }

    /** Whether cgroup path {@code inner} is {@code outer} or below it. */
    static boolean within(String inner, String outer) {
        return outer.equals("/") || inner.equals(outer) || inner.startsWith(outer + "/");
    }

    private static String limit(long[] l) {
        return (l[0] == Long.MAX_VALUE ? "unlimited" : Long.toString(l[0])) + "/"
                + (l[1] == Long.MAX_VALUE ? "unlimited" : Long.toString(l[1]));
    }

    /** /proc/&lt;pid&gt;/limits: a header, then lines of a 26-column name, soft, hard and unit. */
    static Map<String, long[]> limits(String text) throws IOException {
        Map<String, long[]> out = new LinkedHashMap<>();
        List<String> lines = lines(text);
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.length() < 26) {
                continue;
            }
            List<String> values = words(line.substring(26));
            if (values.size() < 2) {
                throw new IOException("unexpected line in limits: " + line);
            }
            out.put(line.substring(0, 26).strip(), new long[] {value(values.get(0)), value(values.get(1))});
        }
        return out;
    }

    private static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int nl = text.indexOf('\n', from);
            int end = nl < 0 ? text.length() : nl;
            out.add(text.substring(from, end));
            from = end + 1;
        }
        return out;
    }

    private static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(text.substring(start, i));
            }
        }
        return out;
    }

    private static long value(String v) throws IOException {
        if (v.equals("unlimited")) {
            return Long.MAX_VALUE;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IOException("unexpected limit " + v);
        }
    }

    private static String lsmLabel(Path current) throws IOException {
        try {
            return read(current).replace("\0", "").trim();
        } catch (NoSuchFileException e) {
            throw e; // the process is gone
        } catch (IOException e) {
            return ""; // EINVAL: no LSM that labels processes
        }
    }

    /** The buffer each thread reads {@code /proc} files into (a few KiB; grown when a file needs more). */
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[8192]);

    /**
     * A {@code /proc} file's text: one open, reads into the thread's buffer until the end, one close
     * (no size query and no channel, which Files.readAllBytes adds; a call's checks read four).
     */
    static String read(String path) throws IOException {
        try (FileInputStream in = new FileInputStream(path)) {
            byte[] buf = BUFFER.get();
            int n = 0;
            while (true) {
                if (n == buf.length) {
                    buf = Arrays.copyOf(buf, buf.length * 2);
                    BUFFER.set(buf);
                }
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    return new String(buf, 0, n, StandardCharsets.UTF_8);
                }
                n += r;
            }
        }
    }

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    /** A file's identity (device and inode; equal keys, same file), following symbolic links. */
    static Object key(Path path) throws IOException {
        return Files.readAttributes(path, PosixFileAttributes.class).fileKey();
    }

    /**
     * A file's device and inode, as the request gives them.
     *
     * @param path the file
     * @return its identity
     * @throws IOException when it cannot be read
     */
    static Wire.FileId id(String path) throws IOException {
        Map<String, Object> a = Files.readAttributes(Path.of(path), "unix:dev,ino");
        return new Wire.FileId(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue());
    }

    /**
     * @param pid a process
     * @return the namespace kinds it has (those this kernel knows)
     */
    static List<String> namespaceKinds(long pid) {
        List<String> kinds = new ArrayList<>();
        for (String k : NAMESPACES) {
            if (Files.exists(Path.of("/proc", Long.toString(pid), "ns", k))) {
                kinds.add(k);
            }
        }
        return List.copyOf(kinds);
    }
}
