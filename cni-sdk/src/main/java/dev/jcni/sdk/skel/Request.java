package dev.jcni.sdk.skel;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.TraceContext;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One call of a plugin: the {@code CNI_*} environment and the configuration from stdin, validated
 * by the skel. The Go equivalent is {@code skel.CmdArgs}. Immutable.
 *
 * <h2>The caller's process, not the JVM's</h2>
 * A call may be served without a JVM of its own (by jcni's warm-mode daemon, or in-process
 * delegation), so the JVM's {@code System.getenv()} and working directory are not the caller's.
 * Use this object instead:
 * <ul>
 *   <li>{@link #env()} is the call's whole environment;</li>
 *   <li>{@link #resolvePath(String)} resolves a relative path from the call's input
 *       ({@code CNI_NETNS}, a file named in the configuration) against the caller's
 *       {@linkplain #workingDirectory() working directory};</li>
 *   <li>{@link #processBuilder(List)} starts a process that sees what it would see if the plugin
 *       had been exec'd: the call's environment and working directory.</li>
 * </ul>
 * The SDK's own process starts ({@link dev.jcni.sdk.invoke}) and {@code dev.jcni.netns.NetNs.get}
 * already do this. Threads the plugin starts during a call inherit it.
 */
public final class Request {
    private final Command command;
    private final String containerId;
    private final String netns;
    private final String ifName;
    private final String args;
    private final String path;
    private final String netnsOverride;
    private final byte[] stdin;
    private final NetConf netConf;
    private final Map<String, String> env;
    private final System.Logger logger;
    private final Path workingDirectory;
    private final Optional<TraceContext> traceContext;

    Request(Command command, Map<String, String> env, byte[] stdin, NetConf netConf, System.Logger logger) {
        this.command = command;
        this.env = Map.copyOf(env);
        this.containerId = env.getOrDefault("CNI_CONTAINERID", "");
        this.netns = env.getOrDefault("CNI_NETNS", "");
        this.ifName = env.getOrDefault("CNI_IFNAME", "");
        this.args = env.getOrDefault("CNI_ARGS", "");
        this.path = env.getOrDefault("CNI_PATH", "");
        this.netnsOverride = env.getOrDefault("CNI_NETNS_OVERRIDE", "");
        this.stdin = stdin;
        this.netConf = netConf;
        this.logger = logger;
        this.workingDirectory = CallContext.cwd();
        this.traceContext = TraceContext.fromEnv(env);
    }

    /** @return the verb */
    public Command command() {
        return command;
    }

    /** @return {@code CNI_CONTAINERID}, "" for GC and STATUS */
    public String containerId() {
        return containerId;
    }

    /** @return {@code CNI_NETNS}, "" when not given (allowed for DEL) */
    public String netns() {
        return netns;
    }

    /** @return {@code CNI_IFNAME} */
    public String ifName() {
        return ifName;
    }

    /** @return {@code CNI_ARGS} as given */
    public String rawCniArgs() {
        return args;
    }

    /**
     * @return {@code CNI_ARGS} parsed
     * @throws CniException code 4 {@code ARGS: invalid pair "<p>"}
     */
    public CniArgs cniArgs() {
        try {
            return CniArgs.parse(args);
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, e.getMessage());
        }
    }

    /** @return {@code CNI_PATH} split on {@code :}; empty when not set */
    public List<String> path() {
        return path.isEmpty() ? List.of() : List.of(path.split(":", -1));
    }

    /** @return {@code CNI_NETNS_OVERRIDE} as given */
    public String netnsOverride() {
        return netnsOverride;
    }

    /** @return the exact stdin bytes */
    public byte[] stdin() {
        return Arrays.copyOf(stdin, stdin.length);
    }

    /** @return the configuration, standard keys typed */
    public NetConf netConf() {
        return netConf;
    }

    /**
     * Binds the configuration to the plugin author's own type; see {@link NetConf#bind(Class)}.
     *
     * @param type the class, typically a record
     * @param <T> the type
     * @return the bound configuration
     * @throws CniException code 6 when it does not bind
     */
    public <T> T config(Class<T> type) {
        return netConf.bind(type);
    }

    /**
     * Binds the configuration over defaults; see {@link NetConf#bind(Class, Object)}.
     *
     * @param type the record class
     * @param defaults the values for what the configuration does not set
     * @param <T> the type
     * @return the bound configuration
     * @throws CniException code 6 when it does not bind
     */
    public <T> T config(Class<T> type, T defaults) {
        return netConf.bind(type, defaults);
    }

    /**
     * @return the {@code prevResult} converted to the current version, when present
     * @throws CniException code 6 when it does not parse or is not of the configuration's version family
     */
    public Optional<Result> prevResult() {
        return netConf.prevResult();
    }

    /**
     * The environment the plugin was called with; delegation passes it on with only
     * {@code CNI_COMMAND} changed.
     *
     * @return the environment
     */
    public Map<String, String> env() {
        return env;
    }

    /**
     * The call's W3C trace context: {@code TRACEPARENT}, {@code TRACESTATE} and {@code BAGGAGE} of
     * its environment, as libcni passes them. Present when {@code TRACEPARENT} is valid (an invalid
     * one is ignored). Cold, warm or in-process alike; delegation through {@link dev.jcni.sdk.invoke}
     * with {@link #env()} passes it on, and every line of {@link #logger()} carries its trace id.
     * Use it to start a span of your own, with the trace id and {@link TraceContext#spanId()} as
     * its parent.
     *
     * @return the trace context, or empty
     */
    public Optional<TraceContext> traceContext() {
        return traceContext;
    }

    /**
     * A logger writing to the plugin's diagnostics (stderr, or {@code JCNI_LOG_FILE}); never stdout.
     *
     * @return the logger
     */
    public System.Logger logger() {
        return logger;
    }

    /**
     * The working directory of the process that made the call (the runtime's), which is not the
     * JVM's when the call is served warm or in-process.
     *
     * @return the absolute directory
     */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /**
     * Resolves a path from the call's input, such as {@code CNI_NETNS} or a file named in the
     * configuration, against the caller's {@linkplain #workingDirectory() working directory}, as
     * the kernel would have for an exec'd plugin. Use the result, never {@code Path.of(text)}, for
     * relative input.
     *
     * @param path the path as given; "" stays ""
     * @return the absolute path, or the empty path for ""
     */
    public Path resolvePath(String path) {
        return path.isEmpty() ? Path.of("") : workingDirectory.resolve(path);
    }

    /**
     * A process builder whose environment is this call's {@linkplain #env() environment} and whose
     * directory is the caller's {@linkplain #workingDirectory() working directory}: a process
     * started with it sees what it would see if the plugin had been exec'd by the runtime.
     *
     * <p>A bare command name (no {@code /}, e.g. {@code iptables}) is looked up here, in this call's
     * {@code PATH} (relative entries from the working directory), not in the {@code PATH} of the JVM
     * serving the call (a warm-mode daemon's, or the parent plugin's during in-process delegation):
     * the builder's {@link ProcessBuilder#command()} then starts with the path found. A name that is
     * nowhere on the call's {@code PATH} fails to start ("No such file or directory"), as it would for
     * an exec'd plugin. Setting another command on the builder afterwards skips this lookup.
     *
     * @param command the command and its arguments
     * @return the builder, ready to start (change what you need first)
     */
    public ProcessBuilder processBuilder(List<String> command) {
        return CallContext.processBuilder(command, env, workingDirectory);
    }
}
