package dev.jcni.sdk.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small jcni distribution for warm-mode tests, made the way the contract between the packager
 * and the daemon says (until the packager's launchers are used): {@code lib/jcni-shim} compiled with
 * gcc from cni-sdk's resource, {@code lib/jcni-dist.properties}, and one POSIX sh launcher per plugin
 * that execs the shim when the socket exists (and {@code JCNI_WARM} is not {@code off}), and the
 * JVM otherwise or after {@code --jcni-cold}. The socket lives in a root-only directory of the
 * test's own, so tests never touch {@code /run/jcni}.
 */
public final class WarmDist implements AutoCloseable {
    /** The daemon's main class. */
    public static final String DAEMON_MAIN = "dev.jcni.sdk.internal.warm.Daemon";

    private final Path dir;
    private final String name;
    private final String id;
    private final String classPath;
    private final Path socket;
    private final Path daemonLog;
    private Process daemon;

    private WarmDist(Path dir, String name, String id, String classPath) {
        this.dir = dir;
        this.name = name;
        this.id = id;
        this.classPath = classPath;
        this.socket = dir.resolve("run").resolve(name + ".sock");
        this.daemonLog = dir.resolve("daemon.log");
    }

    /**
     * Builds the distribution.
     *
     * @param dir an empty directory
     * @param plugins plugin name to main class
     * @param classPath the class path of the cold JVMs and of the daemon
     * @return the distribution (no daemon yet)
     */
    public static WarmDist create(Path dir, Map<String, String> plugins, String classPath) {
        String name = "t" + Kernel.uniqueName("").substring(0, 6);
        String id = Kernel.uniqueName("id");
        WarmDist d = new WarmDist(dir, name, id, classPath);
        try {
            Path lib = Files.createDirectories(dir.resolve("lib"));
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path run = Files.createDirectories(dir.resolve("run"));
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
            compileShim(lib.resolve("jcni-shim"));
            StringBuilder props = new StringBuilder("name=" + name + "\nid=" + id + "\n");
            plugins.forEach((p, main) -> props.append("plugin.").append(p).append('=').append(main).append('\n'));
            Files.writeString(lib.resolve("jcni-dist.properties"), props);
            for (Map.Entry<String, String> p : plugins.entrySet()) {
                d.writeLauncher(bin.resolve(p.getKey()), p.getKey(), p.getValue(), id);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot build the warm-mode test distribution: " + e, e);
        }
        return d;
    }

    /** @return the class path of this test JVM, for a distribution of test plugins */
    public static String testClassPath() {
        return System.getProperty("java.class.path");
    }

    /**
     * Compiles cni-sdk's jcni-shim.c as the packager does.
     *
     * @param out the executable to write
     */
    public static void compileShim(Path out) throws IOException {
        Path src = out.resolveSibling("jcni-shim.c");
        try (InputStream in = WarmDist.class.getResourceAsStream("/dev/jcni/sdk/internal/warm/jcni-shim.c")) {
            if (in == null) {
                throw new AssertionError("jcni-shim.c is not on the class path");
            }
            Files.write(src, in.readAllBytes());
        }
        Kernel.ExecResult r = Kernel.exec("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", out.toString(), src.toString());
        if (r.exitCode() != 0) {
            throw new AssertionError("gcc failed: " + r.stderr() + r.stdout());
        }
    }

    /**
     * Writes a launcher (the contract's shape) for a plugin.
     *
     * @param file the launcher
     * @param plugin the plugin name it hands over
     * @param main its main class
     * @param distId the dist id it carries
     */
    public void writeLauncher(Path file, String plugin, String main, String distId) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String text = "#!/bin/sh\n"
                + "# jcni-launcher dist=" + name + " id=" + distId + " main=" + main + "\n"
                + "sock='" + socket + "'\n"
                + "lib='" + dir.resolve("lib") + "'\n"
                + "if [ \"${1:-}\" = --jcni-cold ]; then shift\n"
                + "elif [ -S \"$sock\" ] && [ -x \"$lib/jcni-shim\" ] && [ \"${JCNI_WARM:-}\" != off ]; then\n"
                + "  exec \"$lib/jcni-shim\" \"$sock\" '" + distId + "' '" + plugin + "' \"$0\" \"$@\"\n"
                + "fi\n"
                + "exec '" + java + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto ${JCNI_JAVA_OPTS:-} -cp '"
                + classPath + "' " + main + " \"$@\"\n";
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** @return the distribution's directory */
    public Path dir() {
        return dir;
    }

    /** @return its dist id */
    public String id() {
        return id;
    }

    /** @return the daemon's socket */
    public Path socket() {
        return socket;
    }

    /** @param plugin a plugin name @return its launcher */
    public Path launcher(String plugin) {
        return dir.resolve("bin").resolve(plugin);
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
     * Starts the daemon in a JVM of its own (debug log to {@code daemon.log}) and waits for its socket.
     *
     * @param extraArgs more daemon arguments
     */
    public void startDaemon(String... extraArgs) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classPath, DAEMON_MAIN,
                "--dist", dir.resolve("lib/jcni-dist.properties").toString(), "--socket", socket.toString()));
        cmd.addAll(List.of(extraArgs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(daemonLog.toFile()));
        pb.environment().put("JCNI_LOG_LEVEL", "debug");
        long startsBefore = starts();
        try {
            daemon = pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start the daemon: " + e, e);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
     * How many calls the daemon served (its debug log's {@code served} lines).
     *
     * @return the count
     */
    public long servedCalls() {
        return daemonLog().lines().filter(l -> l.contains(" served ")).count();
    }

    /**
     * What an exec of a launcher gave.
     *
     * @param exitCode its exit code
     * @param stdout its stdout bytes
     * @param stderr its stderr bytes
     */
    public record Run(int exitCode, byte[] stdout, byte[] stderr) {
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
                return new Run(p.exitValue(), Files.readAllBytes(out), Files.readAllBytes(err));
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
     * Runs a plugin's launcher warm (it falls back to cold by itself when the daemon cannot take the
     * call; {@code JCNI_WARM_DEBUG=1} makes the shim say so on stderr).
     *
     * @param plugin the plugin
     * @param env the environment (PATH is added when missing)
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
     * @param env the environment (PATH is added when missing)
     * @param stdin the stdin bytes
     * @param cwd the working directory
     * @return what it gave
     */
    public Run cold(String plugin, Map<String, String> env, byte[] stdin, Path cwd) {
        return exec(List.of(launcher(plugin).toString(), "--jcni-cold"), withDefaults(env), stdin, cwd);
    }

    private static Map<String, String> withDefaults(Map<String, String> env) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
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

    /** Stops the daemon (SIGKILL when SIGTERM is not enough). */
    @Override
    public void close() {
        try {
            stopDaemon();
        } finally {
            killDaemon();
        }
    }
}
