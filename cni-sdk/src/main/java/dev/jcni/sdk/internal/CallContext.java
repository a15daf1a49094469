package dev.jcni.sdk.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a plugin call sees of its process: the environment and the working directory. A cold call
 * (a JVM per exec) has the process's own; a call served by the warm-mode daemon or run in-process
 * has its caller's, which the JVM's {@code System.getenv()} and {@code user.dir} do not show.
 * Code that starts processes or resolves a path from the call's input (CNI_NETNS, CNI_PATH,
 * JCNI_LOG_FILE, paths in a configuration) asks this class, never the JVM.
 *
 * <p>The context is per thread and inherited by threads started inside a call.
 * {@link dev.jcni.sdk.skel.PluginMain#execute} sets the environment it is given for the call's
 * duration; the daemon sets the caller's working directory around it.
 *
 * <p>A thread can also be <em>retired</em> (see {@link #retire(String)}): it was left in a state in
 * which it must not act on the host any more (a thread that could not return to its network
 * namespace). Starting a process on it is refused.
 */
public final class CallContext {
    private static final InheritableThreadLocal<CallContext> CURRENT = new InheritableThreadLocal<>();
    private static final ThreadLocal<String> RETIRED = new ThreadLocal<>();

    private final Map<String, String> env;
    private final Path cwd;

    private CallContext(Map<String, String> env, Path cwd) {
        this.env = env;
        this.cwd = cwd;
    }

    /** @return the context of this thread: the call's, or the process's own outside any call */
    public static CallContext current() {
        CallContext c = CURRENT.get();
        return c != null ? c : new CallContext(System.getenv(), processCwd());
    }

    /** @return the environment of the current call (the process's outside any call) */
    public static Map<String, String> env() {
        CallContext c = CURRENT.get();
        return c != null ? c.env : System.getenv();
    }

    /** @return the working directory of the current call, absolute (the process's outside any call) */
    public static Path cwd() {
        CallContext c = CURRENT.get();
        return c != null ? c.cwd : processCwd();
    }

    /**
     * Resolves a path from the call's input against the call's working directory. Always gives an
     * absolute path, so that a cold call and a warm call name the same file the same way.
     *
     * @param path a path as given, e.g. {@code CNI_NETNS}; "" stays ""
     * @return the absolute path ("" for "")
     */
    public static Path resolve(String path) {
        if (path.isEmpty()) {
            return Path.of("");
        }
        return cwd().resolve(path);
    }

    /**
     * Runs code with a given environment and working directory as the context of this thread (and
     * of threads it starts), then restores the previous context.
     *
     * @param env the call's environment
     * @param cwd the call's working directory; absolute
     * @param body the code
     * @param <T> its result
     * @return what the code returned
     */
    public static <T> T with(Map<String, String> env, Path cwd, Supplier<T> body) {
        Objects.requireNonNull(env, "env");
        if (!cwd.isAbsolute()) {
            throw new IllegalArgumentException("working directory must be absolute: " + cwd);
        }
        CallContext previous = CURRENT.get();
        CURRENT.set(new CallContext(env, cwd));
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /**
     * Runs code with a given environment and the current working directory.
     *
     * @param env the call's environment
     * @param body the code
     * @param <T> its result
     * @return what the code returned
     */
    public static <T> T withEnv(Map<String, String> env, Supplier<T> body) {
        return with(env, cwd(), body);
    }

    /**
     * A process builder for the current call: its environment and working directory are the
     * call's, as they would be for a process started by a plugin that was exec'd.
     *
     * @param command the command and its arguments
     * @return the builder
     * @throws IllegalStateException on a retired thread
     */
    public static ProcessBuilder processBuilder(List<String> command) {
        return processBuilder(command, env(), cwd());
    }

    /**
     * A process builder with a given environment and working directory. A bare command name (no
     * {@code /}) is looked up in the given environment's {@code PATH} (relative and empty entries
     * from {@code cwd}; {@code :/bin:/usr/bin} when there is no {@code PATH}, as the JDK does), not in
     * this JVM's: the builder's command is the path found, or, when the name is nowhere on that
     * {@code PATH}, its path in the first entry, which then fails to start ("No such file or
     * directory"). A name with a {@code /} is left as it is (relative to {@code cwd}).
     *
     * @param command the command and its arguments
     * @param env the whole environment of the process
     * @param cwd its working directory
     * @return the builder
     * @throws IllegalStateException on a retired thread
     */
    public static ProcessBuilder processBuilder(List<String> command, Map<String, String> env, Path cwd) {
        checkNotRetired();
        ProcessBuilder pb = new ProcessBuilder(onCallPath(command, env, cwd));
        Map<String, String> childEnv = pb.environment();
        childEnv.clear();
        childEnv.putAll(env);
        pb.directory(cwd.toFile());
        return pb;
    }

    /** Where the JDK looks for a bare command name when there is no {@code PATH}. */
    private static final String DEFAULT_PATH = ":/bin:/usr/bin";

    /**
     * Resolves a bare command name as an exec with this environment would: the first entry of its
     * {@code PATH} holding an executable regular file of that name.
     */
    private static List<String> onCallPath(List<String> command, Map<String, String> env, Path cwd) {
        if (command.isEmpty() || command.get(0).isEmpty() || command.get(0).contains("/")) {
            return command;
        }
        String name = command.get(0);
        Path first = null;
        for (String dir : env.getOrDefault("PATH", DEFAULT_PATH).split(":", -1)) {
            Path candidate = cwd.resolve(dir).resolve(name);
            if (first == null) {
                first = candidate;
            }
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                first = candidate;
                break;
            }
        }
        List<String> resolved = new ArrayList<>(command);
        resolved.set(0, first.toString());
        return resolved;
    }

    /**
     * Marks this thread as unfit to act on the host again: from now on {@link #checkNotRetired()}
     * throws on it. Not undone.
     *
     * @param reason why, for the messages
     */
    public static void retire(String reason) {
        RETIRED.set(reason);
    }

    /** @return true when this thread was {@linkplain #retire(String) retired} */
    public static boolean isRetired() {
        return RETIRED.get() != null;
    }

    /**
     * @throws IllegalStateException when this thread was {@linkplain #retire(String) retired}
     */
    public static void checkNotRetired() {
        String reason = RETIRED.get();
        if (reason != null) {
            throw new IllegalStateException("this thread was retired and must not act on the host: " + reason);
        }
    }

    private static Path processCwd() {
        return Path.of(System.getProperty("user.dir"));
    }
}
