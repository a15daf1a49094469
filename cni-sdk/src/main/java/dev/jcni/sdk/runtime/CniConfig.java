package dev.jcni.sdk.runtime;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.invoke.Deadline;
import dev.jcni.sdk.invoke.Invoke;
import dev.jcni.sdk.invoke.InvokeArgs;
import dev.jcni.sdk.invoke.PluginException;
import dev.jcni.sdk.invoke.PluginExec;
import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.NetConfList;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.TraceContext;
import dev.jcni.sdk.types.Validators;
import dev.jcni.sdk.version.PluginInfo;
import dev.jcni.sdk.version.SpecVersions;
import dev.jcni.sdk.version.Version;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The runtime side of CNI (Go's {@code libcni.CNIConfig}): runs a network configuration list
 * against an attachment (ADD, CHECK, DEL), garbage-collects (GC), asks for readiness (STATUS),
 * validates, and keeps the result cache in libcni's on-disk format.
 *
 * <pre>{@code
 * CniConfig cni = CniConfig.create(List.of("/opt/cni/bin")).withTimeout(Duration.ofSeconds(30));
 * NetConfList net = ConfLoader.loadNetworkConf(ConfLoader.DEFAULT_DIR, "mynet");
 * RuntimeConf rt = RuntimeConf.of("c1", "/run/netns/c1", "eth0");
 * Result r = cni.addNetworkList(net, rt);
 * ...
 * cni.delNetworkList(net, rt);
 * }</pre>
 *
 * <p>Each plugin gets the list's {@code name} and negotiated {@code cniVersion}; for ADD, CHECK
 * and DEL also {@code runtimeConfig} (the capabilities the plugin enables ∩ the capability
 * arguments, when not empty) and {@code prevResult}, and {@code capabilities} is removed as the
 * spec asks. The configuration is written with sorted keys, as Go does.
 *
 * <p>Errors are {@link CniException}s: a plugin's failure is a {@link PluginException} keeping the
 * plugin's code, with the failing plugin named in front of its message for ADD, CHECK and DEL.
 * Where jcni differs from Go on purpose, the method says so (and docs/runtime.md lists it).
 *
 * <p>Immutable and thread-safe; it takes no lock: as the spec says, the caller must not run two
 * operations on the same attachment at once, nor anything during GC.
 */
public final class CniConfig {
    /** The default cache directory, {@code /var/lib/cni} (Go's {@code libcni.CacheDir}). */
    public static final Path DEFAULT_CACHE_DIR = Path.of("/var/lib/cni");

    private final List<String> path;
    private final Path cacheDir;
    private final Optional<Duration> timeout;
    private final Duration grace;
    private final PluginExec exec;
    private final System.Logger logger;
    private final Optional<TraceContext> trace;

    private CniConfig(List<String> path, Path cacheDir, Optional<Duration> timeout, Duration grace, PluginExec exec,
                      System.Logger logger, Optional<TraceContext> trace) {
        this.path = List.copyOf(path);
        this.cacheDir = cacheDir;
        this.timeout = timeout;
        this.grace = grace;
        this.exec = exec;
        this.logger = logger;
        this.trace = trace;
    }

    /**
     * @param path the directories plugins are looked up in ({@code CNI_PATH}), in order
     * @return a configuration using {@link #DEFAULT_CACHE_DIR}, without timeout
     */
    public static CniConfig create(List<String> path) {
        return new CniConfig(path, DEFAULT_CACHE_DIR, Optional.empty(), Deadline.DEFAULT_GRACE, PluginExec.create(), null, Optional.empty());
    }

    /**
     * @param dir the cache directory (results go to {@code <dir>/results})
     * @return a copy
     */
    public CniConfig withCacheDir(Path dir) {
        return new CniConfig(path, Objects.requireNonNull(dir, "dir"), timeout, grace, exec, logger, trace);
    }

    /**
     * Bounds every operation: an ADD, CHECK, DEL, GC, STATUS or validation (all its plugins
     * together) must be over within this time, or the running plugin's process tree is stopped
     * (SIGTERM, then SIGKILL after {@link #withKillGrace(Duration) the grace period}).
     *
     * @param newTimeout the time allowed to one operation
     * @return a copy
     */
    public CniConfig withTimeout(Duration newTimeout) {
        Deadline.after(newTimeout);
        return new CniConfig(path, cacheDir, Optional.of(newTimeout), grace, exec, logger, trace);
    }

    /**
     * @param newGrace time between SIGTERM and SIGKILL when an operation runs out of time
     * @return a copy
     */
    public CniConfig withKillGrace(Duration newGrace) {
        Deadline.none().withGrace(newGrace);
        return new CniConfig(path, cacheDir, timeout, newGrace, exec, logger, trace);
    }

    /**
     * @param newLogger where warnings (corrupt cache files...) and the plugins' stderr go
     * @return a copy
     */
    public CniConfig withLogger(System.Logger newLogger) {
        Objects.requireNonNull(newLogger, "logger");
        return new CniConfig(path, cacheDir, timeout, grace, exec.withLogger(newLogger), newLogger, trace);
    }

    /**
     * @param newExec the plugin runner (its deadline is replaced by this configuration's timeout)
     * @return a copy
     */
    public CniConfig withExec(PluginExec newExec) {
        PluginExec e = logger == null ? newExec : newExec.withLogger(logger);
        return new CniConfig(path, cacheDir, timeout, grace, e, logger, trace);
    }

    /**
     * The trace context of the operations run with the copy (libcni's, from the {@code context.Context}
     * of each call): every plugin they exec, VERSION probes included, gets {@code TRACEPARENT},
     * {@code TRACESTATE} and {@code BAGGAGE} in its environment in place of any the base
     * environment had; plugins pass them on to their delegates. Make a copy per call:
     * {@code cni.withTraceContext(Optional.of(ctx)).addNetworkList(list, rt)}. Empty: the plugins
     * get the base environment's variables, if any (as with libcni without a span).
     *
     * @param newTrace the call's trace context, or empty
     * @return a copy
     */
    public CniConfig withTraceContext(Optional<TraceContext> newTrace) {
        return new CniConfig(path, cacheDir, timeout, grace, exec, logger, Objects.requireNonNull(newTrace, "trace"));
    }

    /** @return the trace context given to the plugins, or empty */
    public Optional<TraceContext> traceContext() {
        return trace;
    }

    /** @return the plugin search path */
    public List<String> path() {
        return path;
    }

    /** @return the cache directory */
    public Path cacheDir() {
        return cacheDir;
    }

    private System.Logger log() {
        return logger != null ? logger : System.getLogger("dev.jcni.sdk.runtime");
    }

    private PluginExec runner() {
        return exec.withDeadline(timeout.map(t -> Deadline.after(t).withGrace(grace)).orElse(Deadline.none().withGrace(grace)));
    }

    private ResultCache cache() {
        return new ResultCache(cacheDir);
    }

    // ------------------------------------------------------------------- ADD

    /**
     * ADD: runs the plugins in order, each getting the previous one's result as {@code prevResult},
     * stops at the first error, and caches the last result. Container id, network name and
     * interface name are validated (Go's rules) before a plugin runs. Nothing is cached on failure,
     * and no DEL is run: that is the caller's job, as with Go.
     *
     * @param list the network
     * @param rt the attachment
     * @return the last plugin's result, in the version it answered
     * @throws CniException {@code plugin type="<t>"[ name="<n>"] failed (add): <error>} keeping the plugin's
     *     code; code 5 {@code failed to set network "<n>" cached result: ...}
     */
    public Result addNetworkList(NetConfList list, RuntimeConf rt) {
        PluginExec run = runner();
        requirePlugins(list);
        Result result = null;
        for (NetConf plugin : list.plugins()) {
            String prefix = "plugin " + describe(plugin) + " failed (add): ";
            try {
                Path binary = Invoke.findInPath(plugin.type(), path);
                Validators.validateContainerId(rt.containerId());
                Validators.validateNetworkName(list.name());
                Validators.validateInterfaceName(rt.ifName());
                byte[] conf = attachmentConfig(list, plugin, Optional.ofNullable(result), rt);
                result = run.execPluginWithResult(binary, conf, env("ADD", rt));
            } catch (CniException e) {
                throw withContext(e, prefix);
            }
        }
        try {
            cache().write(list.name(), rt, list.bytes(), result);
        } catch (IOException | RuntimeException e) {
            throw new CniException(ErrorCodes.IO_FAILURE, "failed to set network " + GoText.quote(list.name())
                    + " cached result: " + e.getMessage(), "", e);
        }
        return result;
    }

    // ----------------------------------------------------------------- CHECK

    /**
     * CHECK: runs the plugins in order with the cached ADD result as {@code prevResult}, and stops at
     * the first error. Does nothing when {@code disableCheck} is set; lists below 0.4.0 cannot be
     * checked (checked before {@code disableCheck}, as Go). Beyond Go (cni#1055): an empty, truncated
     * or corrupt cache file counts as no cache, with a warning; the error names the plugin, as ADD's.
     *
     * @param list the network
     * @param rt the attachment, as given to ADD
     * @throws CniException code 1 {@code configuration version "<v>" does not support the CHECK command};
     *     {@code plugin type="<t>" failed (check): <error>} keeping the plugin's code
     */
    public void checkNetworkList(NetConfList list, RuntimeConf rt) {
        if (!atLeast(list.cniVersion(), "0.4.0", true)) {
            throw new CniException(ErrorCodes.INCOMPATIBLE_CNI_VERSION, "configuration version "
                    + GoText.quote(list.cniVersion()) + " does not support the CHECK command");
        }
        if (list.disableCheck()) {
            return;
        }
        PluginExec run = runner();
        requirePlugins(list);
        Optional<Result> cached;
        try {
            cached = cachedResult(list, rt, "CHECK");
        } catch (CniException e) {
            throw new CniException(e.code(), "failed to get network " + GoText.quote(list.name()) + " cached result: "
                    + e.msg(), e.details(), e);
        }
        for (NetConf plugin : list.plugins()) {
            try {
                Path binary = Invoke.findInPath(plugin.type(), path);
                run.execPluginWithoutResult(binary, attachmentConfig(list, plugin, cached, rt), env("CHECK", rt));
            } catch (CniException e) {
                throw withContext(e, "plugin " + describe(plugin) + " failed (check): ");
            }
        }
    }

    // ------------------------------------------------------------------- DEL

    /**
     * DEL: runs the plugins in reverse order, each with the cached ADD result (converted to the list's
     * version) as {@code prevResult} when the list is 0.4.0 or later, and removes the cache entry. A
     * cache that is missing, corrupt or cannot be converted does not stop a DEL: the plugins run
     * without {@code prevResult}. The first error stops the DEL and keeps the cache, so it can be
     * retried. DEL of something already deleted succeeds.
     *
     * @param list the network
     * @param rt the attachment, as given to ADD
     * @throws CniException {@code plugin type="<t>" failed (delete): <error>} keeping the plugin's code
     */
    public void delNetworkList(NetConfList list, RuntimeConf rt) {
        delNetworkList(list, rt, runner());
    }

    private void delNetworkList(NetConfList list, RuntimeConf rt, PluginExec run) {
        requirePlugins(list);
        Optional<Result> cached = Optional.empty();
        if (atLeast(list.cniVersion(), "0.4.0", true)) {
            try {
                cached = cachedResult(list, rt, "DEL");
            } catch (CniException | IllegalArgumentException e) {
                log().log(System.Logger.Level.WARNING, "DEL of " + list.name() + "/" + rt.containerId() + "/" + rt.ifName()
                        + " without prevResult: " + e.getMessage());
            }
        }
        List<NetConf> plugins = list.plugins();
        for (int i = plugins.size() - 1; i >= 0; i--) {
            NetConf plugin = plugins.get(i);
            try {
                Path binary = Invoke.findInPath(plugin.type(), path);
                run.execPluginWithoutResult(binary, attachmentConfig(list, plugin, cached, rt), env("DEL", rt));
            } catch (CniException e) {
                throw withContext(e, "plugin " + describe(plugin) + " failed (delete): ");
            }
        }
        try {
            cache().delete(list.name(), rt);
        } catch (IOException e) {
            log().log(System.Logger.Level.WARNING, "cannot remove the cache entry of " + list.name() + "/"
                    + rt.containerId() + "/" + rt.ifName() + ": " + e.getMessage());
        }
    }

    // -------------------------------------------------------------------- GC

    /**
     * GC with no list of valid attachments (Go's {@code GCNetworkList(ctx, list, nil)}, what cnitool
     * does): every cached attachment of the network is DELeted, and the GC verb is sent without
     * {@code cni.dev/valid-attachments}.
     *
     * @param list the network
     * @throws CniException with every error, as {@link #gcNetworkList(NetConfList, List)}
     */
    public void gcNetworkList(NetConfList list) {
        gc(list, Optional.empty());
    }

    /**
     * GC: DELs every cached attachment of this network that is not in {@code validAttachments} (with
     * the current list and the attachment's cached runtime configuration), then, for lists of 1.1.0
     * or later, sends GC to every plugin with {@code cni.dev/valid-attachments} and its legacy name
     * {@code cni.dev/attachments} (cni#1101). Does nothing when {@code disableGC} is set. Continues
     * past errors and throws them together at the end. Beyond Go: a cache directory that cannot be
     * listed is an error (Go returns success without doing anything).
     *
     * @param list the network
     * @param validAttachments the attachments still in use, on any network
     * @throws CniException the errors, one per line ({@code failed to delete stale attachment <cid> <if>: ...},
     *     {@code failed to GC plugin <type>: ...}); the code is the first error's; each error is also a
     *     suppressed exception
     */
    public void gcNetworkList(NetConfList list, List<Attachment> validAttachments) {
        gc(list, Optional.of(List.copyOf(validAttachments)));
    }

    private void gc(NetConfList list, Optional<List<Attachment>> valid) {
        if (list.disableGC()) {
            return;
        }
        PluginExec run = runner();
        List<CniException> errors = new ArrayList<>();
        List<NetworkAttachment> cached = List.of();
        try {
            cached = cache().list("");
        } catch (IOException e) {
            errors.add(new CniException(ErrorCodes.IO_FAILURE, "failed to list cached attachments in " + cache().resultsDir()
                    + ": " + e.getMessage(), "", e));
        }
        Set<Attachment> keep = new HashSet<>(valid.orElse(List.of()));
        for (NetworkAttachment a : cached) {
            if (!a.network().equals(list.name()) || keep.contains(new Attachment(a.containerId(), a.ifName()))) {
                continue;
            }
            try {
                delNetworkList(list, a.runtimeConf(), run);
            } catch (CniException e) {
                errors.add(withContext(e, "failed to delete stale attachment " + a.containerId() + " " + a.ifName() + ": "));
            }
        }
        if (atLeast(list.cniVersion(), "1.1.0", false)) {
            for (NetConf plugin : list.plugins()) {
                try {
                    NetConf conf = plugin.with("name", list.name()).with("cniVersion", list.cniVersion());
                    if (valid.isPresent()) {
                        List<Map<String, String>> json = new ArrayList<>();
                        for (Attachment a : valid.get()) {
                            Map<String, String> m = new LinkedHashMap<>();
                            m.put("containerID", a.containerId());
                            m.put("ifname", a.ifname());
                            json.add(m);
                        }
                        conf = conf.with(NetConf.VALID_ATTACHMENTS, json).with(NetConf.LEGACY_ATTACHMENTS, json);
                    }
                    Path binary = Invoke.findInPath(plugin.type(), path);
                    run.execPluginWithoutResult(binary, conf.toSortedJson(), env("GC", RuntimeConf.of("", "", "")));
                } catch (CniException e) {
                    errors.add(withContext(e, "failed to GC plugin " + plugin.type() + ": "));
                }
            }
        }
        throwJoined(errors);
    }

    // ---------------------------------------------------------------- STATUS

    /**
     * STATUS: asks each plugin in order whether it is ready to service ADD (lists of 1.1.0 or later;
     * below that, success without asking). The first error is thrown as the plugin gave it, so its
     * code (50, 51...) and message are the plugin's; later plugins are not asked.
     *
     * @param list the network
     * @throws CniException the first plugin error, unchanged
     */
    public void getStatusNetworkList(NetConfList list) {
        if (!atLeast(list.cniVersion(), "1.1.0", false)) {
            return;
        }
        PluginExec run = runner();
        for (NetConf plugin : list.plugins()) {
            NetConf conf = plugin.with("name", list.name()).with("cniVersion", list.cniVersion());
            Path binary = Invoke.findInPath(plugin.type(), path);
            run.execPluginWithoutResult(binary, conf.toSortedJson(), env("STATUS", RuntimeConf.of("", "", "")));
        }
    }

    // -------------------------------------------------------------- VALIDATE

    /**
     * Validates a network: every plugin is found, answers VERSION, and supports the list's version
     * (matched exactly; "" counts as 0.1.0).
     *
     * @param list the network
     * @return the capabilities enabled by any plugin, sorted
     * @throws CniException all errors, Go-style {@code [err1 err2]}; the code is the first error's
     */
    public Set<String> validateNetworkList(NetConfList list) {
        PluginExec run = runner();
        String version = list.cniVersion().isEmpty() ? SpecVersions.DEFAULT : list.cniVersion();
        List<CniException> errors = new ArrayList<>();
        Set<String> caps = new TreeSet<>();
        for (NetConf plugin : list.plugins()) {
            try {
                PluginInfo info = traced(() -> run.getVersionInfo(Invoke.findInPath(plugin.type(), path)));
                if (!info.supportedVersions().contains(version)) {
                    throw new CniException(ErrorCodes.INCOMPATIBLE_CNI_VERSION, "plugin " + plugin.type()
                            + " does not support config version " + GoText.quote(version));
                }
            } catch (CniException e) {
                errors.add(e);
            }
            plugin.capabilities().forEach((k, on) -> {
                if (on) {
                    caps.add(k);
                }
            });
        }
        if (!errors.isEmpty()) {
            List<String> msgs = errors.stream().map(CniException::getMessage).toList();
            CniException e = new CniException(errors.get(0).code(), GoText.list(msgs), "", errors.get(0));
            errors.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        return Collections.unmodifiableSet(caps);
    }

    /**
     * The VERSION answer of one plugin (Go's {@code CNIConfig.GetVersionInfo}).
     *
     * @param pluginType the plugin's type
     * @return the versions it supports
     * @throws PluginException when it is not found or fails
     */
    public PluginInfo getVersionInfo(String pluginType) {
        return traced(() -> runner().getVersionInfo(Invoke.findInPath(pluginType, path)));
    }

    // ----------------------------------------------------------------- cache

    /**
     * The attachments in the result cache, in file name order.
     *
     * @return every attachment
     * @throws CniException code 5 when the cache directory cannot be read
     */
    public List<NetworkAttachment> getCachedAttachments() {
        return getCachedAttachments("");
    }

    /**
     * The attachments of one container in the result cache (Go's {@code GetCachedAttachments}).
     *
     * @param containerId the container id; "" for all
     * @return the attachments, in file name order
     * @throws CniException code 5 when the cache directory cannot be read
     */
    public List<NetworkAttachment> getCachedAttachments(String containerId) {
        try {
            return cache().list(containerId);
        } catch (IOException e) {
            throw new CniException(ErrorCodes.IO_FAILURE, "cannot list " + cache().resultsDir() + ": " + e.getMessage(), "", e);
        }
    }

    /**
     * The cached result of an ADD, converted to the list's version (Go's
     * {@code GetNetworkListCachedResult}). A corrupt cache file counts as none, with a warning.
     *
     * @param list the network
     * @param rt the attachment
     * @return the result, or empty when there is none
     * @throws CniException when the cached result cannot be converted to the list's version
     */
    public Optional<Result> getNetworkListCachedResult(NetConfList list, RuntimeConf rt) {
        return cachedResult(list, rt, "read");
    }

    /**
     * The cached details of an ADD (Go's {@code GetNetworkListCachedConfig}): the configuration list
     * as it was, and the {@code CNI_ARGS} and capability arguments it was given.
     *
     * @param list the network
     * @param rt the attachment (container id and interface name are used)
     * @return the attachment, or empty when there is no cniCacheV1 entry
     */
    public Optional<NetworkAttachment> getNetworkListCachedConfig(NetConfList list, RuntimeConf rt) {
        if (!ResultCache.isPlainName(list.name(), rt.containerId(), rt.ifName())) {
            return Optional.empty(); // no entry can have such a name, and no other file is read in its place
        }
        return cache().readAttachment(cache().file(list.name(), rt.containerId(), rt.ifName()));
    }

    // ------------------------------------------------------------- internals

    private Optional<Result> cachedResult(NetConfList list, RuntimeConf rt, String forWhat) {
        ResultCache.Read read;
        try {
            read = cache().read(list.name(), rt);
        } catch (IllegalArgumentException e) {
            throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, e.getMessage());
        }
        if (read instanceof ResultCache.Read.Found found) {
            try {
                return Optional.of(found.result().convertTo(list.cniVersion()));
            } catch (CniException e) {
                throw new CniException(e.code(), "failed to convert cached result to config version "
                        + GoText.quote(list.cniVersion()) + ": " + e.msg(), e.details(), e);
            }
        }
        if (read instanceof ResultCache.Read.Corrupt corrupt) {
            log().log(System.Logger.Level.WARNING, corrupt.reason() + "; " + forWhat + " goes on as if there were no cache");
        }
        return Optional.empty();
    }

    /** The configuration one plugin gets for ADD, CHECK and DEL (cni-spec.md §3.4). */
    static byte[] attachmentConfig(NetConfList list, NetConf plugin, Optional<Result> prevResult, RuntimeConf rt) {
        NetConf conf = plugin.with("name", list.name()).with("cniVersion", list.cniVersion());
        if (prevResult.isPresent()) {
            conf = conf.withPrevResult(prevResult.get());
        }
        Map<String, Object> runtimeConfig = new LinkedHashMap<>();
        plugin.capabilities().forEach((capability, enabled) -> {
            if (enabled && rt.capabilityArgs().containsKey(capability)) {
                runtimeConfig.put(capability, rt.capabilityArgs().get(capability));
            }
        });
        if (!runtimeConfig.isEmpty()) {
            conf = conf.with("runtimeConfig", runtimeConfig);
        }
        if (conf.keys().contains("capabilities")) {
            conf = conf.without("capabilities");
        }
        return conf.toSortedJson();
    }

    private Map<String, String> env(String command, RuntimeConf rt) {
        return new InvokeArgs(command, rt.containerId(), rt.netns(), rt.args(), rt.ifName(), path).asEnv(baseEnv());
    }

    /** The environment plugins start from: the caller's, with this configuration's trace context. */
    private Map<String, String> baseEnv() {
        Map<String, String> base = CallContext.env();
        if (trace.isEmpty()) {
            return base;
        }
        Map<String, String> env = new LinkedHashMap<>(base);
        env.remove(TraceContext.TRACEPARENT);
        env.remove(TraceContext.TRACESTATE);
        env.remove(TraceContext.BAGGAGE);
        env.putAll(trace.get().asEnv());
        return env;
    }

    /** Runs a VERSION probe (which starts from the call's environment) with the trace context. */
    private <T> T traced(java.util.function.Supplier<T> body) {
        return trace.isEmpty() ? body.get() : CallContext.withEnv(baseEnv(), body);
    }

    private static void requirePlugins(NetConfList list) {
        if (list.plugins().isEmpty()) {
            throw new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, "no plugin configs found");
        }
    }

    /** Go's {@code pluginDescription}: {@code type="bridge"} and {@code name="..."} when the plugin has one. */
    private static String describe(NetConf plugin) {
        String out = "type=" + GoText.quote(plugin.type());
        if (!plugin.name().isEmpty()) {
            out += " name=" + GoText.quote(plugin.name());
        }
        return out;
    }

    private static CniException withContext(CniException e, String prefix) {
        if (e instanceof PluginException p) {
            return p.withContext(prefix);
        }
        return new CniException(e.code(), prefix + e.msg(), e.details(), e);
    }

    /**
     * {@code version >= minimum}. An unparsable version is an error when {@code strict} (CHECK, DEL:
     * Go returns the parse error), and counts as "below" otherwise (GC, STATUS: Go ignores it).
     */
    private static boolean atLeast(String version, String minimum, boolean strict) {
        try {
            return Version.greaterThanOrEqualTo(version, minimum);
        } catch (IllegalArgumentException e) {
            if (strict) {
                throw new CniException(ErrorCodes.DECODING_FAILURE, e.getMessage());
            }
            return false;
        }
    }

    private static void throwJoined(List<CniException> errors) {
        if (errors.isEmpty()) {
            return;
        }
        if (errors.size() == 1) {
            throw errors.get(0);
        }
        String joined = String.join("\n", errors.stream().map(CniException::getMessage).toList());
        CniException e = new CniException(errors.get(0).code(), joined, "", errors.get(0));
        errors.stream().skip(1).forEach(e::addSuppressed);
        throw e;
    }
}
