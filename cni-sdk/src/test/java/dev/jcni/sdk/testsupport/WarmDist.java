package dev.jcni.sdk.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A jcni distribution for warm-mode tests, made by the real packager ({@code jcni package
 * --no-train}) under a name of its own: its launchers, its shim (built with gcc) and its daemon
 * launcher are the real ones, and its socket is {@code /run/jcni/<name>.sock}, which nothing else
 * uses. The daemon runs in a JVM of its own, started by {@code lib/jcni-daemon}.
 */
public final class WarmDist implements AutoCloseable {
    /** Where the real launchers look for the daemon. */
    public static final Path RUN_DIR = Path.of("/run/jcni");

    private final Path dir;
    private final String name;
    private final String id;
    private final Path daemonLog;
    private Path socket;
    private Process daemon;

    private WarmDist(Path dir, String name, String id) {
        this.dir = dir;
        this.name = name;
        this.id = id;
        this.socket = RUN_DIR.resolve(name + ".sock");
        this.daemonLog = dir.getParent().resolve(dir.getFileName() + "-daemon.log");
    }

    /**
     * Packages a distribution under a new name.
     *
     * @param dir a directory that does not exist yet
     * @param plugins plugin name to main class
     * @param classPath the class path to package
     * @return the distribution (no daemon yet)
     */
    public static WarmDist create(Path dir, Map<String, String> plugins, String classPath) {
        return create(dir, "warm" + Kernel.uniqueName("").substring(0, 6), plugins, classPath);
    }

    /**
     * Packages a distribution under a given name (a second version of a distribution has the same
     * socket, and another dist id when its class path differs).
     *
     * @param dir a directory that does not exist yet
     * @param name the dist name
     * @param plugins plugin name to main class
     * @param classPath the class path to package
     * @return the distribution (no daemon yet)
     */
    public static WarmDist create(Path dir, String name, Map<String, String> plugins, String classPath) {
        // the JVM of these tests, found as a node's Java is (the bundled runtime has BundledRuntimeIT)
        return create(dir, name, plugins, classPath, List.of("--no-train", "--runtime", "none"));
    }

    /**
     * Packages a distribution under a given name with other arguments of {@code jcni package}.
     *
     * @param dir a directory that does not exist yet
     * @param name the dist name
     * @param plugins plugin name to main class
     * @param classPath the class path to package
     * @param packageArgs more arguments (e.g. {@code --no-train}, {@code --arch arm64})
     * @return the distribution (no daemon yet)
     */
    public static WarmDist create(Path dir, String name, Map<String, String> plugins, String classPath,
                                  List<String> packageArgs) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", testClassPath(), "dev.jcni.sdk.cli.Main", "package",
                "--name", name, "--out", dir.toString(), "--class-path", classPath));
        cmd.addAll(packageArgs);
        plugins.forEach((p, main) -> cmd.addAll(List.of("--plugin", p + "=" + main)));
        Kernel.ExecResult r = Kernel.exec(cmd.toArray(String[]::new));
        if (r.exitCode() != 0) {
            throw new AssertionError("jcni package failed: " + r.stderr() + r.stdout());
        }
        if (!Files.isExecutable(dir.resolve("lib/jcni-shim"))) {
            throw new AssertionError("the distribution has no warm-mode shim (no gcc?): " + r.stderr() + r.stdout());
        }
        try {
            String first = Files.readAllLines(dir.resolve("lib/jcni-dist.properties")).get(0);
            return new WarmDist(dir, name, first.substring("id=".length()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** @return the class path of this test JVM (surefire's real one, not its manifest-only jar) */
    public static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** @return the distribution's directory */
    public Path dir() {
        return dir;
    }

    /** @return its dist name */
    public String name() {
        return name;
    }

    /** @return its dist id */
    public String id() {
        return id;
    }

    /** @return the daemon's socket */
    public Path socket() {
        return socket;
    }

    /** @return the warm-mode shim */
    public Path shim() {
        return dir.resolve("lib/jcni-shim");
    }

    /**
     * @param plugin a plugin name
     * @return its launcher
     */
    public Path launcher(String plugin) {
        return dir.resolve("bin").resolve(plugin);
    }

    /**
     * @param plugin a plugin name
     * @return its sh launcher: lib/launchers/PLUGIN, where jcni package moves it when bin/PLUGIN is
     *     the plugin's compiled entry point
     */
    public Path shLauncher(String plugin) {
        Path moved = dir.resolve("lib/launchers").resolve(plugin);
        return Files.isRegularFile(moved) ? moved : launcher(plugin);
    }

    /** @return what the daemon wrote on stderr so far */
    public String daemonLog() {
        try {
            return Files.exists(daemonLog) ? Files.readString(daemonLog) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Waits (at most 10 s) until the daemon's log contains a text: the daemon logs some things after
     * it has answered the call (a worker's retirement, for one).
     *
     * @param text the text
     * @return whether it appeared
     */
    public boolean daemonLogShows(String text) {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!daemonLog().contains(text)) {
            if (System.nanoTime() > end) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * Starts the daemon with {@code lib/jcni-daemon} (debug log kept for {@link #daemonLog()}) and
     * waits (at most 3 minutes: a JVM under qemu-user starts slowly) until it serves.
     *
     * @param extraArgs daemon arguments, e.g. {@code --max-calls 1} or {@code --socket PATH}
     */
    public void startDaemon(String... extraArgs) {
        startDaemon(Map.of(), extraArgs);
    }

    /**
     * The same with more environment for the daemon (e.g. {@code QEMU_LD_PREFIX} for another
     * architecture's JVM under qemu-user).
     *
     * @param env variables added to this JVM's environment
     * @param extraArgs daemon arguments
     */
    public void startDaemon(Map<String, String> env, String... extraArgs) {
        List<String> cmd = new ArrayList<>(List.of(dir.resolve("lib/jcni-daemon").toString()));
        cmd.addAll(List.of(extraArgs));
        for (int i = 0; i + 1 < extraArgs.length; i++) {
            if (extraArgs[i].equals("--socket")) {
                socket = Path.of(extraArgs[i + 1]);
            }
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(daemonLog.toFile()));
        pb.environment().put("JCNI_LOG_LEVEL", "debug");
        // cni-sdk's own tests: the daemon learns its callers through TestPeers (no cni-sdk-netlink here)
        pb.environment().put(TestPeers.LIBRARY_ENV, TestPeers.library().toString());
        pb.environment().putAll(env);
        long startsBefore = starts();
        try {
            daemon = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start the daemon: " + e, e);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (starts() == startsBefore) {
            if (!daemon.isAlive()) {
                throw new AssertionError("the daemon exited with " + daemon.exitValue() + ": " + daemonLog());
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("the daemon did not start: " + daemonLog());
            }
            sleep(20);
        }
    }

    private long starts() {
        return daemonLog().lines().filter(l -> l.contains("serving dist " + name)).count();
    }

    /** @return the daemon process */
    public Process daemon() {
        return daemon;
    }

    /** SIGTERM, then waits for the daemon to exit (graceful stop). */
    public void stopDaemon() {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroy();
            try {
                if (!daemon.waitFor(90, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly();
                    throw new AssertionError("the daemon did not stop on SIGTERM");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGKILL, then waits for the daemon to be gone. */
    public void killDaemon() {
        if (daemon != null && daemon.isAlive()) {
            daemon.destroyForcibly();
            try {
                daemon.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * How many calls the daemon served (its debug log's {@code served} lines, which it writes
     * before it sends a call's exit code: a caller that has its answer finds its call counted).
     *
     * @return the count
     */
    public long servedCalls() {
        return daemonLog().lines().filter(l -> l.contains(" served ")).count();
    }

    /**
     * Whether the daemon served this run (its log has the {@code served} line for the run's pid,
     * written before the answer was sent), rather than the launcher's cold path.
     *
     * @param r a run of a launcher
     * @return whether the daemon served it
     */
    public boolean servedWarm(Run r) {
        return daemonLog().lines().anyMatch(l -> l.contains(" served ") && l.contains(" for pid " + r.pid() + ":"));
    }

    /**
     * What an exec of a launcher gave.
     *
     * @param exitCode its exit code
     * @param stdout its stdout bytes
     * @param stderr its stderr bytes
     * @param pid its pid (the caller the daemon sees: the launcher execs the shim)
     */
    public record Run(int exitCode, byte[] stdout, byte[] stderr, long pid) {
        /** @return stdout as text */
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** @return stderr as text */
        public String err() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout: " + out() + "\nstderr: " + err();
        }
    }

    /**
     * Execs a command as a runtime execs a plugin: exactly the given environment, stdin bytes, a
     * working directory.
     *
     * @param command the command (a launcher and its arguments)
     * @param env the whole environment
     * @param stdin the stdin bytes
     * @param cwd the working directory
     * @return what it gave
     */
    public static Run exec(List<String> command, Map<String, String> env, byte[] stdin, Path cwd) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile("jcni-warm", ".out");
            Path err = Files.createTempFile("jcni-warm", ".err");
            try {
                pb.redirectOutput(out.toFile()).redirectError(err.toFile());
                Process p = pb.start();
                try (var in = p.getOutputStream()) {
                    in.write(stdin);
                } catch (IOException e) {
                    // the plugin did not read it all: its exit status tells
                }
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " did not finish");
                }
                return new Run(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err), p.pid());
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Starts a plugin's launcher with exactly the given environment, without waiting for it.
     *
     * @param plugin the plugin
     * @param env the whole environment
     * @param stdin the stdin bytes (stdin is closed after them)
     * @param cwd the working directory
     * @return the process
     * @throws IOException when it cannot start
     */
    public Process start(String plugin, Map<String, String> env, byte[] stdin, Path cwd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher(plugin).toString()).directory(cwd.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        return p;
    }

    /**
     * Waits (at most 60 s) for a file to appear.
     *
     * @param p the file
     * @throws InterruptedException when interrupted
     */
    public static void awaitFile(Path p) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(p)) {
            if (System.nanoTime() > end) {
                throw new AssertionError(p + " did not appear");
            }
            Thread.sleep(10);
        }
    }

    /**
     * Runs a plugin's launcher warm (it falls back to cold by itself when the daemon cannot take the
     * call; {@code JCNI_WARM_DEBUG=1} makes the shim say so on stderr).
     *
     * @param plugin the plugin
     * @param env the environment (PATH and JCNI_WARM_PATIENCE_MS are added when missing)
     * @param stdin the stdin bytes
     * @param cwd the working directory
     * @return what it gave
     */
    public Run warm(String plugin, Map<String, String> env, byte[] stdin, Path cwd) {
        return exec(List.of(launcher(plugin).toString()), withDefaults(env), stdin, cwd);
    }

    /**
     * Runs a plugin's launcher cold ({@code --jcni-cold}), with the same environment a warm run gets.
     *
     * @param plugin the plugin
     * @param env the environment (PATH and JCNI_WARM_PATIENCE_MS are added when missing)
     * @param stdin the stdin bytes
     * @param cwd the working directory
     * @return what it gave
     */
    public Run cold(String plugin, Map<String, String> env, byte[] stdin, Path cwd) {
        return exec(List.of(launcher(plugin).toString(), "--jcni-cold"), withDefaults(env), stdin, cwd);
    }

    /**
     * The defaults of {@link #warm} and {@link #cold}: a PATH, and a patience of 10 s for the shim
     * (on a loaded test machine the daemon's answer can take more than the shim's default 500 ms,
     * and the call would run cold; a test of the default sets {@code JCNI_WARM_PATIENCE_MS} to "").
     */
    private static Map<String, String> withDefaults(Map<String, String> env) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        e.put("JCNI_WARM_PATIENCE_MS", "10000");
        e.putAll(env);
        return e;
    }

    /**
     * Masks what differs between a cold and a warm run of the same call by nature: log timestamps,
     * and the stack frames below {@code PluginMain.execute} (a plugin's {@code main} cold, the
     * daemon's call thread warm).
     *
     * @param stderr stderr text
     * @return it with ISO timestamps replaced by {@code <time>} and those frames left out
     */
    public static String normalizeStderr(String stderr) {
        StringBuilder b = new StringBuilder();
        boolean below = false;
        for (String l : stderr.split("\n", -1)) {
            boolean frame = l.startsWith("\tat ");
            if (below && frame) {
                continue;
            }
            below = frame && l.contains("dev.jcni.sdk.skel.PluginMain.execute(");
            b.append(l.replaceAll("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z", "<time>")).append('\n');
        }
        return b.toString();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the daemon (SIGKILL when SIGTERM is not enough) and removes what it left in /run/jcni. */
    @Override
    public void close() {
        try {
            stopDaemon();
        } finally {
            killDaemon();
            try {
                Files.deleteIfExists(RUN_DIR.resolve(name + ".sock"));
                Files.deleteIfExists(RUN_DIR.resolve(name + ".sock.lock"));
                Files.deleteIfExists(RUN_DIR.resolve(name + ".metrics.sock"));
                Files.deleteIfExists(RUN_DIR.resolve(name + ".metrics.sock.lock"));
            } catch (IOException e) {
                // best effort
            }
        }
    }
}
