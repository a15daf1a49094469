package dev.jcni.sdk.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.LauncherMarker;
import dev.jcni.sdk.invoke.Invoke;
import dev.jcni.sdk.runtime.ConfLoader;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.NetConfList;
import dev.jcni.sdk.version.SpecVersions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jcni doctor}: is jcni healthy on this node? Checks, in order, the plugin directories, the
 * network configurations (valid, every plugin type on the path), each jcni launcher (which Java
 * and start-up archive it would use, and whether the archive fits that Java: it runs VERSION
 * cold), each jcni distribution's warm-mode daemon (up, and serving this caller: it runs VERSION
 * warm), iptables and nftables, and the kernel modules the configurations' plugins need. Prints
 * a table, or JSON with {@code --json}; exits 1 when an item fails, naming it, 0 otherwise
 * (warnings do not fail), 2 on a usage error. See docs/operators.md, "jcni doctor".
 */
final class Doctor {
    static final String USAGE = "usage: jcni doctor [--json] [--cni-path DIRS] [--conf-dir DIR] [--run-dir DIR]";

    /** An item's state. */
    enum Status {
        OK, WARN, FAIL;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One line of the report.
     *
     * @param check what kind of check: cni_path, conflist, launcher, daemon, firewall, kernel
     * @param subject what was checked: a directory, a file, a launcher, a dist, a tool, a module
     * @param status its state
     * @param detail what was found, or what is wrong and what to do
     */
    record Item(String check, String subject, Status status, String detail) {
    }

    /** Kernel modules the plugins of a type need (those jcni and the Go plugins ship). */
    static final Map<String, List<String>> MODULES = Map.of(
            "bridge", List.of("bridge", "veth"),
            "ptp", List.of("veth"),
            "macvlan", List.of("macvlan"),
            "ipvlan", List.of("ipvlan"),
            "vlan", List.of("8021q"),
            "bandwidth", List.of("ifb", "sch_tbf", "sch_ingress"));

    /** The launcher's marker line ({@link LauncherMarker}): {@code # jcni-launcher dist=D id=I main=M kind=K}. */
    private static final Pattern MARKER = Pattern.compile("# jcni-launcher dist=(\\S+) id=(\\S+) main=(\\S+) kind=(\\S+)");
    /** The launcher's debug line naming the JVM and the archive. */
    private static final Pattern JAVA_LINE = Pattern.compile("jcni \\S+: Java (\\S*) in (.+); start-up archive (.+)");

    private final List<String> cniPath;
    private final Path confDir;
    private final Path runDir;
    private final Map<String, String> env;
    private final List<Item> items = new ArrayList<>();

    private Doctor(List<String> cniPath, Path confDir, Path runDir, Map<String, String> env) {
        this.cniPath = cniPath;
        this.confDir = confDir;
        this.runDir = runDir;
        this.env = env;
    }

    private record Launcher(Path path, String dist, String kind) {
    }

    /**
     * Runs the checks and prints the report.
     *
     * @param args the arguments after {@code doctor}
     * @param env the environment (CNI_PATH, NETCONFPATH, PATH)
     * @param out the report
     * @param err the failing items, usage errors
     * @return 0 when nothing fails, 1 when an item fails, 2 on a usage error
     */
    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
        boolean json = false;
        String path = env.getOrDefault("CNI_PATH", "");
        String conf = env.getOrDefault("NETCONFPATH", "");
        Path run = Path.of("/run/jcni");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--json")) {
                json = true;
            } else if ((a.equals("--cni-path") || a.equals("--conf-dir") || a.equals("--run-dir")) && i + 1 < args.length) {
                String v = args[++i];
                switch (a) {
                    case "--cni-path" -> path = v;
                    case "--conf-dir" -> conf = v;
                    default -> run = Path.of(v);
                }
            } else {
                boolean known = a.equals("--cni-path") || a.equals("--conf-dir") || a.equals("--run-dir");
                err.println("jcni doctor: " + (known ? "option " + a + " needs a value" : "unknown argument " + GoText.quote(a)));
                err.println(USAGE);
                return 2;
            }
        }
        Doctor d = new Doctor(path.isEmpty() ? List.of("/opt/cni/bin") : Invoke.splitPath(path),
                Path.of(conf.isEmpty() ? ConfLoader.DEFAULT_DIR.toString() : conf), run, env);
        d.checkAll();
        if (json) {
            out.println(new String(Json.writeIndented(d.toJson()), StandardCharsets.UTF_8));
        } else {
            out.print(table(d.items));
        }
        List<Item> failing = d.items.stream().filter(i -> i.status() == Status.FAIL).toList();
        for (Item f : failing) {
            err.println("jcni doctor: failing: " + f.check() + " " + f.subject() + ": " + f.detail());
        }
        return failing.isEmpty() ? 0 : 1;
    }

    private void add(String check, String subject, Status status, String detail) {
        items.add(new Item(check, subject, status, detail));
    }

    private void checkAll() {
        Map<String, Path> plugins = checkCniPath();
        Set<String> types = checkConfigurations(plugins);
        Map<String, List<Launcher>> dists = checkLaunchers(plugins);
        checkDaemons(dists);
        checkFirewall(types);
        checkKernel(types);
    }

    // ------------------------------------------------------------ CNI_PATH

    /** @return every executable on the path, by name, the first in path order */
    private Map<String, Path> checkCniPath() {
        Map<String, Path> found = new LinkedHashMap<>();
        for (String dir : cniPath) {
            Path d = Path.of(dir.isEmpty() ? "." : dir).toAbsolutePath().normalize();
            if (!Files.isDirectory(d)) {
                add("cni_path", d.toString(), Status.FAIL, "not a directory (CNI_PATH names it; runtimes find no plugin there)");
                continue;
            }
            Set<String> names = new TreeSet<>();
            Set<String> jcni = new TreeSet<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                for (Path p : ds) {
                    if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                        String n = p.getFileName().toString();
                        names.add(n);
                        found.putIfAbsent(n, p);
                        if (marker(p).isPresent()) {
                            jcni.add(n);
                        }
                    }
                }
            } catch (IOException e) {
                add("cni_path", d.toString(), Status.FAIL, "cannot be read: " + e.getMessage());
                continue;
            }
            if (names.isEmpty()) {
                add("cni_path", d.toString(), Status.WARN, "holds no executable");
            } else {
                List<String> shown = names.stream().map(n -> jcni.contains(n) ? n + "*" : n).toList();
                add("cni_path", d.toString(), Status.OK, names.size() + (names.size() == 1 ? " plugin: " : " plugins: ")
                        + String.join(" ", shown)
                        + (jcni.isEmpty() ? "" : " (* jcni)"));
            }
        }
        return found;
    }

    // ---------------------------------------------------------- conflists

    /** @return the plugin types (and IPAM types) of the configurations that load */
    private Set<String> checkConfigurations(Map<String, Path> plugins) {
        Set<String> types = new TreeSet<>();
        List<Path> files;
        try {
            files = new ArrayList<>(ConfLoader.confFiles(confDir, List.of(".conflist", ".conf", ".json")));
        } catch (CniException e) {
            add("conflist", confDir.toString(), Status.FAIL, e.getMessage());
            return types;
        }
        if (files.isEmpty()) {
            add("conflist", confDir.toString(), Status.WARN, "no network configuration (kubelet reports the network not ready)");
            return types;
        }
        for (Path f : files) {
            NetConfList list;
            try {
                list = f.toString().endsWith(".conflist") ? ConfLoader.fromFile(f)
                        : NetConfList.fromSingle(NetConfList.pluginFromJson(Files.readAllBytes(f)));
            } catch (IOException e) {
                add("conflist", f.toString(), Status.FAIL, "cannot be read: " + e.getMessage());
                continue;
            } catch (CniException | IllegalArgumentException e) {
                add("conflist", f.toString(), Status.FAIL, "invalid: " + e.getMessage());
                continue;
            }
            List<String> problems = new ArrayList<>();
            if (!SpecVersions.isSupported(list.cniVersion().isEmpty() ? SpecVersions.DEFAULT : list.cniVersion())) {
                problems.add("cniVersion " + GoText.quote(list.cniVersion()) + " is not one jcni knows");
            }
            Set<String> listTypes = new LinkedHashSet<>();
            for (NetConf p : list.plugins()) {
                listTypes.add(p.type());
                p.ipam().ifPresent(ipam -> listTypes.add(ipam.type()));
            }
            listTypes.remove("");
            for (String t : listTypes) {
                if (!plugins.containsKey(t)) {
                    problems.add("plugin type " + GoText.quote(t) + " is in no CNI_PATH directory " + GoText.list(cniPath));
                }
            }
            types.addAll(listTypes);
            String what = "network " + GoText.quote(list.name()) + " (cniVersion " + list.cniVersion() + "): "
                    + String.join(", ", listTypes);
            if (problems.isEmpty()) {
                add("conflist", f.toString(), Status.OK, what);
            } else {
                add("conflist", f.toString(), Status.FAIL, what + "; " + String.join("; ", problems));
            }
        }
        return types;
    }

    // ---------------------------------------------------------- launchers

    private static Optional<Launcher> marker(Path p) {
        Matcher m = MARKER.matcher(LauncherMarker.of(p).map(t -> LauncherMarker.PREFIX + t).orElse(""));
        return m.find() ? Optional.of(new Launcher(p, m.group(1), m.group(4))) : Optional.empty();
    }

    /** Runs each jcni plugin launcher's VERSION cold; @return the launchers by dist name */
    private Map<String, List<Launcher>> checkLaunchers(Map<String, Path> plugins) {
        Map<String, List<Launcher>> dists = new LinkedHashMap<>();
        for (Path p : plugins.values()) {
            Optional<Launcher> l = marker(p);
            if (l.isEmpty() || !l.get().kind().equals("plugin")) {
                continue;
            }
            dists.computeIfAbsent(l.get().dist(), k -> new ArrayList<>()).add(l.get());
            Map<String, String> e = callEnv();
            e.put("JCNI_LOG_LEVEL", "debug");
            Exec r = exec(List.of(p.toString(), "--jcni-cold"), e);
            String subject = p.toString();
            if (!r.out().contains("supportedVersions")) {
                add("launcher", subject, Status.FAIL, "VERSION failed (exit " + r.status() + "): " + firstError(r));
                continue;
            }
            Matcher m = JAVA_LINE.matcher(r.err());
            if (!m.find()) {
                add("launcher", subject, Status.WARN, "answers VERSION, but did not say which Java it uses");
                continue;
            }
            String java = "Java " + m.group(1) + " in " + m.group(2);
            String archive = m.group(3).strip();
            if (archive.startsWith("(")) {
                add("launcher", subject, Status.WARN, java + "; no start-up archive can be named for this Java");
            } else if (!Files.exists(Path.of(archive + ".aot")) && !Files.exists(Path.of(archive + ".jsa"))) {
                add("launcher", subject, Status.WARN, java + "; no start-up archive trained for this Java (calls start"
                        + " slower): run install.sh again or " + p.getFileName() + " --jcni-train");
            } else if (r.err().contains("[cds]") || r.err().contains("[aot]")) {
                add("launcher", subject, Status.WARN, java + "; its start-up archive does not fit this Java (retrain: "
                        + p.getFileName() + " --jcni-train): " + firstLineWith(r.err(), "[cds]", "[aot]"));
            } else {
                add("launcher", subject, Status.OK, java + "; start-up archive " + archive + " fits");
            }
        }
        return dists;
    }

    private Map<String, String> callEnv() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("PATH", env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        e.put("CNI_COMMAND", "VERSION");
        return e;
    }

    private static String firstError(Exec r) {
        try {
            JsonNode n = Json.parse(r.out().getBytes(StandardCharsets.UTF_8));
            if (n.path("msg").isTextual()) {
                return n.get("msg").textValue() + (n.path("details").asText("").isEmpty() ? "" : " (" + n.get("details").textValue() + ")");
            }
        } catch (IOException | RuntimeException e) {
            // not an error JSON
        }
        String text = (r.err() + r.out()).strip();
        return text.isEmpty() ? "no output" : text.lines().findFirst().orElse("");
    }

    private static String firstLineWith(String text, String... needles) {
        return text.lines().filter(l -> List.of(needles).stream().anyMatch(l::contains)).findFirst().orElse("").strip();
    }

    // ------------------------------------------------------------- daemon

    private void checkDaemons(Map<String, List<Launcher>> dists) {
        for (Map.Entry<String, List<Launcher>> d : dists.entrySet()) {
            Path sock = runDir.resolve(d.getKey() + ".sock");
            if (!Files.exists(sock)) {
                add("daemon", d.getKey(), Status.WARN, "not running (no " + sock + "): calls run cold");
                continue;
            }
            Launcher l = d.getValue().get(0);
            Map<String, String> e = callEnv();
            e.put("JCNI_WARM_DEBUG", "1");
            e.put("JCNI_WARM_PATIENCE_MS", "5000");
            long start = System.nanoTime();
            Exec r = exec(List.of(l.path().toString()), e);
            long ms = (System.nanoTime() - start) / 1_000_000;
            String cold = firstLineWith(r.err(), "going cold");
            if (!r.out().contains("supportedVersions")) {
                add("daemon", d.getKey(), Status.FAIL, "VERSION through " + l.path().getFileName() + " failed (exit " + r.status()
                        + "): " + firstError(r));
            } else if (!cold.isEmpty()) {
                add("daemon", d.getKey(), Status.WARN, "up on " + sock + ", but would not serve this caller: "
                        + cold.substring(cold.indexOf("going cold") + "going cold: ".length()) + " (calls run cold)");
            } else {
                add("daemon", d.getKey(), Status.OK, "up on " + sock + "; served this caller's VERSION warm in " + ms + " ms");
            }
        }
    }

    // ------------------------------------------------ iptables, nftables

    private void checkFirewall(Set<String> types) {
        List<String> needers = new ArrayList<>();
        for (String t : List.of("portmap", "firewall", "bridge", "ptp")) {
            if (types.contains(t)) {
                needers.add(t);
            }
        }
        Optional<String> iptables = version("iptables");
        Optional<String> nft = version("nft");
        for (Map.Entry<String, Optional<String>> tool : List.of(Map.entry("iptables", iptables), Map.entry("nft", nft))) {
            if (tool.getValue().isPresent()) {
                add("firewall", tool.getKey(), Status.OK, tool.getValue().get());
            } else {
                boolean neither = iptables.isEmpty() && nft.isEmpty();
                Status s = neither && !needers.isEmpty() ? Status.FAIL : Status.WARN;
                add("firewall", tool.getKey(), s, "not on PATH" + (needers.isEmpty() ? ""
                        : " (" + String.join(", ", needers) + " need iptables or nft for port mappings, masquerading or"
                        + " firewall rules" + (neither ? ", and neither is there)" : ")")));
            }
        }
    }

    private Optional<String> version(String tool) {
        for (String dir : env.getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                Exec r = exec(List.of(p.toString(), "--version"), Map.of("PATH", env.getOrDefault("PATH", "/usr/bin:/bin")));
                String v = (r.out() + r.err()).strip().lines().findFirst().orElse("");
                return Optional.of(r.status() == 0 ? v + " (" + p + ")" : p + " (--version failed: " + v + ")");
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------- kernel

    private void checkKernel(Set<String> types) {
        String forward = read(Path.of("/proc/sys/net/ipv4/ip_forward")).strip();
        add("kernel", "net.ipv4.ip_forward", forward.equals("1") ? Status.OK : Status.WARN, forward.equals("1") ? "1"
                : (forward.isEmpty() ? "unknown" : forward) + ": pods reach nothing beyond the node until it is 1"
                + " (bridge and ptp set it when they set up a gateway)");
        Set<String> modules = new TreeSet<>();
        Map<String, String> neededBy = new LinkedHashMap<>();
        for (String t : types) {
            for (String m : MODULES.getOrDefault(t, List.of())) {
                modules.add(m);
                neededBy.merge(m, t, (a, b) -> a + ", " + b);
            }
        }
        String release = read(Path.of("/proc/sys/kernel/osrelease")).strip();
        Path lib = Path.of("/lib/modules", release);
        String builtin = read(lib.resolve("modules.builtin"));
        String dep = read(lib.resolve("modules.dep"));
        for (String m : modules) {
            String why = " (" + neededBy.get(m) + ")";
            if (Files.isDirectory(Path.of("/sys/module", m))) {
                add("kernel", m, Status.OK, "loaded" + why);
            } else if (containsModule(builtin, m) || containsModule(dep, m)) {
                add("kernel", m, Status.OK, "available, loaded on first use" + why);
            } else if (builtin.isEmpty() && dep.isEmpty()) {
                add("kernel", m, Status.WARN, "not loaded, and " + lib + " cannot tell whether it exists" + why);
            } else {
                add("kernel", m, Status.FAIL, "not in this kernel (" + release + "): neither loaded nor in " + lib + why);
            }
        }
    }

    static boolean containsModule(String list, String module) {
        // lines like kernel/net/bridge/bridge.ko (modules.builtin) or kernel/.../veth.ko.xz: deps (modules.dep)
        String m = module.replace('-', '_');
        return list.lines().map(l -> l.split(":", 2)[0]).map(l -> l.substring(l.lastIndexOf('/') + 1))
                .map(l -> l.replaceFirst("\\.ko(\\.\\w+)?$", "").replace('-', '_')).anyMatch(m::equals);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    // -------------------------------------------------------------- exec

    private record Exec(int status, String out, String err) {
    }

    /** Runs a command with exactly this environment and {@code {"cniVersion":"1.0.0"}} on stdin, at most 60 s. */
    private static Exec exec(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile("jcni-doctor", ".out");
            Path err = Files.createTempFile("jcni-doctor", ".err");
            try {
                Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                try (var in = p.getOutputStream()) {
                    in.write("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // it did not read its stdin
                }
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    return new Exec(-1, "", "did not finish within 60 s");
                }
                return new Exec(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return new Exec(-1, "", "cannot run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Exec(-1, "", "interrupted");
        }
    }

    // ------------------------------------------------------------- output

    static String table(List<Item> items) {
        int c = "CHECK".length();
        int s = "SUBJECT".length();
        for (Item i : items) {
            c = Math.max(c, i.check().length());
            s = Math.max(s, i.subject().length());
        }
        StringBuilder b = new StringBuilder();
        String fmt = "%-" + c + "s  %-" + s + "s  %-6s %s%n";
        b.append(String.format(Locale.ROOT, fmt, "CHECK", "SUBJECT", "STATUS", "DETAIL"));
        for (Item i : items) {
            b.append(String.format(Locale.ROOT, fmt, i.check(), i.subject(), i.status().label(), i.detail()));
        }
        return b.toString();
    }

    private ObjectNode toJson() {
        ObjectNode root = Json.object();
        root.put("ok", items.stream().noneMatch(i -> i.status() == Status.FAIL));
        ArrayNode failing = root.putArray("failing");
        ArrayNode all = root.putArray("items");
        for (Item i : items) {
            ObjectNode o = all.addObject();
            o.put("check", i.check());
            o.put("subject", i.subject());
            o.put("status", i.status().label());
            o.put("detail", i.detail());
            if (i.status() == Status.FAIL) {
                failing.add(i.check() + " " + i.subject());
            }
        }
        return root;
    }
}
