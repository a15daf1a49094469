package dev.jcni.plugins;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged executables ({@code target/cni/bin}) for integration tests ({@code *IT}, run by
 * failsafe after {@code package}): runs them the way a container runtime does, with a clean
 * environment that holds only the CNI variables and a minimal PATH.
 *
 * <p>Cold unless asked otherwise: every run gets {@code JCNI_WARM=off} unless its environment sets
 * {@code JCNI_WARM} itself, so that a warm-mode daemon of the distribution that happens to run on the
 * machine ({@code /run/jcni/<dist>.sock}) cannot change what a cold test tests.
 */
public final class Dist {
    private Dist() {
    }

    /** @return {@code plugins-reference/target/cni/bin} */
    public static Path bin() {
        Path p = Path.of("target", "cni", "bin").toAbsolutePath();
        if (!Files.isDirectory(p)) {
            throw new AssertionError(p + " is missing: run the package phase (mvn verify) first");
        }
        return p;
    }

    /**
     * The jars a distribution's lib directory lists, in its order.
     *
     * @param lib a distribution's lib directory (with {@code jcni-dist.properties})
     * @return the jars' names, relative to {@code lib}
     */
    public static List<String> classPathJars(Path lib) throws IOException {
        return List.of(Files.readAllLines(lib.resolve("jcni-dist.properties")).stream()
                .filter(l -> l.startsWith("class-path=")).findFirst().orElseThrow()
                .substring("class-path=".length()).split(" "));
    }

    /**
     * @param extra entries to append (e.g. this module's test classes)
     * @return the reference distribution's class path ({@code target/cni/lib}'s jars, absolute), then {@code extra}
     */
    public static String referenceClassPath(Path... extra) throws IOException {
        Path lib = Path.of("target", "cni", "lib").toAbsolutePath();
        List<String> entries = new java.util.ArrayList<>();
        for (String jar : classPathJars(lib)) {
            entries.add(lib.resolve(jar).toString());
        }
        for (Path e : extra) {
            entries.add(e.toAbsolutePath().toString());
        }
        return String.join(":", entries);
    }

    /** @return the path of an executable in {@link #bin()} */
    public static Path exe(String name) {
        return bin().resolve(name);
    }

    /**
     * What a run printed.
     *
     * @param exitCode the exit code
     * @param stdout stdout
     * @param stderr stderr
     */
    public record Run(int exitCode, String stdout, String stderr) {
        /** @return the result on stdout */
        public Result result() {
            if (exitCode != 0) {
                throw new AssertionError("failed (exit " + exitCode + "): " + stdout + "\n" + stderr);
            }
            return Result.fromJson(stdout.getBytes(StandardCharsets.UTF_8));
        }

        /** @return the error JSON on stdout */
        public CniException error() {
            if (exitCode == 0) {
                throw new AssertionError("succeeded: " + stdout);
            }
            return CniException.fromJson(stdout.getBytes(StandardCharsets.UTF_8));
        }

        /** Asserts success with nothing on stdout (DEL, CHECK, GC, STATUS). */
        public void assertQuietSuccess() {
            if (exitCode != 0 || !stdout.isEmpty()) {
                throw new AssertionError("expected quiet success, got exit " + exitCode + ": " + stdout + "\n" + stderr);
            }
        }
    }

    /**
     * Runs an executable as a runtime would.
     *
     * @param exe the executable
     * @param env the CNI variables (and anything else); PATH defaults to /usr/sbin:/usr/bin:/sbin:/bin,
     *     {@code JCNI_WARM} to {@code off}
     * @param stdin the configuration
     * @return the outcome
     */
    public static Run run(Path exe, Map<String, String> env, String stdin) {
        return run(List.of(exe.toString()), env, stdin);
    }

    /**
     * Runs a command line (an executable and its arguments) as a runtime would.
     *
     * @param command the executable and its arguments
     * @param env the variables; PATH defaults to /usr/sbin:/usr/bin:/sbin:/bin, {@code JCNI_WARM} to {@code off}
     * @param stdin the bytes for stdin
     * @return the outcome
     */
    public static Run run(List<String> command, Map<String, String> env, String stdin) {
        return start(command, env, stdin).finish();
    }

    /**
     * A started run: its output goes to temporary files, read by {@link #finish()}, so that many runs
     * can be started at once and waited for afterwards.
     */
    public static final class Started {
        private final String exe;
        private final Process process;
        private final Path out;
        private final Path err;

        private Started(String exe, Process process, Path out, Path err) {
            this.exe = exe;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        /** @return the process (e.g. to kill it) */
        public Process process() {
            return process;
        }

        /**
         * Waits for the run (at most 10 minutes) and reads what it printed.
         *
         * @return the outcome
         */
        public Run finish() {
            try {
                if (!process.waitFor(10, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError(exe + " did not finish");
                }
                return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
            } catch (IOException e) {
                throw new AssertionError("cannot read the output of " + exe + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            } finally {
                try {
                    Files.deleteIfExists(out);
                    Files.deleteIfExists(err);
                } catch (IOException e) {
                    // temporary files: best effort
                }
            }
        }
    }

    /**
     * Starts a command line as a runtime would (clean environment, cwd /), without waiting.
     *
     * @param command the executable and its arguments
     * @param env the variables; PATH defaults to /usr/sbin:/usr/bin:/sbin:/bin, {@code JCNI_WARM} to
     *     {@code off} (a cold exec)
     * @param stdin the bytes for stdin
     * @return the started run
     */
    public static Started start(List<String> command, Map<String, String> env, String stdin) {
        return start(command, env, stdin.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The same with stdin given as bytes, passed exactly.
     *
     * @param command the executable and its arguments
     * @param env the variables; PATH and {@code JCNI_WARM} as above
     * @param stdin the bytes for stdin
     * @return the started run
     */
    public static Started start(List<String> command, Map<String, String> env, byte[] stdin) {
        String exe = command.get(0);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        Map<String, String> e = new LinkedHashMap<>();
        e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        e.put("JCNI_WARM", "off");
        e.putAll(env);
        pb.environment().putAll(e);
        pb.directory(Path.of("/").toFile());
        try {
            Path out = Files.createTempFile("jcni-run", ".out");
            Path err = Files.createTempFile("jcni-run", ".err");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process p;
            try {
                p = pb.start();
            } catch (IOException e1) {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
                throw e1;
            }
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e1) {
                // the process exited without reading its input: its outcome tells why
            }
            return new Started(exe, p, out, err);
        } catch (IOException e1) {
            throw new AssertionError("cannot run " + exe + ": " + e1, e1);
        }
    }

    /**
     * Runs a CNI command of an executable in {@link #bin()}.
     *
     * @param plugin the executable's name
     * @param command {@code CNI_COMMAND}
     * @param env the other variables
     * @param stdin the configuration
     * @return the outcome
     */
    public static Run cni(String plugin, String command, Map<String, String> env, String stdin) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("CNI_COMMAND", command);
        return run(exe(plugin), e, stdin);
    }
}
