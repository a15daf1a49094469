package dev.jcni.plugins.firewall;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.Phases;
import dev.jcni.sdk.internal.Threads;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
     * How long a tool may run: above iptables' own bound on waiting for the xtables lock
     * ({@link Iptables#LOCK_WAIT_SECONDS}), far below a runtime's timeout for a whole CNI call.
     */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** How long to wait for a killed tool and its children to be gone. */
    private static final long KILL_WAIT_MS = 5_000;

    /**
     * Runs a command for at most {@link #TIMEOUT} (30 s). stdin is written and stdout and stderr are
     * read on threads of their own while the call waits, so neither a full pipe nor a process that
     * keeps stdout open (a child left behind) can make it wait longer; on timeout, or when the
     * calling thread is interrupted, the tool and every process it started are killed (SIGKILL).
     *
     * @param stdin bytes for stdin, or null
     * @param command the command
     * @return its outcome
     * @throws IOException when it cannot be started or does not finish in time
     */
    public static Result run(byte[] stdin, List<String> command) throws IOException {
        return run(stdin, command, TIMEOUT);
    }

    /**
     * {@link #run(byte[], List)} with another bound.
     *
     * @param stdin bytes for stdin, or null
     * @param command the command
     * @param timeout how long it may take, output included
     * @return its outcome
     * @throws IOException when it cannot be started or does not finish in time
     */
    static Result run(byte[] stdin, List<String> command, Duration timeout) throws IOException {
        ProcessBuilder pb = CallContext.processBuilder(command);
        pb.environment().put("LC_ALL", "C");
        long end = System.nanoTime() + timeout.toNanos();
        long t = Phases.start();
        try {
            return run(stdin, command, timeout, pb, end);
        } finally {
            if (t != 0) {
                Phases.add("helper process (" + command.get(0).substring(command.get(0).lastIndexOf('/') + 1) + ")", t);
            }
        }
    }

    private static Result run(byte[] stdin, List<String> command, Duration timeout, ProcessBuilder pb, long end)
            throws IOException {
        Process p = pb.start();
        Thread writer = background("stdin", () -> {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException e) {
                // the tool exited or closed stdin early: its exit status tells
            }
        });
        Drain out = new Drain(p.getInputStream(), "stdout");
        Drain err = new Drain(p.getErrorStream(), "stderr");
        String what = String.join(" ", command);
        try {
            if (!p.waitFor(left(end), TimeUnit.NANOSECONDS)) {
                killTree(p);
                throw new IOException(what + ": timed out after " + timeout.toSeconds() + " s; killed");
            }
            for (Thread t : List.of(out.thread, err.thread, writer)) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left(end))));
                if (t.isAlive()) {
                    killTree(p);
                    throw new IOException(what + ": exited, but a process it started kept its output open past "
                            + timeout.toSeconds() + " s; killed");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killTree(p);
            throw new IOException(what + ": interrupted; killed", e);
        }
        return new Result(p.exitValue(), out.text(), err.text());
    }

    private static long left(long end) {
        return Math.max(0, end - System.nanoTime());
    }

    /** SIGKILL to a process and every process it started (listed first: orphans are reparented). */
    private static void killTree(Process p) {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(p.toHandle());
        p.descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroyForcibly);
        CompletableFuture<?>[] exits = tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        Threads.runUninterrupted(() -> {
            try {
                CompletableFuture.allOf(exits).get(KILL_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                // gone or not, nothing more to do: the caller reports the failure
            }
        });
    }

    private static Thread background(String what, Runnable r) {
        Thread t = new Thread(r, "jcni-exec-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads a stream to its end on a thread of its own. */
    private static final class Drain {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        Drain(InputStream in, String what) {
            thread = background(what, () -> {
                try (in) {
                    in.transferTo(buf);
                } catch (IOException e) {
                    // closed under us: keep what was read
                }
            });
        }

        String text() {
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
