package dev.jcni.sdk.invoke;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.Threads;
import dev.jcni.sdk.invoke.PluginException.Failure;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import dev.jcni.sdk.version.SpecVersions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs plugin executables: Go's {@code invoke.RawExec} and {@code DefaultExec}, with deadlines.
 *
 * <p>A call starts the plugin with the given environment, writes the configuration to its stdin
 * and reads stdout and stderr. On success stdout is the answer and stderr goes to the
 * {@linkplain #withLogger(System.Logger) logger}. On failure stdout is read as the plugin's CNI
 * error JSON and stderr goes into the {@link PluginException}.
 *
 * <p>Beyond Go: when the {@linkplain #withDeadline(Deadline) deadline} passes, the plugin and every
 * process it started get SIGTERM, then SIGKILL after the grace period (Go SIGKILLs the direct child
 * only, cni#687); a plugin killed by a signal is reported with the signal's name; a binary that stays
 * "text file busy" is an error after the retries (Go then reports success with no output).
 *
 * <p>The plugin runs in the working directory of the current call (see
 * {@link dev.jcni.sdk.skel.Request#workingDirectory()}), the JVM's outside a plugin call.
 *
 * <p>Immutable and thread-safe: the {@code with...} methods return copies.
 */
public final class PluginExec {
    /** Go's retry count for "text file busy": 6 attempts. */
    public static final int DEFAULT_BUSY_ATTEMPTS = 6;
    /** Go's wait between "text file busy" attempts: 1 second. */
    public static final Duration DEFAULT_BUSY_WAIT = Duration.ofSeconds(1);
    /** How long jcni waits for a process to go after SIGKILL before giving up on it. */
    private static final long KILL_WAIT_MS = 10_000;

    private static final PluginExec DEFAULT = new PluginExec(null, Deadline.none(), DEFAULT_BUSY_ATTEMPTS, DEFAULT_BUSY_WAIT);

    private final System.Logger logger;
    private final Deadline deadline;
    private final int busyAttempts;
    private final Duration busyWait;

    private PluginExec(System.Logger logger, Deadline deadline, int busyAttempts, Duration busyWait) {
        this.logger = logger;
        this.deadline = deadline;
        this.busyAttempts = busyAttempts;
        this.busyWait = busyWait;
    }

    /** @return a runner with no deadline, Go's busy retries, and the {@code dev.jcni.sdk.invoke} system logger */
    public static PluginExec create() {
        return DEFAULT;
    }

    /**
     * @param newLogger where a successful plugin's stderr is logged (level INFO)
     * @return a copy
     */
    public PluginExec withLogger(System.Logger newLogger) {
        return new PluginExec(Objects.requireNonNull(newLogger, "logger"), deadline, busyAttempts, busyWait);
    }

    /**
     * @param newDeadline when calls made by the copy must be over
     * @return a copy
     */
    public PluginExec withDeadline(Deadline newDeadline) {
        return new PluginExec(logger, Objects.requireNonNull(newDeadline, "deadline"), busyAttempts, busyWait);
    }

    /**
     * @param attempts how many times to try starting a binary that is "text file busy" (at least 1)
     * @param wait the pause between attempts
     * @return a copy
     */
    public PluginExec withTextFileBusyRetry(int attempts, Duration wait) {
        if (attempts < 1 || wait.isNegative()) {
            throw new IllegalArgumentException("attempts must be >= 1 and wait >= 0: " + attempts + ", " + wait);
        }
        return new PluginExec(logger, deadline, attempts, wait);
    }

    /** @return the deadline of calls made by this runner */
    public Deadline deadline() {
        return deadline;
    }

    /** @return the logger plugin stderr goes to */
    public System.Logger logger() {
        return logger != null ? logger : System.getLogger("dev.jcni.sdk.invoke");
    }

    // ------------------------------------------------------------------ exec

    /**
     * Runs a plugin and returns its stdout (Go's {@code RawExec.ExecPlugin}).
     *
     * @param plugin the executable
     * @param stdin the bytes for its stdin
     * @param env its whole environment (see {@link InvokeArgs#asEnv(Map)})
     * @return what it printed on stdout, when it exited 0
     * @throws PluginException when it could not run, failed, was killed, or ran past the deadline
     */
    public byte[] execPlugin(Path plugin, byte[] stdin, Map<String, String> env) {
        Raw raw = run(plugin, stdin, env);
        if (raw.stderr.length > 0) {
            logger().log(System.Logger.Level.INFO, "plugin " + plugin + " (" + env.getOrDefault("CNI_COMMAND", "")
                    + ") stderr: " + Json.text(raw.stderr).stripTrailing());
        }
        return raw.stdout;
    }

    /**
     * Runs a plugin that answers with a result (ADD), as Go's {@code ExecPluginWithResult}: a result
     * without {@code cniVersion} (or with an empty one) is taken to be in the configuration's version;
     * the result is returned in its own version, not converted.
     *
     * @param plugin the executable
     * @param netconf the configuration for stdin
     * @param env its whole environment
     * @return the result
     * @throws PluginException as {@link #execPlugin}, and {@link Failure#BAD_OUTPUT} (code 6) when stdout
     *     is empty, {@code null}, not JSON or not a result, showing the bytes received
     */
    public Result execPluginWithResult(Path plugin, byte[] netconf, Map<String, String> env) {
        byte[] out = execPlugin(plugin, netconf, env);
        return parseResult(plugin, netconf, out);
    }

    /**
     * Runs a plugin whose output is ignored on success (DEL, CHECK, GC, STATUS).
     *
     * @param plugin the executable
     * @param netconf the configuration for stdin
     * @param env its whole environment
     * @throws PluginException as {@link #execPlugin}
     */
    public void execPluginWithoutResult(Path plugin, byte[] netconf, Map<String, String> env) {
        execPlugin(plugin, netconf, env);
    }

    /**
     * Asks a plugin which spec versions it supports (Go's {@code invoke.GetVersionInfo}): VERSION with
     * the dummy {@code CNI_NETNS}, {@code CNI_IFNAME} and {@code CNI_PATH} old plugins need; a plugin
     * answering {@code unknown CNI_COMMAND: VERSION} supports 0.1.0 only.
     *
     * @param plugin the executable
     * @return the versions
     * @throws PluginException when it fails, or code 6 {@code decoding version info: ...}
     */
    public PluginInfo getVersionInfo(Path plugin) {
        Map<String, String> env = new InvokeArgs("VERSION", "", "dummy", CniArgs.empty(), "dummy", List.of("dummy"))
                .asEnv(CallContext.env());
        ObjectNode in = Json.object();
        in.put("cniVersion", SpecVersions.CURRENT);
        byte[] out;
        try {
            out = execPlugin(plugin, Json.write(in), env);
        } catch (PluginException e) {
            String goText = e.details().isEmpty() ? e.msg() : e.msg() + "; " + e.details();
            if (e.isPluginError() && goText.equals("unknown CNI_COMMAND: VERSION")) {
                return PluginInfo.of("0.1.0");
            }
            throw e;
        }
        try {
            return PluginInfo.fromJson(out);
        } catch (IllegalArgumentException e) {
            throw badOutput(plugin, ErrorCodes.DECODING_FAILURE, e.getMessage(), out, e);
        }
    }

    // ------------------------------------------------------------ delegation

    /**
     * Runs a delegate plugin (typically IPAM) with ADD from inside a plugin (Go's
     * {@code invoke.DelegateAdd}). The delegate gets the parent's environment with only
     * {@code CNI_COMMAND} replaced and is looked up in the parent's {@code CNI_PATH}.
     *
     * <p>When the delegate ran and failed without reporting a CNI error (it was killed, timed out,
     * exited non-zero without an error JSON, or printed something that is not a result), it may have
     * reserved something half-way: DEL is run on it before the error is thrown, as the spec asks of
     * delegating plugins (a failing DEL is attached as a suppressed exception). That DEL runs with the
     * thread's interrupt flag cleared (a call interrupted because its caller went away still cleans up)
     * and, under a deadline, with a deadline of its own.
     *
     * <p>When the delegate reported an error JSON, no DEL is run: a plugin that fails ADD has undone its
     * own work, and its refusal may be about someone else's live attachment (host-local refuses a second
     * ADD of a live container id and interface; a DEL after that refusal would release the live
     * attachment's address for a second owner). Nor when it could not be found or started.
     *
     * @param delegate the delegate's type, e.g. {@code host-local}
     * @param netconf the configuration for the delegate
     * @param parentEnv the calling plugin's environment, e.g. {@code request.env()}
     * @return the delegate's result, in its own version
     * @throws PluginException when the delegate is not found or fails
     */
    public Result delegateAdd(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        Path path = Invoke.findInPath(delegate, Invoke.splitPath(parentEnv.getOrDefault("CNI_PATH", "")));
        try {
            return execPluginWithResult(path, netconf, delegateEnv(parentEnv, "ADD"));
        } catch (PluginException e) {
            if (mayHaveLeftSomething(e)) {
                PluginExec cleanup = this;
                if (deadline.isSet()) {
                    Duration room = deadline.grace().compareTo(Duration.ofSeconds(1)) > 0 ? deadline.grace() : Duration.ofSeconds(1);
                    cleanup = withDeadline(Deadline.after(room).withGrace(deadline.grace()));
                }
                PluginExec del = cleanup;
                Threads.runUninterrupted(() -> {
                    try {
                        del.execPluginWithoutResult(path, netconf, delegateEnv(parentEnv, "DEL"));
                    } catch (PluginException failedDel) {
                        e.addSuppressed(failedDel);
                    }
                });
            }
            throw e;
        }
    }

    /** A delegate that ran and failed without a CNI error of its own: it may have stopped half-way. */
    private static boolean mayHaveLeftSomething(PluginException e) {
        return switch (e.failure()) {
            case FAILED, KILLED_BY_SIGNAL, TIMED_OUT, BAD_OUTPUT -> true;
            case NOT_FOUND, START_FAILED, TEXT_FILE_BUSY, ERROR_REPORTED -> false;
        };
    }

    /**
     * Runs a delegate plugin with CHECK (see {@link #delegateAdd}).
     *
     * @param delegate the delegate's type
     * @param netconf the configuration for the delegate
     * @param parentEnv the calling plugin's environment
     * @throws PluginException when the delegate is not found or fails
     */
    public void delegateCheck(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        delegateNoResult(delegate, netconf, parentEnv, "CHECK");
    }

    /**
     * Runs a delegate plugin with DEL (see {@link #delegateAdd}).
     *
     * @param delegate the delegate's type
     * @param netconf the configuration for the delegate
     * @param parentEnv the calling plugin's environment
     * @throws PluginException when the delegate is not found or fails
     */
    public void delegateDel(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        delegateNoResult(delegate, netconf, parentEnv, "DEL");
    }

    /**
     * Runs a delegate plugin with STATUS (see {@link #delegateAdd}).
     *
     * @param delegate the delegate's type
     * @param netconf the configuration for the delegate
     * @param parentEnv the calling plugin's environment
     * @throws PluginException when the delegate is not found or fails (its code, e.g. 50, kept)
     */
    public void delegateStatus(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        delegateNoResult(delegate, netconf, parentEnv, "STATUS");
    }

    /**
     * Runs a delegate plugin with GC (see {@link #delegateAdd}).
     *
     * @param delegate the delegate's type
     * @param netconf the configuration for the delegate
     * @param parentEnv the calling plugin's environment
     * @throws PluginException when the delegate is not found or fails
     */
    public void delegateGc(String delegate, byte[] netconf, Map<String, String> parentEnv) {
        delegateNoResult(delegate, netconf, parentEnv, "GC");
    }

    private void delegateNoResult(String delegate, byte[] netconf, Map<String, String> parentEnv, String command) {
        Path path = Invoke.findInPath(delegate, Invoke.splitPath(parentEnv.getOrDefault("CNI_PATH", "")));
        execPluginWithoutResult(path, netconf, delegateEnv(parentEnv, command));
    }

    private static Map<String, String> delegateEnv(Map<String, String> parent, String command) {
        Map<String, String> env = new java.util.LinkedHashMap<>(parent);
        env.put("CNI_COMMAND", command);
        return env;
    }

    // ------------------------------------------------------------ internals

    /** What a finished plugin left: its outputs and exit status. */
    private record Raw(byte[] stdout, byte[] stderr, int exitStatus) {
    }

    private Raw run(Path plugin, byte[] stdin, Map<String, String> env) {
        if (!deadline.isSet()) {
            Optional<String> main = InProcess.mainOf(plugin);
            Optional<InProcess.Outcome> in = main.isPresent() ? InProcess.run(main.get(), stdin, env) : Optional.empty();
            if (in.isPresent()) {
                InProcess.Outcome o = in.get();
                if (o.status() == 0) {
                    return new Raw(o.stdout(), o.stderr(), 0);
                }
                throw pluginError(plugin, o.status(), o.stdout(), o.stderr());
            }
        }
        Process p = start(plugin, env);
        Thread writer = pump("stdin", () -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin);
            } catch (IOException e) {
                // the plugin exited or closed stdin without reading it all: its exit status tells
            }
        });
        Capture out = new Capture(p.getInputStream(), "stdout");
        Capture err = new Capture(p.getErrorStream(), "stderr");
        boolean exited = waitFor(p);
        if (!exited) {
            String how = stopTree(p);
            joinQuietly(writer, out, err);
            Duration t = deadline.timeout().orElse(Duration.ZERO);
            String msg = "plugin timed out after " + format(t) + ": " + how;
            int sig = how.contains("SIGKILL") ? 9 : 15;
            throw new PluginException(Failure.TIMED_OUT, ErrorCodes.UNKNOWN, msg, "", plugin, out.text(), err.text(),
                    OptionalInt.empty(), OptionalInt.of(sig), false, null);
        }
        if (!joinUntilDeadline(writer, out, err)) {
            throw new PluginException(Failure.TIMED_OUT, ErrorCodes.UNKNOWN, "plugin exited with status " + p.exitValue()
                    + " but a process it started kept its output open past the deadline", "", plugin, out.text(),
                    err.text(), OptionalInt.of(p.exitValue()), OptionalInt.empty(), false, null);
        }
        int status = p.exitValue();
        if (status == 0) {
            return new Raw(out.bytes(), err.bytes(), 0);
        }
        throw pluginError(plugin, status, out.bytes(), err.bytes());
    }

    private Process start(Path plugin, Map<String, String> env) {
        // the working directory is the call's: the runtime's when a plugin served warm delegates
        ProcessBuilder pb = CallContext.processBuilder(List.of(plugin.toString()), env, CallContext.cwd());
        IOException last = null;
        for (int attempt = 1; attempt <= busyAttempts; attempt++) {
            try {
                return pb.start();
            } catch (IOException e) {
                if (!isTextFileBusy(e)) {
                    throw PluginException.simple(Failure.START_FAILED, ErrorCodes.UNKNOWN,
                            "failed to start plugin " + plugin + ": " + e.getMessage(), plugin, e);
                }
                last = e;
                if (attempt < busyAttempts) {
                    pause(plugin);
                }
            }
        }
        throw PluginException.simple(Failure.TEXT_FILE_BUSY, ErrorCodes.TRY_AGAIN_LATER,
                "plugin " + plugin + " stayed busy (text file busy) through " + busyAttempts + " attempts", plugin, last);
    }

    private void pause(Path plugin) {
        Duration wait = busyWait;
        Optional<Duration> left = deadline.remaining();
        if (left.isPresent() && left.get().compareTo(wait) <= 0) {
            throw PluginException.simple(Failure.TIMED_OUT, ErrorCodes.UNKNOWN, "plugin " + plugin
                    + " was busy (text file busy) until the deadline", plugin, null);
        }
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw PluginException.simple(Failure.START_FAILED, ErrorCodes.UNKNOWN, "interrupted while waiting to start "
                    + plugin, plugin, e);
        }
    }

    private static boolean isTextFileBusy(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("Text file busy") || m.contains("text file busy") || m.contains("error=26,"))) {
                return true;
            }
        }
        return false;
    }

    /** Waits for the plugin until the deadline; true when it exited. */
    private boolean waitFor(Process p) {
        try {
            Optional<Duration> left = deadline.remaining();
            if (left.isEmpty()) {
                p.waitFor();
                return true;
            }
            return p.waitFor(left.get().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopTree(p);
            throw PluginException.simple(Failure.TIMED_OUT, ErrorCodes.UNKNOWN, "interrupted while waiting for the plugin",
                    null, e);
        }
    }

    /**
     * Stops a plugin and every process it started: SIGTERM to all, then SIGKILL to those still
     * there after the grace period. The descendants are listed before anything is signalled, since
     * a child whose parent dies is reparented and no longer shows as a descendant.
     *
     * @return what happened, e.g. {@code stopped by SIGTERM (2 processes)}
     */
    private String stopTree(Process p) {
        ProcessHandle root = p.toHandle();
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(root);
        root.descendants().forEach(tree::add);
        for (ProcessHandle h : tree) {
            h.destroy();
        }
        if (allExit(tree, deadline.grace().toMillis())) {
            return "stopped by SIGTERM (" + count(tree.size()) + ")";
        }
        if (root.isAlive()) {
            root.descendants().filter(d -> !tree.contains(d)).forEach(tree::add);
        }
        int survivors = 0;
        for (ProcessHandle h : tree) {
            if (h.isAlive()) {
                survivors++;
                h.destroyForcibly();
            }
        }
        allExit(tree, KILL_WAIT_MS);
        return "SIGTERM was ignored for " + format(deadline.grace()) + ", killed by SIGKILL (" + count(survivors) + ")";
    }

    private static String count(int n) {
        return n == 1 ? "1 process" : n + " processes";
    }

    private static boolean allExit(List<ProcessHandle> handles, long millis) {
        CompletableFuture<?>[] exits = handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(exits).get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return handles.stream().noneMatch(ProcessHandle::isAlive);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private PluginException pluginError(Path plugin, int status, byte[] stdout, byte[] stderr) {
        String out = Json.text(stdout);
        String err = Json.text(stderr);
        if (status > 128 && status <= 128 + 64) {
            int sig = status - 128;
            String msg = "netplugin was killed by signal " + sig + " (" + PluginException.signalName(sig) + ")";
            if (stdout.length > 0) {
                msg += "; it printed " + PluginException.quoteOutput(stdout);
            }
            return new PluginException(Failure.KILLED_BY_SIGNAL, ErrorCodes.UNKNOWN, msg, "", plugin, out, err,
                    OptionalInt.empty(), OptionalInt.of(sig), false, null);
        }
        String exit = "exit status " + status;
        if (stdout.length == 0) {
            if (stderr.length == 0) {
                return new PluginException(Failure.FAILED, ErrorCodes.UNKNOWN, "netplugin failed with no error message: "
                        + exit, "", plugin, out, err, OptionalInt.of(status), OptionalInt.empty(), false, null);
            }
            return new PluginException(Failure.FAILED, ErrorCodes.UNKNOWN, "netplugin failed: "
                    + PluginException.quoteOutput(stderr) + ": " + exit, "", plugin, out, err, OptionalInt.of(status),
                    OptionalInt.empty(), true, null);
        }
        try {
            JsonNode n = Json.parse(stdout);
            if (n.isObject() && (n.has("code") || n.has("msg"))) {
                JsonNode code = n.get("code");
                JsonNode msg = n.get("msg");
                JsonNode details = n.get("details");
                boolean codeOk = code == null || code.isNull() || (code.canConvertToInt() && code.isIntegralNumber() && code.intValue() >= 0);
                boolean msgOk = msg == null || msg.isNull() || msg.isTextual();
                boolean detailsOk = details == null || details.isNull() || details.isTextual();
                if (codeOk && msgOk && detailsOk) {
                    return new PluginException(Failure.ERROR_REPORTED, code == null || code.isNull() ? 0 : code.intValue(),
                            msg == null || msg.isNull() ? "" : msg.textValue(),
                            details == null || details.isNull() ? "" : details.textValue(), plugin, out, err,
                            OptionalInt.of(status), OptionalInt.empty(), false, null);
                }
            }
            return new PluginException(Failure.FAILED, ErrorCodes.UNKNOWN, "netplugin failed but error parsing its diagnostic message "
                    + PluginException.quoteOutput(stdout) + ": not a CNI error object (" + exit + ")", "", plugin, out, err,
                    OptionalInt.of(status), OptionalInt.empty(), false, null);
        } catch (JsonProcessingException e) {
            return new PluginException(Failure.FAILED, ErrorCodes.UNKNOWN, "netplugin failed but error parsing its diagnostic message "
                    + PluginException.quoteOutput(stdout) + ": " + Json.describe(e) + " (" + exit + ")", "", plugin, out, err,
                    OptionalInt.of(status), OptionalInt.empty(), false, e);
        }
    }

    /** Go's {@code fixupResultVersion} then {@code create.Create}, with the bytes in every error. */
    static Result parseResult(Path plugin, byte[] netconf, byte[] out) {
        String confVersion = configVersion(plugin, netconf);
        JsonNode node;
        try {
            node = Json.parse(out);
        } catch (JsonProcessingException e) {
            String what = out.length == 0 ? "the plugin printed nothing" : "the plugin printed " + PluginException.quoteOutput(out);
            throw badOutput(plugin, ErrorCodes.DECODING_FAILURE, "failed to unmarshal raw result: " + Json.describe(e) + "; "
                    + what, out, e);
        }
        if (node.isNull()) {
            throw badOutput(plugin, ErrorCodes.DECODING_FAILURE, "failed to unmarshal raw result: the plugin printed "
                    + PluginException.quoteOutput(out) + " instead of a result", out, null);
        }
        if (!node.isObject()) {
            throw badOutput(plugin, ErrorCodes.DECODING_FAILURE, "failed to unmarshal raw result: cannot unmarshal "
                    + Json.jsonTypeName(node) + " into a result object; the plugin printed " + PluginException.quoteOutput(out),
                    out, null);
        }
        JsonNode v = node.get("cniVersion");
        String version = v != null && v.isTextual() ? v.textValue() : "";
        if (version.isEmpty()) {
            version = confVersion;
            ((ObjectNode) node).put("cniVersion", version);
        }
        try {
            return Result.fromJson(Json.write(node), version);
        } catch (CniException e) {
            throw badOutput(plugin, e.code(), e.msg() + "; the plugin printed " + PluginException.quoteOutput(out), out, e);
        }
    }

    /** Go's {@code ConfigDecoder}: the configuration's {@code cniVersion}, "" meaning 0.1.0. */
    private static String configVersion(Path plugin, byte[] netconf) {
        try {
            JsonNode n = Json.parse(netconf);
            JsonNode v = n.get("cniVersion");
            if (v == null || v.isNull()) {
                return SpecVersions.DEFAULT;
            }
            if (!v.isTextual()) {
                throw PluginException.simple(Failure.BAD_OUTPUT, ErrorCodes.DECODING_FAILURE,
                        "decoding version from network config: cniVersion is a " + Json.jsonTypeName(v), plugin, null);
            }
            return v.textValue().isEmpty() ? SpecVersions.DEFAULT : v.textValue();
        } catch (JsonProcessingException e) {
            throw PluginException.simple(Failure.BAD_OUTPUT, ErrorCodes.DECODING_FAILURE,
                    "decoding version from network config: " + Json.describe(e), plugin, e);
        }
    }

    private static PluginException badOutput(Path plugin, int code, String msg, byte[] out, Throwable cause) {
        return new PluginException(Failure.BAD_OUTPUT, code, msg, "", plugin, Json.text(out), "", OptionalInt.of(0),
                OptionalInt.empty(), false, cause);
    }

    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }

    // --------------------------------------------------------------- streams

    private static Thread pump(String what, Runnable r) {
        Thread t = new Thread(r, "jcni-plugin-" + what);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads a stream to its end on a thread of its own. */
    private static final class Capture {
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private final Thread thread;

        Capture(InputStream in, String what) {
            this.thread = pump(what, () -> {
                byte[] chunk = new byte[8192];
                try (in) {
                    int n;
                    while ((n = in.read(chunk)) >= 0) {
                        synchronized (buf) {
                            buf.write(chunk, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // stream closed under us: keep what was read
                }
            });
        }

        byte[] bytes() {
            synchronized (buf) {
                return buf.toByteArray();
            }
        }

        String text() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }
    }

    private boolean joinUntilDeadline(Thread writer, Capture out, Capture err) {
        try {
            for (Thread t : new Thread[] {out.thread, err.thread, writer}) {
                Optional<Duration> left = deadline.remaining();
                if (left.isEmpty()) {
                    t.join();
                } else {
                    t.join(Math.max(1, left.get().toMillis()));
                    if (t.isAlive()) {
                        return false;
                    }
                }
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void joinQuietly(Thread writer, Capture out, Capture err) {
        try {
            for (Thread t : new Thread[] {out.thread, err.thread, writer}) {
                t.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
