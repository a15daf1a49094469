package dev.jcni.sdk.warm;

import dev.jcni.sdk.internal.GoText;
import dev.jcni.sdk.internal.PeerProcesses;
import dev.jcni.sdk.internal.PluginLoader;
import dev.jcni.sdk.internal.PluginLog;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The warm-mode daemon: one JVM per node that serves the calls of every plugin of a jcni
 * distribution, handed over by {@code jcni-shim} through {@code /run/jcni/<dist name>.sock}.
 *
 * <pre>
 * jcni-daemon [--dist &lt;lib/jcni-dist.properties&gt;] [--socket &lt;path&gt;] [--max-calls N]
 *             [--max-sessions N] [--turn-timeout SECONDS] [--drain-timeout SECONDS]
 *             [--metrics-listen 127.0.0.1:PORT] [--metrics-textfile PATH]
 *             [--cgroup PATH] [--rlimit NAME=SOFT[:HARD]]...
 * jcni daemon ... (the same, through the CLI)
 * </pre>
 *
 * {@code --cgroup} and {@code --rlimit} place the daemon before it reads its own facts
 * ({@link Placement}): in a cgroup and with limits its callers have at least (podman's, say).
 *
 * Its {@linkplain Metrics metrics} are served on {@code <socket>.metrics.sock} and, on request, on
 * a loopback HTTP listener or in a text file ({@link MetricsEndpoint}).
 *
 * {@code --dist} defaults to {@code jcni-dist.properties} in the directory the system property
 * {@value #DIST_LIB_PROPERTY} names, which the packager's launcher {@code lib/jcni-daemon} sets.
 *
 * <h2>What it serves, and what it refuses</h2>
 * The daemon learns who calls from the kernel, not from the request: the uid, pid and a pidfd of the
 * process that connected (SO_PEERCRED, SO_PEERPIDFD; a {@link PeerProcesses} provider, which
 * cni-sdk-netlink's native library is: without one, every call is refused). A call is served only
 * when that process is root and {@code /proc/<pid>} shows it has everything the daemon would lend it
 * ({@link ProcessFacts#lackOf}: the same namespaces, root directory and umask, no fewer
 * capabilities, no no_new_privs, the daemon's seccomp state, ids, groups, cgroup subtree, limits,
 * oom_score_adj and LSM label), when the pidfd shows it is still that process after the reading,
 * when what the request says of it (pid, namespaces, root, umask, working directory) is true, when
 * it names this dist's id and one of its plugins, and when its environment sets none of
 * {@link #JVM_SETTINGS} (settings only a JVM of its own can honour). Anything else is refused before
 * it starts, and the shim runs the call cold: refusing is always safe. The caller is told which
 * request check failed, but of its process only that it differs ({@link #NOT_LIKE_THE_DAEMON}); the
 * daemon's log (info) says how.
 *
 * <h2>Threads</h2>
 * Worker threads (platform threads) take turns in {@code accept}: the one that gets a connection
 * serves it start to end on itself: reads the request, waits for the call's turn, runs
 * {@link PluginMain#execute} with the caller's environment and working directory, writes the
 * outcome; one more worker is started whenever none is left waiting in {@code accept}, so
 * connections are always taken, and workers beyond {@code --max-calls} idle ones (at least 4) end;
 * that many are started with the daemon, so a burst of calls is accepted at once. A call has its thread to
 * itself, and the thread serves another call only if it is still what it was before (same network,
 * mount, UTS and IPC namespaces and working directory, not retired; see {@link ThreadState});
 * otherwise it ends. So a namespace switch never reaches another call, and no thread is created
 * or handed a call on the way of a call (each hand-over costs a scheduler wake-up, which on a
 * loaded node costs more than the call).
 * Turns: at most {@code --max-calls} calls run at once (default 4 per core), and calls for the same
 * plugin, container id and interface run one after the other, so that a DEL that follows a call
 * abandoned by its (killed) caller runs after it, never beside it. A call made by a plugin this
 * daemon is running (a delegate exec'd through its launcher) skips both waits, so delegation
 * cannot deadlock. A call waits for its turn at most {@code --turn-timeout} (default 10 s), telling
 * the shim every 100 ms that it waits ({@link Wire#WAIT}): a call that found no permit by then is
 * refused (it runs cold); one whose container's earlier call still runs is answered with error 11
 * "try again later" (a cold run would run beside that call). Then the daemon offers the start
 * ({@link Wire#TURN}) and runs the call only after the shim's go-ahead ({@link Wire#GO}).
 *
 * <h2>Bounds</h2>
 * A timer thread sweeps the connections every 250 ms: it interrupts the calls, waiting or running,
 * whose caller is gone, and closes the connections that took more than
 * {@value #REQUEST_TIMEOUT_MILLIS} ms to send their request or more than {@value #GO_TIMEOUT_MILLIS}
 * ms to answer a {@link Wire#TURN}. Request bodies in flight (read, waiting or running) hold at most
 * {@value #REQUEST_BUDGET} bytes together; a request that does not fit is refused at once, unread
 * (it runs cold). A failing {@code accept} is retried after a pause that doubles up to 1 s.
 *
 * <h2>Faults</h2>
 * A caller that goes away mid-call gets its call interrupted (the SDK's process starts stop their
 * children). A thread that cannot return to its network namespace is retired (the netns restore
 * policy is set to {@code retire}): the call fails with an error JSON and the thread serves nothing
 * again. SIGTERM: stop accepting, remove the socket (new calls go cold), finish the calls already
 * accepted (up to {@code --drain-timeout}), exit 0.
 */
public final class Daemon implements AutoCloseable {
    /** The system property that sets dev.jcni.netns.NetNs's restore-failure policy. */
    static final String NETNS_POLICY_PROPERTY = "jcni.netns.restoreFailure";
    /** Set by the launchers to the distribution's lib directory: the default of {@code --dist}. */
    static final String DIST_LIB_PROPERTY = "jcni.dist.lib";
    /** How long a connection may take to send its request. */
    static final long REQUEST_TIMEOUT_MILLIS = 5_000;
    /** How long the shim may take to answer a {@link Wire#TURN} (it answers at once). */
    static final long GO_TIMEOUT_MILLIS = 2_000;
    /**
     * The request bytes all connections may hold at once: two largest requests (a call needs
     * several times its request's size of heap: the stdin the skel reads, the parsed
     * configuration; against the daemon's -Xmx96m, that leaves room for the rest).
     */
    static final int REQUEST_BUDGET = 2 * Wire.MAX_REQUEST;
    /** The longest pause after failing accepts. */
    static final long MAX_ACCEPT_PAUSE_MILLIS = 1_000;

    private final DistFile dist;
    private final Rendezvous rendezvous;
    private final PluginLog log;
    private final Semaphore permits;
    private final Semaphore requestBytes = new Semaphore(REQUEST_BUDGET);
    private final Duration turnTimeout;
    private final int maxSessions;
    private final int maxCalls;
    private final Duration drainTimeout;
    private final KeyedLocks containerLocks = new KeyedLocks();
    private final AtomicInteger workers = new AtomicInteger();
    private final AtomicInteger idle = new AtomicInteger();
    /** Connections being served; guarded for waiting by itself. */
    private final AtomicInteger busy = new AtomicInteger();
    private final int maxIdle;
    private final AtomicLong callNumbers = new AtomicLong();
    private final AtomicLong served = new AtomicLong();
    private final InFlight inFlight = new InFlight();
    private final ScheduledExecutorService timer;
    private final ProcessFacts own;
    /** The namespace kinds the daemon has, read of each caller. */
    private final List<String> ownKinds;
    private final List<Wire.FileId> ownIds;
    private final Optional<PeerProcesses> peers;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Metrics metrics;
    private volatile Optional<MetricsEndpoint> metricsEndpoint = Optional.empty();
    private volatile boolean stopping;

    /**
     * Options.
     *
     * @param distFile lib/jcni-dist.properties
     * @param socket the socket, empty for /run/jcni/&lt;dist name&gt;.sock
     * @param maxCalls calls running at once
     * @param maxSessions connections at once (waiting or running), so worker threads at most; more are refused (they go cold)
     * @param turnTimeout how long a call may wait for its turn
     * @param drainTimeout how long a stop waits for calls in flight
     */
    record Options(Path distFile, Optional<Path> socket, int maxCalls, int maxSessions, Duration turnTimeout,
                   Duration drainTimeout) {
    }

    private Daemon(Options options, DistFile dist, Rendezvous rendezvous, PluginLog log, ProcessFacts own,
                   List<Wire.FileId> ownIds, Optional<PeerProcesses> peers) {
        this.dist = dist;
        this.peers = peers;
        this.rendezvous = rendezvous;
        this.log = log;
        this.own = own;
        this.ownKinds = List.copyOf(own.namespaces().keySet());
        this.ownIds = ownIds;
        this.permits = new Semaphore(options.maxCalls());
        this.maxSessions = options.maxSessions();
        this.maxCalls = options.maxCalls();
        this.drainTimeout = options.drainTimeout();
        this.turnTimeout = options.turnTimeout();
        this.maxIdle = Math.max(4, options.maxCalls());
        this.metrics = new Metrics(dist.name(), dist.id(), workers::get);
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> daemonThread(r, "jcni-timer"));
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * The daemon's main, for {@code lib/jcni-daemon}: runs until SIGTERM.
     *
     * @param args {@code [--dist <path>] [--socket <path>] ...}
     */
    public static void main(String[] args) {
        int status = run(args, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the daemon until the JVM is asked to stop (SIGTERM, SIGINT); then stops gracefully.
     *
     * @param args the command line
     * @param err where usage errors go
     * @return the exit status: 0 after a graceful stop, 1 when it cannot start, 2 on a usage error
     */
    public static int run(String[] args, PrintStream err) {
        Options options;
        MetricsEndpoint.Extra metricsExtra;
        Placement placement;
        try {
            List<String> rest = new ArrayList<>();
            metricsExtra = MetricsEndpoint.extract(args, rest);
            List<String> others = new ArrayList<>();
            placement = Placement.extract(rest.toArray(String[]::new), others);
            options = parse(others.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            err.println("jcni daemon: " + e.getMessage());
            err.println("usage: jcni daemon [--dist <lib/jcni-dist.properties>] [--socket <path>] [--max-calls N]"
                    + " [--max-sessions N] [--turn-timeout SECONDS] [--drain-timeout SECONDS]"
                    + " [--metrics-listen 127.0.0.1:PORT] [--metrics-textfile PATH] [--cgroup PATH] [--rlimit NAME=SOFT[:HARD]]...");
            return 2;
        }
        Daemon d;
        try {
            // before start reads the daemon's own facts, which its callers are compared with
            String placed = placement.apply();
            d = start(options);
            if (!placed.isEmpty()) {
                d.log.log(Level.INFO, placed);
            }
            try {
                d.metricsEndpoint.orElseThrow().startExtra(metricsExtra, d.timer);
            } catch (IOException | RuntimeException e) {
                d.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            err.println("jcni daemon: cannot start: " + e.getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(d::close, "jcni-stop"));
        try {
            d.stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        d.close();
        return 0;
    }

    static Options parse(String[] args) {
        Path distFile = null;
        Path socket = null;
        int cores = Runtime.getRuntime().availableProcessors();
        int maxCalls = Math.max(4, 4 * cores);
        int maxSessions = 512;
        Duration turn = Duration.ofSeconds(10);
        Duration drain = Duration.ofSeconds(60);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--dist" -> distFile = Path.of(need(a, v));
                case "--socket" -> socket = Path.of(need(a, v));
                case "--max-calls" -> maxCalls = positive(a, need(a, v));
                case "--max-sessions" -> maxSessions = positive(a, need(a, v));
                case "--turn-timeout" -> turn = Duration.ofSeconds(positive(a, need(a, v)));
                case "--drain-timeout" -> drain = Duration.ofSeconds(positive(a, need(a, v)));
                default -> throw new IllegalArgumentException("unknown argument: " + a);
            }
            i++;
        }
        if (distFile == null) {
            // lib/jcni-daemon (the packager's launcher) names its lib directory
            String lib = System.getProperty(DIST_LIB_PROPERTY, "");
            if (lib.isEmpty()) {
                throw new IllegalArgumentException("--dist is required (or -D" + DIST_LIB_PROPERTY + "=<lib dir>)");
            }
            distFile = Path.of(lib, "jcni-dist.properties");
        }
        return new Options(distFile, Optional.ofNullable(socket), maxCalls, Math.max(maxSessions, maxCalls), turn, drain);
    }

    private static String need(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(option + " needs a positive number, got " + value);
    }

    /**
     * Starts a daemon: reads the dist file, loads and warms every plugin, binds the socket and
     * accepts calls on a thread of its own.
     *
     * @param options the options
     * @return the running daemon; {@link #close()} stops it
     * @throws IOException when the dist file cannot be read or the socket cannot be bound safely
     */
    static Daemon start(Options options) throws IOException {
        PluginLog log = new PluginLog("jcni-daemon", System.err, PluginLog.parseLevel(
                System.getenv().getOrDefault(PluginLog.LOG_LEVEL_ENV, ""), System.Logger.Level.INFO)).withFormatOf(System.getenv());
        if (!"0".equals(String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid")))) {
            throw new IOException("the daemon must run as root");
        }
        DistFile dist = DistFile.read(options.distFile());
        if (System.getProperty(NETNS_POLICY_PROPERTY) == null) {
            System.setProperty(NETNS_POLICY_PROPERTY, "retire");
        }
        CallStreams.install();
        long self = ProcessHandle.current().pid();
        ProcessFacts own = ProcessFacts.of(self, ProcessFacts.namespaceKinds(self));
        Optional<PeerProcesses> peers = PeerProcesses.find();
        if (peers.isEmpty()) {
            log.log(Level.WARNING, "jcni's native library (cni-sdk-netlink) is not on the class path: the daemon cannot"
                    + " learn its callers from the kernel and refuses every call (they run cold)");
        } else {
            try {
                peers.get().load();
            } catch (IOException e) {
                log.log(Level.WARNING, "jcni's native library does not load (" + e.getMessage() + "): the daemon cannot"
                        + " learn its callers from the kernel and refuses every call (they run cold)");
                peers = Optional.empty();
            }
        }
        List<String> loaded = warmUp(dist, log);
        warmUpCalls(dist, options.distFile().toAbsolutePath().getParent().resolve("training"), log);
        List<Wire.FileId> ownIds = ProcessFacts.ownIds();
        long checks = warmUpChecks(dist, own, ownIds);
        log.log(Level.DEBUG, "the hand-over's checks ran " + checks + " times at start (JIT warm-up)");
        Rendezvous rv = Rendezvous.open(options.socket().orElse(Rendezvous.defaultSocket(dist.name())), 512);
        Daemon d = new Daemon(options, dist, rv, log, own, ownIds, peers);
        try {
            d.metricsEndpoint = Optional.of(MetricsEndpoint.open(rv.socket(), d.metrics::render, log, peers));
        } catch (IOException e) {
            rv.close();
            throw new IOException("cannot bind the metrics socket: " + e.getMessage(), e);
        }
        // a burst of calls finds a worker waiting in accept for each call that may run at once,
        // instead of a chain of thread starts, one per connection
        for (int i = 0; i < d.maxIdle; i++) {
            d.startWorker();
        }
        d.timer.scheduleWithFixedDelay(d::sweep, 250, 250, TimeUnit.MILLISECONDS);
        log.log(Level.INFO, "serving dist " + dist.name() + " (id " + dist.id() + ") on " + rv.socket() + ": "
                + String.join(", ", loaded) + "; at most " + options.maxCalls() + " calls at once");
        return d;
    }

    /** How often {@link #warmUpChecks} runs the checks at most. */
    static final int WARM_UP_CHECKS = 1_500;
    /** How long {@link #warmUpChecks} runs them at most. */
    static final long WARM_UP_CHECKS_NANOS = 3_000_000_000L;

    /**
     * Runs the checks every call goes through (the request's, and the caller's {@code /proc} facts
     * against the daemon's, here on the daemon itself) until the JIT has compiled them: a node
     * makes few calls, and interpreted, these checks cost a call 2-3 ms instead of a fraction of one
     * (bench/compare.sh --phases). Bounded by {@link #WARM_UP_CHECKS} runs and 3 s.
     *
     * @param dist the distribution (its id and a plugin name for the request)
     * @param own the daemon's facts
     * @param ownIds the daemon's namespaces and root, as a request names them
     * @return how many times they ran
     */
    static long warmUpChecks(DistFile dist, ProcessFacts own, List<Wire.FileId> ownIds) {
        long self = ProcessHandle.current().pid();
        List<String> kinds = own.namespaces().keySet().stream().toList();
        String plugin = dist.plugins().keySet().stream().findFirst().orElse("");
        Wire.Request req = new Wire.Request((int) self, own.umask(), ownIds.get(0), ownIds.get(1), ownIds.get(2), ownIds.get(3),
                dist.id(), plugin, "/", List.of(), List.of("CNI_COMMAND=VERSION", "PATH=/usr/bin:/bin", "CNI_IFNAME=eth0"),
                java.nio.ByteBuffer.allocate(0));
        long end = System.nanoTime() + WARM_UP_CHECKS_NANOS;
        int n = 0;
        try {
            while (n < WARM_UP_CHECKS && System.nanoTime() - end < 0) {
                ProcessFacts f = ProcessFacts.of(self, kinds);
                f.lackOf(own);
                f.saidBy(req, self, ownIds);
                req.envMap();
                n++;
            }
        } catch (IOException | RuntimeException e) {
            // only a warm-up: the calls run the checks anyway
        }
        return n;
    }

    /** How many rounds of a plugin's samples {@link CallWarmUp} runs at most. */
    static final int WARM_UP_ROUNDS = 300;
    /** How long {@link CallWarmUp} runs a plugin's samples at most. */
    static final long WARM_UP_CALLS_NANOS = 2_000_000_000L;

    /**
     * Runs the real calls of the plugins that allow it ({@link CallWarmUp}) until the JIT has compiled
     * their path, each bounded by {@link #WARM_UP_ROUNDS} rounds and 2 s.
     */
    private static void warmUpCalls(DistFile dist, Path trainingDir, PluginLog log) {
        for (Map.Entry<String, String> p : dist.plugins().entrySet()) {
            long start = System.nanoTime();
            try {
                int rounds = CallWarmUp.run(trainingDir.resolve(p.getKey() + ".json"), p.getValue(), WARM_UP_ROUNDS,
                        WARM_UP_CALLS_NANOS);
                if (rounds > 0) {
                    log.log(Level.DEBUG, "warmed up " + p.getKey() + "'s calls: " + rounds + " rounds of its samples in "
                            + (System.nanoTime() - start) / 1_000_000 + " ms");
                }
            } catch (IOException | RuntimeException e) {
                log.log(Level.WARNING, "the warm-up of " + p.getKey() + "'s calls stopped (it is served all the same): " + e.getMessage());
            }
        }
    }

    /** Loads each plugin and runs VERSION and a bad call through it in-process, touching nothing. */
    private static List<String> warmUp(DistFile dist, PluginLog log) {
        List<String> ok = new ArrayList<>();
        OutputStream sink = OutputStream.nullOutputStream();
        for (Map.Entry<String, String> p : dist.plugins().entrySet()) {
            try {
                Optional<Plugin> plugin = PluginLoader.load(p.getValue());
                if (plugin.isEmpty()) {
                    log.log(Level.WARNING, "plugin " + p.getKey() + " cannot be served warm (its calls go cold): "
                            + p.getValue() + ".main does not call PluginMain.run");
                    continue;
                }
                PluginMain.execute(plugin.get(), Map.of("CNI_COMMAND", "VERSION"),
                        new ByteArrayInputStream("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)), sink, sink);
                PluginMain.execute(PluginLoader.load(p.getValue()).orElseThrow(), Map.of("CNI_COMMAND", "ADD",
                        "CNI_CONTAINERID", "warm-up", "CNI_NETNS", "/nonexistent", "CNI_IFNAME", "eth0", "JCNI_LOG_LEVEL", "off"),
                        new ByteArrayInputStream("{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8)), sink, sink);
                ok.add(p.getKey());
            } catch (RuntimeException e) {
                log.log(Level.WARNING, "plugin " + p.getKey() + " cannot be served warm (its calls go cold): " + e.getMessage());
            }
        }
        return ok;
    }

    private void startWorker() {
        workers.incrementAndGet();
        try {
            daemonThread(this::work, "jcni-worker").start();
        } catch (RuntimeException | OutOfMemoryError e) {
            workers.decrementAndGet();
            throw e;
        }
    }

    /** A worker: accept, serve, check the thread is still fit, again. */
    private void work() {
        ThreadState clean = ThreadState.ofCurrentThread();
        int failures = 0;
        try {
            while (!stopping) {
                SocketChannel ch;
                idle.incrementAndGet();
                try {
                    ch = rendezvous.server().accept();
                    failures = 0;
                } catch (ClosedChannelException e) {
                    return;
                } catch (IOException e) {
                    // out of descriptors, say: pause, so that a failing accept does not spin
                    long pause = acceptPause(++failures);
                    log.log(Level.WARNING, "accept failed (" + failures + " in a row), retrying in " + pause + " ms: " + e);
                    sleepQuietly(pause);
                    continue;
                } finally {
                    idle.decrementAndGet();
                }
                busy.incrementAndGet();
                try {
                    if (idle.get() == 0) {
                        if (workers.get() >= maxSessions) {
                            // this worker goes on accepting, so that calls of running plugins still get in
                            refuseQuietly(ch, "too many calls at once");
                            continue;
                        }
                        startWorker();
                    }
                    new Session(this, ch).run();
                } finally {
                    synchronized (busy) {
                        busy.decrementAndGet();
                        busy.notifyAll();
                    }
                }
                Optional<String> unfit = clean.restoreOrRetire();
                if (unfit.isPresent()) {
                    log.log(Level.WARNING, "a worker thread is retired and serves no more calls: " + unfit.get());
                    return;
                }
                if (idle.get() >= maxIdle) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            log.log(Level.ERROR, "worker failed", e);
        } finally {
            workers.decrementAndGet();
            if (!stopping && idle.get() == 0) {
                startWorker();
            }
        }
    }

    /**
     * The pause after a number of failing accepts in a row: 10 ms, doubling up to
     * {@value #MAX_ACCEPT_PAUSE_MILLIS} ms.
     *
     * @param failures how many accepts failed in a row, 1 or more
     * @return the pause in milliseconds
     */
    static long acceptPause(int failures) {
        return Math.min(MAX_ACCEPT_PAUSE_MILLIS, 10L << Math.min(failures - 1, 10));
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sweep() {
        inFlight.sweep(c -> log.log(Level.WARNING, "the caller (pid " + c.pid() + ") of a call went away;"
                + " interrupting the call (a waiting one never runs); later calls of its container wait until it has ended"),
                c -> {
                    metrics.fellBack("deadline");
                    log.log(Level.DEBUG, "closed a connection that did not send its request or its go-ahead in time");
                });
    }

    private void refuseQuietly(SocketChannel ch, String why) {
        metrics.refused(why);
        try (ch) {
            byte[] b = why.getBytes(StandardCharsets.UTF_8);
            Wire.frame(ch, Wire.REFUSED, b, 0, b.length);
        } catch (IOException e) {
            // the shim goes cold on EOF too
        }
    }

    /** Environment variables a cold launch honours and a warm call cannot: such calls run cold. */
    static final List<String> JVM_SETTINGS = List.of("JCNI_JAVA_OPTS", "JCNI_JAVA_HOME", "JAVA_TOOL_OPTIONS",
            "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
    /** What a caller is told when its process differs from the daemon's (the log says how). */
    static final String NOT_LIKE_THE_DAEMON = "the calling process does not have what the daemon has (see the daemon's log)";

    /**
     * The process that connected, as the kernel recorded it.
     *
     * @param ch the connection
     * @return the peer; close it
     * @throws IOException when the kernel does not tell, or no module provides the system call
     */
    PeerProcesses.Peer peerOf(SocketChannel ch) throws IOException {
        if (peers.isEmpty()) {
            throw new IOException("no provider of the callers' pids (cni-sdk-netlink is not on the class path)");
        }
        return peers.get().of(ch);
    }

    /**
     * Why a call must not be served warm, as far as the request tells, if it must not.
     *
     * @param req the call
     * @param env its environment ({@link Wire.Request#envMap})
     * @return the reason, or empty to serve it
     */
    Optional<String> refusal(Wire.Request req, Map<String, String> env) {
        if (!req.distId().equals(dist.id())) {
            return Optional.of("dist id " + GoText.quote(req.distId()) + " is not the daemon's (" + dist.id()
                    + "): restart the daemon after an upgrade");
        }
        if (!dist.plugins().containsKey(req.plugin())) {
            return Optional.of("plugin " + GoText.quote(req.plugin()) + " is not in the dist");
        }
        if (!req.cwd().startsWith("/")) {
            return Optional.of("the caller's working directory is not absolute");
        }
        for (String name : JVM_SETTINGS) {
            // the launcher's own settings count when not empty; those the JVM reads, when set at all (as the launcher does)
            String value = env.get(name);
            if (value != null && (!value.isEmpty() || !name.startsWith("JCNI_"))) {
                return Optional.of(name + (name.endsWith("HOME") ? " asks for another JVM" : " asks for JVM options"));
            }
        }
        if (stopping) {
            return Optional.of("the daemon is stopping");
        }
        return Optional.empty();
    }

    /**
     * Why the calling process must not be served warm, if it must not: the kernel's account of it
     * ({@code /proc/<pid>} of the pid SO_PEERCRED gives) must show everything the daemon has
     * ({@link ProcessFacts#lackOf}), it must still be the process that connected once read, and
     * what the request says of it (pid, namespaces, root, umask, working directory) must be true.
     * The details go to the daemon's log (info); the caller is told only that its process differs.
     *
     * @param peer the caller
     * @param req its request
     * @return what the caller is told, or empty to serve it
     */
    Optional<String> callerRefusal(PeerProcesses.Peer peer, Wire.Request req) {
        Optional<String> detail;
        ProcessFacts caller = null;
        try {
            caller = ProcessFacts.of(peer.pid(), ownKinds);
            detail = peer.isStillThere() ? caller.lackOf(own) : Optional.of("it exited while being checked");
        } catch (IOException | RuntimeException e) {
            detail = Optional.of("its /proc entries cannot be read: " + e.getMessage());
        }
        if (detail.isEmpty() && !caller.saidBy(req, peer.pid(), ownIds)) {
            detail = Optional.of("the request's pid, namespaces, root, umask or working directory are not its own"
                    + " (pid " + req.pid() + " sent)");
        }
        if (detail.isEmpty()) {
            return Optional.empty();
        }
        log.forCall(req.envMap()).log(Level.INFO, "refused a call of " + req.plugin() + " from pid " + peer.pid() + ": " + detail.get());
        return Optional.of(NOT_LIKE_THE_DAEMON);
    }

    /** A call's turn: a permit (unless nested) and its container's lock; close to give it back. */
    final class Admission implements AutoCloseable {
        private final KeyedLocks.Held container;
        private final boolean permit;

        Admission(KeyedLocks.Held container, boolean permit) {
            this.container = container;
            this.permit = permit;
        }

        @Override
        public void close() {
            if (permit) {
                permits.release();
            }
            if (container != null) {
                container.close();
            }
        }
    }

    /** No turn within {@code --turn-timeout}. */
    static final class NoTurn extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean containerBusy;

        NoTurn(boolean containerBusy, String message) {
            super(message, null, false, false);
            this.containerBusy = containerBusy;
        }

        /** @return true when an earlier call of the same container still runs; false when no permit came */
        boolean containerBusy() {
            return containerBusy;
        }
    }

    /**
     * Waits for a call's turn: the lock of its plugin, container id and interface (ADD, DEL,
     * CHECK), then a permit, each until {@code --turn-timeout} after the start of the wait. A call
     * whose caller descends from this daemon (a delegate exec'd by a call it runs) waits for
     * neither.
     *
     * @param req the call
     * @param env its environment
     * @param heartbeat told every 100 ms while the call waits (and once before the wait begins)
     * @return the turn
     * @throws NoTurn when the wait timed out
     * @throws InterruptedException when the caller went away (the sweep interrupts the waiting thread)
     * @throws IOException when the heartbeat found the caller gone
     */
    Admission admit(Wire.Request req, Map<String, String> env, KeyedLocks.Heartbeat heartbeat)
            throws NoTurn, InterruptedException, IOException {
        long deadline = System.nanoTime() + turnTimeout.toNanos();
        Boolean nested = null;
        KeyedLocks.Held container = null;
        String command = env.getOrDefault("CNI_COMMAND", "");
        String id = env.getOrDefault("CNI_CONTAINERID", "");
        if (!id.isEmpty() && (command.equals("ADD") || command.equals("DEL") || command.equals("CHECK"))) {
            String key = req.plugin() + '\0' + id + '\0' + env.getOrDefault("CNI_IFNAME", "");
            container = containerLocks.tryLock(key);
            if (container == null) {
                nested = isNested(req.pid());
                if (!nested) {
                    heartbeat.beat();
                    container = containerLocks.lock(key, deadline, heartbeat);
                    if (container == null) {
                        throw new NoTurn(true, "an earlier call of the same container is still running after "
                                + turnTimeout.toSeconds() + " s");
                    }
                }
            }
        }
        boolean permit = permits.tryAcquire();
        try {
            if (!permit) {
                if (nested == null) {
                    nested = isNested(req.pid());
                }
                if (!nested) {
                    heartbeat.beat();
                    permit = acquirePermit(deadline, heartbeat);
                    if (!permit) {
                        throw new NoTurn(false, "no turn within " + turnTimeout.toSeconds() + " s ("
                                + permitCount() + " calls running)");
                    }
                }
            }
        } catch (NoTurn | InterruptedException | IOException | RuntimeException e) {
            if (container != null) {
                container.close();
            }
            throw e;
        }
        return new Admission(container, permit);
    }

    private boolean acquirePermit(long deadline, KeyedLocks.Heartbeat heartbeat) throws InterruptedException, IOException {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            if (permits.tryAcquire(Math.min(left, KeyedLocks.SLICE_NANOS), TimeUnit.NANOSECONDS)) {
                return true;
            }
            heartbeat.beat();
        }
        return false;
    }

    private int permitCount() {
        return maxCalls - permits.availablePermits();
    }

    /**
     * Reserves room for a request's bytes.
     *
     * @param bytes the request's length
     * @return whether they fit in {@value #REQUEST_BUDGET} bytes with the requests in flight; when
     *     true, {@link #releaseRequest} gives them back
     */
    boolean reserveRequest(int bytes) {
        return requestBytes.tryAcquire(bytes);
    }

    void releaseRequest(int bytes) {
        requestBytes.release(bytes);
    }

    /** @return true when the process descends from this daemon */
    private static boolean isNested(int pid) {
        long self = ProcessHandle.current().pid();
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        for (int depth = 0; depth < 32 && p.isPresent(); depth++) {
            long ppid = p.get().pid();
            if (ppid == self) {
                return true;
            }
            if (ppid <= 1) {
                return false;
            }
            p = p.get().parent();
        }
        return false;
    }

    DistFile dist() {
        return dist;
    }

    PluginLog log() {
        return log;
    }

    long nextCallNumber() {
        return callNumbers.incrementAndGet();
    }

    InFlight inFlight() {
        return inFlight;
    }

    Metrics metrics() {
        return metrics;
    }

    /** Counts a call served (before its exit frame is sent, so that a caller that has its answer sees it counted). */
    void callServed() {
        served.incrementAndGet();
    }

    /** @return how many calls were served so far */
    long served() {
        return served.get();
    }

    /** @return the socket */
    Path socket() {
        return rendezvous.socket();
    }

    /** @return keys with a container lock now (0 when idle: the map does not grow) */
    int containerLockCount() {
        return containerLocks.size();
    }

    /**
     * Stops gracefully: no new connection is accepted and the socket is removed (new calls go
     * cold), the calls already accepted run to their end (up to the drain timeout).
     */
    @Override
    public void close() {
        if (!stopping) {
            stopping = true;
            rendezvous.close();
            metricsEndpoint.ifPresent(MetricsEndpoint::close);
            log.log(Level.INFO, "stopping: socket removed, finishing " + busy.get() + " call(s) in flight");
        }
        awaitDrained();
        stopped.countDown();
    }

    private void awaitDrained() {
        long end = System.nanoTime() + drainTimeout.toNanos();
        synchronized (busy) {
            while (busy.get() > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    log.log(Level.WARNING, "stopping with " + busy.get() + " call(s) still in flight after "
                            + drainTimeout.toSeconds() + " s");
                    break;
                }
                try {
                    busy.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    // keep waiting for the calls
                }
            }
        }
        timer.shutdownNow();
    }
}
