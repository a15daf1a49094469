package dev.jcni.plugins.firewall;

import dev.jcni.sdk.internal.CallContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the firewall tools. Their output never reaches the plugin's stdout. They run with the
 * current call's environment (plus {@code LC_ALL=C}) in the caller's working directory, and are
 * looked up in the call's {@code PATH}: what they would get were the plugin exec'd, also when the
 * call is served by the warm-mode daemon.
 */
public final class Exec {
    private Exec() {
    }

    /** Where to look for the tools when {@code PATH} (often minimal under a runtime) lacks them. */
    private static final List<String> FALLBACK_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin", "/usr/local/sbin");

    /**
     * The outcome of a command.
     *
     * @param exitCode the exit code
     * @param stdout its stdout
     * @param stderr its stderr
     */
    public record Result(int exitCode, String stdout, String stderr) {
        /** @return true for exit code 0 */
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Finds a tool in the call's {@code PATH} (relative entries from the caller's working
     * directory), then in the usual sbin directories.
     *
     * @param name e.g. {@code iptables}
     * @return its path
     */
    public static Optional<Path> find(String name) {
        List<String> dirs = new ArrayList<>();
        String path = CallContext.env().get("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(d);
                }
            }
        }
        dirs.addAll(FALLBACK_DIRS);
        for (String d : dirs) {
            Path p = CallContext.resolve(d).resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs a command, waiting up to 60 s (iptables {@code --wait} may queue behind other writers).
     *
     * @param stdin bytes for stdin, or null
     * @param command the command
     * @return its outcome
     * @throws IOException when it cannot be started or does not finish
     */
    public static Result run(byte[] stdin, List<String> command) throws IOException {
        ProcessBuilder pb = CallContext.processBuilder(command);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        // stdout first, then stderr: these tools write little to stderr, far below a pipe's capacity
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = readAll(p.getErrorStream());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8));
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
