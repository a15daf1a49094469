package dev.jcni.sdk.skel;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.PluginLoader;
import dev.jcni.sdk.internal.PluginLog;
import dev.jcni.sdk.internal.ProcessEnv;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Validators;
import dev.jcni.sdk.version.PluginInfo;
import dev.jcni.sdk.version.SpecVersions;
import dev.jcni.sdk.version.Version;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin entry point (Go's {@code skel.PluginMainFuncs}): reads the {@code CNI_*} environment and
 * stdin, validates them per verb, enforces the version rules, calls the {@link Plugin}, and writes
 * the result or the error JSON to stdout.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     PluginMain.run(new MyPlugin());
 * }
 * }</pre>
 *
 * <p>{@link #run(Plugin)} is for {@code main}: it exits the JVM with the outcome (or, when the
 * warm-mode daemon or in-process delegation loads the plugin, hands it over instead: make
 * {@code main} do nothing before {@code run} that matters to a call, and never exit before it). Tests call
 * {@link #execute(Plugin, Map, InputStream, OutputStream, OutputStream)}, which takes every stream
 * and the environment as arguments and returns the exit code; it never exits.
 *
 * <p>Exit codes: 0 on success, 1 on any error (the error's code is in the JSON, as with Go plugins).
 * Diagnostics go to stderr, or are appended to the file named by {@code JCNI_LOG_FILE};
 * {@code JCNI_LOG_LEVEL} sets their level ({@code error}, {@code warning} (the default: a plugin says
 * nothing unless something is wrong, as Go's), {@code info}, {@code debug}).
 */
public final class PluginMain {
    private PluginMain() {
    }

    private static final String[] VARS = {
        "CNI_COMMAND", "CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME", "CNI_ARGS", "CNI_PATH", "CNI_NETNS_OVERRIDE"
    };

    /**
     * Runs the plugin for this process and exits the JVM: 0 on success, 1 on error. While the
     * plugin runs, {@code System.out} is pointed at stderr so that stray prints cannot corrupt the
     * protocol on stdout. The environment is read as UTF-8 bytes whatever the locale (the kernel's
     * view; a runtime may give no locale at all).
     *
     * @param plugin the plugin
     */
    public static void run(Plugin plugin) {
        PluginLoader.handOver(plugin);
        PrintStream protocolOut = System.out;
        PrintStream err = System.err;
        System.setOut(err);
        int code = execute(plugin, ProcessEnv.read(), System.in, protocolOut, err);
        protocolOut.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs the plugin once, with everything injected. Never calls {@code System.exit}.
     *
     * <p>For the call's duration, {@code env} is also the environment of the processes the plugin
     * starts through the SDK ({@link Request#processBuilder(List)}, {@link dev.jcni.sdk.invoke}).
     *
     * @param plugin the plugin
     * @param env the environment ({@code CNI_*}, {@code JCNI_LOG_FILE}...)
     * @param stdin the configuration
     * @param stdout receives the result or error JSON, nothing else
     * @param stderr receives diagnostics (unless {@code JCNI_LOG_FILE} is set) and the about text
     * @return the exit code: 0 success, 1 error
     */
    public static int execute(Plugin plugin, Map<String, String> env, InputStream stdin, OutputStream stdout,
                              OutputStream stderr) {
        // anonymous classes, not lambdas, on a call's way: a cold JVM sets up the lambda machinery
        // (a hundred classes, several ms) at its first lambda, and links each one after that
        return CallContext.withEnv(env, new java.util.function.Supplier<Integer>() {
            @Override
            public Integer get() {
                return executeInContext(plugin, env, stdin, stdout, stderr);
            }
        });
    }

    private static int executeInContext(Plugin plugin, Map<String, String> env, InputStream stdin, OutputStream stdout,
                                        OutputStream stderr) {
        PrintStream err = stderr instanceof PrintStream p ? p : new PrintStream(stderr, true, StandardCharsets.UTF_8);
        PrintStream logStream = openLog(env, err);
        PluginLog log = new PluginLog(pluginName(plugin), logStream, PluginLog.parseLevel(env.getOrDefault(PluginLog.LOG_LEVEL_ENV, ""),
                PluginLog.PLUGIN_DEFAULT)).withFormatOf(env).forCall(env);
        String errorVersion = SpecVersions.CURRENT;
        try {
            Outcome outcome = dispatch(plugin, env, stdin, log);
            errorVersion = outcome.errorVersion;
            if (outcome.error != null) {
                throw outcome.error;
            }
            if (outcome.output != null) {
                stdout.write(outcome.output);
                stdout.flush();
            }
            return 0;
        } catch (CniException e) {
            if (e.code() == ErrorCodes.INVALID_ENVIRONMENT_VARIABLES && env.getOrDefault("CNI_COMMAND", "").isEmpty()
                    && !plugin.about().isEmpty()) {
                err.print(plugin.about() + "\nCNI protocol versions supported: "
                        + String.join(", ", plugin.versionInfo().supportedVersions()) + "\n");
                err.flush();
                return 0;
            }
            log.log(System.Logger.Level.DEBUG, "error: " + e.getMessage());
            writeError(stdout, e, errorVersion, log);
            return 1;
        } catch (IOException e) {
            log.log(System.Logger.Level.ERROR, "cannot write the result", e);
            writeError(stdout, new CniException(ErrorCodes.IO_FAILURE, "cannot write the result: " + e.getMessage()),
                    errorVersion, log);
            return 1;
        } finally {
            if (logStream != err) {
                logStream.close();
            }
        }
    }

    private static void writeError(OutputStream stdout, CniException e, String version, PluginLog log) {
        try {
            stdout.write(e.toJson(version));
            stdout.flush();
        } catch (IOException io) {
            log.log(System.Logger.Level.ERROR, "cannot write the error JSON", io);
        }
    }

    private static String pluginName(Plugin plugin) {
        String n = plugin.getClass().getSimpleName();
        return n.isEmpty() ? "plugin" : n;
    }

    private static PrintStream openLog(Map<String, String> env, PrintStream err) {
        String file = env.getOrDefault(PluginLog.LOG_FILE_ENV, "");
        if (file.isEmpty()) {
            return err;
        }
        try {
            return new PrintStream(new FileOutputStream(CallContext.resolve(file).toFile(), true), true, StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("jcni: cannot open " + PluginLog.LOG_FILE_ENV + "=" + file + ": " + e.getMessage() + "; logging to stderr");
            return err;
        }
    }

    /** What a dispatch produced: output bytes, or an error, and the version to state in an error. */
    private record Outcome(byte[] output, CniException error, String errorVersion) {
    }

    private static Outcome dispatch(Plugin plugin, Map<String, String> env, InputStream stdin, PluginLog log) {
        String cmdName = env.getOrDefault("CNI_COMMAND", "");
        Optional<Command> cmd = Command.of(cmdName);
        try {
            checkEnvironment(cmd, env);
        } catch (CniException e) {
            return new Outcome(null, e, SpecVersions.CURRENT);
        }
        if (cmd.isPresent() && cmd.get() == Command.VERSION) {
            return new Outcome(versionAnswer(plugin, stdin), null, SpecVersions.CURRENT);
        }
        byte[] data;
        try {
            data = stdin.readAllBytes();
        } catch (IOException e) {
            return new Outcome(null, new CniException(ErrorCodes.IO_FAILURE, "error reading from stdin: " + e.getMessage()),
                    SpecVersions.CURRENT);
        }
        NetConf conf;
        try {
            conf = NetConf.fromJson(data);
        } catch (CniException e) {
            return new Outcome(null, new CniException(ErrorCodes.DECODING_FAILURE,
                    "error unmarshall network config: " + e.msg()), SpecVersions.CURRENT);
        }
        String version = conf.effectiveCniVersion();
        String errorVersion = SpecVersions.isSupported(version) ? version : SpecVersions.CURRENT;
        try {
            if (conf.name().isEmpty()) {
                throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "missing network name");
            }
            Validators.validateNetworkName(conf.name());
            if (cmd.isEmpty()) {
                throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, "unknown CNI_COMMAND: " + cmdName);
            }
            Request request = new Request(cmd.get(), env, data, conf, log);
            return new Outcome(call(plugin, cmd.get(), request, version), null, errorVersion);
        } catch (CniException e) {
            return new Outcome(null, e, errorVersion);
        }
    }

    /**
     * Go's per-variable loop: the first validation error wins; then all missing variables at once.
     * {@code CNI_PATH} is required only for GC, as the spec says (Go also requires it for ADD, DEL,
     * CHECK and STATUS; see docs/spec-decisions.md).
     */
    static void checkEnvironment(Optional<Command> cmd, Map<String, String> env) {
        List<String> missing = new ArrayList<>();
        for (String var : VARS) {
            String val = env.getOrDefault(var, "");
            boolean required = var.equals("CNI_COMMAND") || cmd.isPresent() && requires(cmd.get(), var);
            if (val.isEmpty()) {
                if (required) {
                    missing.add(var);
                }
            } else if (required) {
                if (var.equals("CNI_CONTAINERID")) {
                    Validators.validateContainerId(val);
                } else if (var.equals("CNI_IFNAME")) {
                    Validators.validateInterfaceName(val);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES,
                    "required env variables [" + String.join(",", missing) + "] missing");
        }
    }

    private static boolean requires(Command cmd, String var) {
        return switch (var) {
            case "CNI_CONTAINERID", "CNI_IFNAME" -> cmd == Command.ADD || cmd == Command.CHECK || cmd == Command.DEL;
            case "CNI_NETNS" -> cmd == Command.ADD || cmd == Command.CHECK;
            case "CNI_PATH" -> cmd == Command.GC;
            default -> false;
        };
    }

    private static byte[] call(Plugin plugin, Command cmd, Request request, String version) {
        PluginInfo info = plugin.versionInfo();
        switch (cmd) {
            case ADD -> {
                info.reconcile(version);
                checkNetnsNotSelf(request);
                Result result = invoke(new Call<Result>() {
                    @Override
                    public Result run() throws Exception {
                        return plugin.add(request);
                    }
                }, request);
                if (result == null) {
                    throw new CniException(ErrorCodes.INTERNAL, "plugin returned no result for ADD");
                }
                return result.convertTo(version).toIndentedJson();
            }
            case DEL -> {
                info.reconcile(version);
                checkNetnsNotSelf(request);
                invoke(new Call<Void>() {
                    @Override
                    public Void run() throws Exception {
                        plugin.del(request);
                        return null;
                    }
                }, request);
                return null;
            }
            case CHECK, GC, STATUS -> {
                String minimum = cmd == Command.CHECK ? "0.4.0" : "1.1.0";
                gate(cmd, version, minimum, info);
                invoke(() -> {
                    switch (cmd) {
                        case CHECK -> plugin.check(request);
                        case GC -> plugin.gc(request);
                        default -> plugin.status(request);
                    }
                    return null;
                }, request);
                return null;
            }
            default -> throw new IllegalStateException(cmd.name());
        }
    }

    /** Go's CHECK/GC/STATUS gate: config version, then the first plugin version at or above it. */
    private static void gate(Command cmd, String version, String minimum, PluginInfo info) {
        try {
            if (!Version.greaterThanOrEqualTo(version, minimum)) {
                throw new CniException(ErrorCodes.INCOMPATIBLE_CNI_VERSION, "config version does not allow " + cmd.name());
            }
            for (String pluginVersion : info.supportedVersions()) {
                if (Version.greaterThanOrEqualTo(pluginVersion, version)) {
                    info.reconcile(version);
                    return;
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCodes.DECODING_FAILURE, e.getMessage());
        }
        throw new CniException(ErrorCodes.INCOMPATIBLE_CNI_VERSION, "plugin version does not allow " + cmd.name());
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws Exception;
    }

    private static <T> T invoke(Call<T> call, Request request) {
        try {
            return call.run();
        } catch (CniException e) {
            throw e;
        } catch (Exception | LinkageError | AssertionError e) {
            request.logger().log(System.Logger.Level.ERROR, request.command() + " failed", e);
            String msg = e.getMessage() == null || e.getMessage().isEmpty() ? e.toString() : e.getMessage();
            throw new CniException(ErrorCodes.INTERNAL, msg, "", e);
        }
    }

    /**
     * Go's netns-self guard, run before the ADD/DEL callback instead of after it, so that a plugin
     * pointed at its own namespace creates nothing (see docs/spec-decisions.md). Skipped when
     * {@code CNI_NETNS_OVERRIDE} is {@code 1} or {@code true}; an empty or unopenable netns passes.
     */
    private static void checkNetnsNotSelf(Request request) {
        String override = request.netnsOverride();
        if (override.equals("1") || override.toLowerCase(Locale.ROOT).equals("true") || request.netns().isEmpty()) {
            return;
        }
        Object[] target;
        try {
            target = fileId(request.resolvePath(request.netns()));
        } catch (IOException | RuntimeException e) {
            return;
        }
        Object[] own;
        try {
            own = fileId(Path.of("/proc/thread-self/ns/net"));
        } catch (IOException | RuntimeException e) {
            throw new CniException(ErrorCodes.INVALID_NETNS, "get plugin's netns failed");
        }
        if (target[0].equals(own[0]) && target[1].equals(own[1])) {
            throw new CniException(ErrorCodes.INVALID_NETNS, "plugin's netns and netns from CNI_NETNS should not be the same");
        }
    }

    private static Object[] fileId(Path p) throws IOException {
        return new Object[] {Files.getAttribute(p, "unix:dev"), Files.getAttribute(p, "unix:ino")};
    }

    /**
     * VERSION: the spec has the answer echo the input's {@code cniVersion}; Go's skel does not read
     * stdin and states its own version. jcni reads stdin unless it is a terminal, and echoes a
     * non-empty {@code cniVersion} from it; otherwise it states {@value SpecVersions#CURRENT}.
     */
    private static byte[] versionAnswer(Plugin plugin, InputStream stdin) {
        PluginInfo info = plugin.versionInfo();
        String echo = info.cniVersion();
        if (stdin != System.in || !stdinIsTerminal()) {
            try {
                byte[] data = stdin.readAllBytes();
                var node = Json.parse(data);
                if (node.isObject() && node.path("cniVersion").isTextual() && !node.get("cniVersion").textValue().isEmpty()) {
                    echo = node.get("cniVersion").textValue();
                }
            } catch (IOException | RuntimeException e) {
                // VERSION never fails on its input: state our own version
            }
        }
        return new PluginInfo(echo, info.supportedVersions()).toJson();
    }

    private static boolean stdinIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
