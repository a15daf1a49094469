package dev.jcni.sdk.warm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where the daemon runs, when the operator says: {@code --cgroup PATH} (the same cgroup path in every
 * hierarchy of {@code /proc/self/cgroup}) and {@code --rlimit NAME=SOFT[:HARD]} (repeatable). The
 * daemon places itself there at start, before it reads its own facts ({@link ProcessFacts}), and
 * does not start unless {@code /proc/self} then shows exactly that. Neither lends a caller anything:
 * every caller is compared with the daemon so placed ({@link ProcessFacts#lackOf}), and a daemon
 * with lower limits, or in a cgroup within its callers', serves more callers only because it has
 * less to lend (docs/operators.md, "Warm mode for podman").
 *
 * @param cgroup the cgroup path, e.g. {@code /libpod_parent/conmon/jcni}
 * @param limits prlimit resource name (nproc, nofile, ...) to its soft and hard value
 */
record Placement(Optional<String> cgroup, Map<String, Limit> limits) {

    /**
     * One resource limit as given.
     *
     * @param soft the soft limit: digits or {@code unlimited}
     * @param hard the hard limit
     */
    record Limit(String soft, String hard) {
    }

    /** prlimit(1)'s resource names to the row of {@code /proc/<pid>/limits}. */
    static final Map<String, String> RESOURCES = Map.ofEntries(Map.entry("as", "Max address space"),
            Map.entry("core", "Max core file size"), Map.entry("cpu", "Max cpu time"), Map.entry("data", "Max data size"),
            Map.entry("fsize", "Max file size"), Map.entry("locks", "Max file locks"),
            Map.entry("memlock", "Max locked memory"), Map.entry("msgqueue", "Max msgqueue size"),
            Map.entry("nice", "Max nice priority"), Map.entry("nofile", "Max open files"),
            Map.entry("nproc", "Max processes"), Map.entry("rss", "Max resident set"),
            Map.entry("rtprio", "Max realtime priority"), Map.entry("rttime", "Max realtime timeout"),
            Map.entry("sigpending", "Max pending signals"), Map.entry("stack", "Max stack size"));
    /** Where prlimit (util-linux) is looked for; no PATH lookup for root's daemon. */
    private static final List<String> PRLIMIT = List.of("/usr/bin/prlimit", "/bin/prlimit");
    private static final Path CGROUP_FS = Path.of("/sys/fs/cgroup");

    /** No placement: the daemon stays where it was started, with the limits it was given. */
    static final Placement NONE = new Placement(Optional.empty(), Map.of());

    /**
     * Takes {@code --cgroup} and {@code --rlimit} out of the daemon's command line.
     *
     * @param args the command line
     * @param rest receives the other arguments, in order
     * @return the placement asked for
     * @throws IllegalArgumentException on a malformed value
     */
    static Placement extract(String[] args, List<String> rest) {
        Optional<String> cgroup = Optional.empty();
        Map<String, Limit> limits = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.equals("--cgroup") && !a.equals("--rlimit")) {
                rest.add(a);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(a + " needs a value");
            }
            String v = args[++i];
            if (a.equals("--cgroup")) {
                cgroup = Optional.of(cgroupPath(v));
            } else {
                int eq = v.indexOf('=');
                String name = eq < 0 ? "" : v.substring(0, eq);
                if (!RESOURCES.containsKey(name)) {
                    throw new IllegalArgumentException("--rlimit needs NAME=SOFT[:HARD] with NAME one of "
                            + new java.util.TreeSet<>(RESOURCES.keySet()) + ", got " + v);
                }
                String[] sh = v.substring(eq + 1).split(":", -1);
                Limit l = new Limit(value(sh[0], v), value(sh.length > 1 ? sh[1] : sh[0], v));
                if (sh.length > 2 || number(l.soft()) > number(l.hard())) {
                    throw new IllegalArgumentException("--rlimit needs a soft limit at most the hard one, got " + v);
                }
                limits.put(name, l);
            }
        }
        return new Placement(cgroup, Map.copyOf(limits));
    }

    /** An absolute cgroup path below the root, of plain names (no {@code .}, {@code ..}, {@code :}). */
    static String cgroupPath(String v) {
        if (!v.startsWith("/") || v.equals("/") || v.endsWith("/")) {
            throw new IllegalArgumentException("--cgroup needs an absolute cgroup path below the root, e.g."
                    + " /libpod_parent/conmon/jcni, got " + v);
        }
        for (String part : v.substring(1).split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..") || !part.chars().allMatch(c ->
                    c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "._-@+=,".indexOf(c) >= 0)) {
                throw new IllegalArgumentException("--cgroup needs a path of plain names (letters, digits, . _ - @ + = ,),"
                        + " got " + v);
            }
        }
        return v;
    }

    private static String value(String s, String whole) {
        if (s.equals("unlimited") || !s.isEmpty() && s.length() < 19 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return s;
        }
        throw new IllegalArgumentException("--rlimit needs numbers or unlimited, got " + whole);
    }

    private static long number(String s) {
        return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    /**
     * Moves this process into the cgroup and sets its limits, then checks that {@code /proc/self}
     * shows both.
     *
     * @return what was done, for the daemon's log; empty when nothing was asked
     * @throws IOException when it cannot be done or is not what was asked (the daemon does not start)
     */
    String apply() throws IOException {
        List<String> done = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        if (!limits.isEmpty()) {
            setLimits(self);
            done.add("limits " + describeLimits());
        }
        if (cgroup.isPresent()) {
            String path = cgroup.get();
            List<String> hierarchies = new ArrayList<>(cgroups(self).keySet());
            String mountinfo = Files.readString(Path.of("/proc/self/mountinfo"));
            for (String h : hierarchies) {
                join(directory(h, path, mountinfo), h.startsWith("0:"), self);
            }
            Map<String, String> now = cgroups(self);
            for (Map.Entry<String, String> c : now.entrySet()) {
                if (!c.getValue().equals(path)) {
                    throw new IOException("--cgroup " + path + ": the daemon is in " + c.getKey() + ":" + c.getValue()
                            + " after joining it");
                }
            }
            done.add("cgroup " + path + " (" + now.size() + " hierarchies)");
        }
        return done.isEmpty() ? "" : "placed as asked: " + String.join("; ", done);
    }

    private String describeLimits() {
        List<String> out = new ArrayList<>();
        limits.forEach((n, l) -> out.add(n + "=" + l.soft() + ":" + l.hard()));
        java.util.Collections.sort(out);
        return String.join(" ", out);
    }

    private void setLimits(long self) throws IOException {
        String prlimit = PRLIMIT.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new IOException("--rlimit needs prlimit (util-linux) at " + PRLIMIT));
        List<String> cmd = new ArrayList<>(List.of(prlimit, "--pid", Long.toString(self)));
        limits.forEach((n, l) -> cmd.add("--" + n + "=" + l.soft() + ":" + l.hard()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("--rlimit: prlimit did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("--rlimit: interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException("--rlimit: " + String.join(" ", cmd) + " failed: " + out);
        }
        Map<String, long[]> now = ProcessFacts.limits(Files.readString(Path.of("/proc/self/limits")));
        for (Map.Entry<String, Limit> l : limits.entrySet()) {
            long[] v = now.get(RESOURCES.get(l.getKey()));
            if (v == null || v[0] != number(l.getValue().soft()) || v[1] != number(l.getValue().hard())) {
                throw new IOException("--rlimit " + l.getKey() + ": /proc/self/limits does not show "
                        + l.getValue().soft() + ":" + l.getValue().hard() + " after prlimit");
            }
        }
    }

    /** This process's cgroups: hierarchy ({@code id:controllers}) to path. */
    private static Map<String, String> cgroups(long self) throws IOException {
        return ProcessFacts.of(self, List.of()).cgroups();
    }

    /**
     * The directory of a cgroup in a hierarchy, from the mounts: a cgroup2 mount for {@code 0:},
     * else the cgroup mount whose options name each of the hierarchy's controllers (or its
     * {@code name=}), and whose root holds the path.
     *
     * @param hierarchy {@code id:controllers} as /proc/self/cgroup names it
     * @param path the cgroup path
     * @param mountinfo /proc/self/mountinfo
     * @return the directory
     * @throws IOException when no mount shows that hierarchy or that path
     */
    static Path directory(String hierarchy, String path, String mountinfo) throws IOException {
        String controllers = hierarchy.substring(hierarchy.indexOf(':') + 1);
        boolean v2 = hierarchy.startsWith("0:") && controllers.isEmpty();
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            int dash = java.util.Arrays.asList(f).indexOf("-");
            if (dash < 0 || f.length < dash + 3) {
                continue;
            }
            String type = f[dash + 1];
            List<String> options = List.of(f[f.length - 1].split(","));
            boolean match = v2 ? type.equals("cgroup2")
                    : type.equals("cgroup") && options.containsAll(List.of(controllers.split(",")));
            String root = f[3];
            if (!match || !(ProcessFacts.within(path, root))) {
                continue;
            }
            String rel = root.equals("/") ? path : path.substring(root.length());
            return Path.of(f[4] + rel);
        }
        throw new IOException("--cgroup " + path + ": no mount of the cgroup hierarchy " + hierarchy + " shows it (under "
                + CGROUP_FS + ")");
    }

    /**
     * Creates the cgroup directory (and its parents) and moves this process there. A new cpuset
     * cgroup of cgroup v1 starts without CPUs and memory nodes and takes no process: it gets its
     * parent's.
     */
    private static void join(Path dir, boolean v2, long self) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) {
            missing.add(0, d);
        }
        for (Path d : missing) {
            Files.createDirectory(d);
            if (!v2) {
                for (String f : List.of("cpuset.cpus", "cpuset.mems")) {
                    Path file = d.resolve(f);
                    if (Files.exists(file) && Files.readString(file).isBlank()) {
                        Files.writeString(file, Files.readString(d.getParent().resolve(f)).strip());
                    }
                }
            }
        }
        try {
            Files.writeString(dir.resolve("cgroup.procs"), Long.toString(self));
        } catch (IOException e) {
            // EINVAL from the cpu controller: a real-time process and a cgroup without a real-time budget
            throw new IOException("--cgroup: cannot move into " + dir + " (" + e.getMessage() + "; a real-time daemon"
                    + " cannot join a cpu cgroup without a real-time budget: start it at normal priority)", e);
        }
    }
}
