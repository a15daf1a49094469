package dev.jcni.sdk.warm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * @param namespaces namespace kind (net, mnt, user, pid, uts, ipc, cgroup, time) to its identity,
 *     the kinds this kernel has
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
 * @param limits resource limit name to soft and hard limit ({@link Long#MAX_VALUE} for unlimited)
 * @param oomScoreAdj the oom_score_adj
 * @param lsmLabel the LSM label ({@code attr/current}), empty when there is no LSM to tell
 */
record ProcessFacts(Map<String, Wire.FileId> namespaces, Wire.FileId root, String cwd, Wire.FileId cwdId, int umask,
                    Map<String, Long> caps, boolean noNewPrivs, String seccomp, String uids, String gids,
                    Set<Integer> groups, Map<String, String> cgroups, Map<String, long[]> limits, int oomScoreAdj,
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
        Path proc = Path.of("/proc", Long.toString(pid));
        Map<String, Wire.FileId> ns = new LinkedHashMap<>();
        for (String kind : kinds) {
            ns.put(kind, id(proc.resolve("ns").resolve(kind)));
        }
        int umask = -1;
        Map<String, Long> caps = new LinkedHashMap<>();
        boolean nnp = false;
        String seccompMode = "0";
        String seccompFilters = "0";
        String uids = "";
        String gids = "";
        Set<Integer> groups = new TreeSet<>();
        for (String line : read(proc.resolve("status")).split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "Umask" -> umask = Integer.parseInt(value, 8);
                case "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" -> caps.put(key, Long.parseUnsignedLong(value, 16));
                case "NoNewPrivs" -> nnp = !value.equals("0");
                case "Seccomp" -> seccompMode = value;
                case "Seccomp_filters" -> seccompFilters = value;
                case "Uid" -> uids = value.replaceAll("\\s+", " ");
                case "Gid" -> gids = value.replaceAll("\\s+", " ");
                case "Groups" -> {
                    for (String g : value.split("\\s+")) {
                        if (!g.isEmpty()) {
                            groups.add(Integer.parseInt(g));
                        }
                    }
                }
                default -> {
                    // not compared
                }
            }
        }
        if (umask < 0 || caps.size() != CAPS.size() || uids.isEmpty()) {
            throw new IOException(proc + "/status lacks Umask, Cap*, or Uid (a kernel before 4.7?)");
        }
        Map<String, String> cgroups = new LinkedHashMap<>();
        for (String line : read(proc.resolve("cgroup")).split("\n")) {
            int last = line.lastIndexOf(':');
            if (last > 0) {
                cgroups.put(line.substring(0, last), line.substring(last + 1));
            }
        }
        Path cwd = proc.resolve("cwd");
        return new ProcessFacts(ns, id(proc.resolve("root")), Files.readSymbolicLink(cwd).toString(), id(cwd), umask, caps,
                nnp, seccompMode + "/" + seccompFilters, uids, gids, groups, cgroups, limits(read(proc.resolve("limits"))),
                Integer.parseInt(read(proc.resolve("oom_score_adj")).trim()), lsmLabel(proc.resolve("attr/current")));
    }

    /**
     * What the daemon would give a call that this process's own exec would not have, if anything.
     *
     * @param daemon the daemon's facts
     * @return what, in plain words for the daemon's log; empty when this process has it all
     */
    Optional<String> lackOf(ProcessFacts daemon) {
        for (Map.Entry<String, Wire.FileId> n : daemon.namespaces.entrySet()) {
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
            return Optional.of("its supplementary groups " + groups + " lack some of the daemon's " + daemon.groups);
        }
        Optional<String> cgroup = cgroupLack(daemon);
        if (cgroup.isPresent()) {
            return cgroup;
        }
        for (Map.Entry<String, long[]> l : daemon.limits.entrySet()) {
            long[] mine = limits.get(l.getKey());
            if (mine == null) {
                return Optional.of("it has no limit \"" + l.getKey() + "\"");
            }
            long soft = l.getKey().equals(OPEN_FILES) ? mine[1] : mine[0];
            if (l.getValue()[0] > soft || l.getValue()[1] > mine[1]) {
                return Optional.of("its limit \"" + l.getKey() + "\" (" + limit(mine) + ") is below the daemon's ("
                        + limit(l.getValue()) + ")");
            }
        }
        if (oomScoreAdj > daemon.oomScoreAdj) {
            return Optional.of("its oom_score_adj " + oomScoreAdj + " is above the daemon's " + daemon.oomScoreAdj);
        }
        if (!lsmLabel.equals(daemon.lsmLabel)) {
            return Optional.of("its LSM label \"" + lsmLabel + "\" is not the daemon's \"" + daemon.lsmLabel + "\"");
        }
        return Optional.empty();
    }

    /**
     * Whether a request tells the truth about this process: the shim sends its pid, namespaces,
     * root, umask and working directory, which the daemon does not trust but checks.
     *
     * @param req the request
     * @param pid this process's pid (the kernel's)
     * @return true when all of them are this process's
     */
    boolean saidBy(Wire.Request req, long pid) {
        return req.pid() == pid && req.netNs().equals(namespaces.get("net")) && req.mntNs().equals(namespaces.get("mnt"))
                && req.userNs().equals(namespaces.get("user")) && req.root().equals(root) && req.umask() == umask
                && req.cwd().equals(cwd) && isDirectory(cwd, cwdId);
    }

    /** Whether a path names, here, the directory with that identity (it was not renamed meanwhile). */
    private static boolean isDirectory(String path, Wire.FileId dir) {
        try {
            return id(Path.of(path)).equals(dir);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The caller must be in the daemon's part of each cgroup tree: at or below the parent of the
     * daemon's cgroup (e.g. both in system.slice), so that a caller confined to a pod's or a user's
     * cgroup goes cold. Limits themselves are not compared.
     */
    private Optional<String> cgroupLack(ProcessFacts daemon) {
        if (!cgroups.keySet().equals(daemon.cgroups.keySet())) {
            return Optional.of("its cgroup hierarchies " + cgroups.keySet() + " are not the daemon's " + daemon.cgroups.keySet());
        }
        for (Map.Entry<String, String> c : daemon.cgroups.entrySet()) {
            String d = c.getValue();
            String parent = d.lastIndexOf('/') <= 0 ? "/" : d.substring(0, d.lastIndexOf('/'));
            String mine = cgroups.get(c.getKey());
            if (!(parent.equals("/") || mine.equals(parent) || mine.startsWith(parent + "/"))) {
                return Optional.of("its cgroup " + c.getKey() + ":" + mine + " is outside the daemon's " + parent);
            }
        }
        return Optional.empty();
    }

    private static String limit(long[] l) {
        return (l[0] == Long.MAX_VALUE ? "unlimited" : Long.toString(l[0])) + "/"
                + (l[1] == Long.MAX_VALUE ? "unlimited" : Long.toString(l[1]));
    }

    /** /proc/&lt;pid&gt;/limits: a header, then lines of a 26-column name, soft, hard and unit. */
    static Map<String, long[]> limits(String text) throws IOException {
        Map<String, long[]> out = new LinkedHashMap<>();
        String[] lines = text.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.length() < 26) {
                continue;
            }
            String[] values = line.substring(26).trim().split("\\s+");
            if (values.length < 2) {
                throw new IOException("unexpected line in limits: " + line);
            }
            out.put(line.substring(0, 26).trim(), new long[] {value(values[0]), value(values[1])});
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

    private static String read(Path p) throws IOException {
        return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
    }

    private static Wire.FileId id(Path path) throws IOException {
        Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino");
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
