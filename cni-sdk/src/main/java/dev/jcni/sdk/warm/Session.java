package dev.jcni.sdk.warm;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.PeerProcesses;
import dev.jcni.sdk.internal.Phases;
import dev.jcni.sdk.internal.PluginLog;
import dev.jcni.sdk.internal.PluginLoader;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.version.SpecVersions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One connection from {@code jcni-shim}, served on the worker thread that accepted it: learn the
 * caller from the kernel (its uid, pid and a pidfd), read the call, decide whether to serve it
 * ({@link Daemon#refusal}, {@link Daemon#callerRefusal}; or refuse, so that the shim runs it cold), wait for its turn
 * (saying so to the shim every 100 ms), offer the start, and on the shim's go-ahead confirm it, run
 * the call on this thread, relay its stderr as it comes, send its stdout and exit code. From the
 * accept on, the daemon's sweep bounds the connection (see {@link InFlight}): a request or a
 * go-ahead that does not come in time closes it, and a caller that is gone interrupts the call,
 * waiting (it then never runs) or running; a running call's turn, and so the next call of the same
 * container, waits until it has ended.
 */
final class Session {
    private final Daemon daemon;
    private final SocketChannel channel;
    private final Object writeLock = new Object();
    /** The daemon's log; once the request is read, for the call (its lines carry its trace id). */
    private PluginLog log;
    /** When the connection was accepted, the caller learnt and the request read (for {@link Phases}). */
    private final long acceptedAt = System.nanoTime();
    private long peerAt;
    private long readAt;
    /** The record of the call's phases when its environment asks for one ({@link Phases#ENV}), else null. */
    private Phases phases;

    Session(Daemon daemon, SocketChannel channel) {
        this.daemon = daemon;
        this.channel = channel;
        this.log = daemon.log();
    }

    /** Serves the connection and closes it. Never throws. */
    void run() {
        try (channel) {
            serve();
        } catch (IOException e) {
            log.log(Level.DEBUG, "connection ended: " + e);
        } catch (RuntimeException | Error e) {
            log.log(Level.ERROR, "session failed", e);
        }
    }

    private void serve() throws IOException {
        PeerProcesses.Peer peer;
        try {
            peer = daemon.peerOf(channel);
        } catch (IOException e) {
            log.log(Level.INFO, "cannot learn the caller from the kernel: " + e.getMessage());
            refuse("the daemon cannot learn the caller from the kernel");
            return;
        }
        peerAt = System.nanoTime();
        try (peer; InFlight.Call watch = daemon.inFlight().open(channel)) {
            if (peer.uid() != 0) {
                refuse("the caller is not root");
                return;
            }
            watch.deadline(Daemon.REQUEST_TIMEOUT_MILLIS);
            int length = Wire.readLength(channel);
            if (!daemon.reserveRequest(length)) {
                // unread: closing the connection makes the shim's write fail, and the call runs cold
                refuse("too many request bytes in flight");
                return;
            }
            try {
                Wire.Request req = Wire.readBody(channel, length);
                readAt = System.nanoTime();
                watch.noDeadline();
                // the kernel's pid, not the request's
                watch.watchCaller(peer.pid());
                serve(peer, req, watch);
            } finally {
                daemon.releaseRequest(length);
                if (phases != null) {
                    Phases.stop();
                }
            }
        }
    }

    private void serve(PeerProcesses.Peer peer, Wire.Request req, InFlight.Call watch) throws IOException {
        Map<String, String> env = req.envMap();
        log = log.forCall(env);
        phases = Phases.startIfAsked(env);
        if (phases != null) {
            phases.at("daemon: accepted the connection", acceptedAt);
            phases.at("daemon: learnt the caller (SO_PEERCRED, pidfd)", peerAt);
            phases.at("daemon: read the request", readAt);
        }
        Optional<String> why = daemon.refusal(req, env);
        Phases.mark("daemon: request checks");
        if (why.isEmpty()) {
            why = daemon.callerRefusal(peer, req);
            Phases.mark("daemon: caller checks (/proc, pidfd)");
        }
        if (why.isPresent()) {
            refuse(why.get());
            return;
        }
        if (!req.args().isEmpty()) {
            // the plugin's main gets no arguments when loaded: a launcher given some runs cold
            refuse("the launcher was given arguments");
            return;
        }
        Plugin plugin;
        try {
            Optional<Plugin> loaded = PluginLoader.load(daemon.dist().plugins().get(req.plugin()));
            if (loaded.isEmpty()) {
                refuse("cannot load the plugin: its main does not call PluginMain.run");
                return;
            }
            plugin = loaded.get();
            Phases.mark("daemon: plugin loaded");
        } catch (PluginLoader.PluginLoadException e) {
            log.log(Level.WARNING, "cannot load plugin " + req.plugin() + ": " + e.getMessage());
            refuse("cannot load the plugin");
            return;
        }
        Daemon.Admission turn;
        watch.interruptible(true);
        long waitStart = System.nanoTime();
        boolean[] waited = {false};
        try {
            turn = daemon.admit(req, env, () -> {
                waited[0] = true;
                frame(Wire.WAIT);
            });
            Phases.mark("daemon: admitted (permit, container lock)");
        } catch (Daemon.NoTurn e) {
            daemon.metrics().waited(System.nanoTime() - waitStart);
            if (!watch.interruptible(false)) {
                return;
            }
            if (!e.containerBusy()) {
                refuse("the daemon is busy: " + e.getMessage());
                return;
            }
            // a cold run would run beside the earlier call: the caller is told to try again later
            if (started(watch)) {
                answer(req, env, false, errorJson(req, ErrorCodes.TRY_AGAIN_LATER, "jcni warm mode: " + e.getMessage()
                        + "; try again later"), 1, System.nanoTime());
            }
            return;
        } catch (InterruptedException | IOException e) {
            watch.interruptible(false);
            log.log(Level.DEBUG, "the caller (pid " + req.pid() + ") went away while its call waited: " + e);
            return;
        }
        if (waited[0]) {
            daemon.metrics().waited(System.nanoTime() - waitStart);
        }
        try (turn) {
            if (!watch.interruptible(false)) {
                return;
            }
            // a pending interrupt of the wait (its caller went away) must not reach what follows
            Thread.interrupted();
            if (!started(watch)) {
                return;
            }
            Thread.currentThread().setName("jcni-call-" + req.plugin() + "-" + daemon.nextCallNumber());
            daemon.metrics().started();
            try {
                new Call(req, env, plugin, watch).run();
            } finally {
                daemon.metrics().ended();
            }
        }
    }

    /**
     * Offers the start and waits for the shim's go-ahead, then confirms the start.
     *
     * @return true when the call may run: the shim said go, and the confirmation was written
     */
    private boolean started(InFlight.Call watch) {
        try {
            frame(Wire.TURN);
            Phases.mark("daemon: turn offered (T)");
            watch.deadline(Daemon.GO_TIMEOUT_MILLIS);
            if (!Wire.readGo(channel)) {
                daemon.metrics().fellBack("shim_cancelled");
                log.log(Level.DEBUG, "no go-ahead: the caller cancelled its call (it runs the call cold)");
                return false;
            }
            Phases.mark("daemon: go-ahead read (G)");
            watch.noDeadline();
            frame(Wire.STARTED);
            Phases.mark("daemon: start confirmed (S)");
            return true;
        } catch (IOException e) {
            daemon.metrics().fellBack("shim_cancelled");
            log.log(Level.DEBUG, "no go-ahead: " + e + " (the caller runs the call cold)");
            return false;
        }
    }

    private void frame(byte type) throws IOException {
        synchronized (writeLock) {
            Wire.frame(channel, type);
        }
    }

    private void refuse(String why) throws IOException {
        daemon.metrics().refused(why);
        log.log(Level.DEBUG, "refused a call: " + why);
        byte[] b = why.getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            Wire.frame(channel, Wire.REFUSED, b, 0, b.length);
        }
    }

    /**
     * Counts and logs a call as served, then sends its stdout and exit code (unless its caller is
     * gone): whoever has the answer finds the call counted.
     */
    private void answer(Wire.Request req, Map<String, String> env, boolean callerGone, byte[] out, int code, long start) {
        String name = Thread.currentThread().getName();
        if (callerGone) {
            log.log(Level.WARNING, name + ": the interrupted call ended (exit " + code + "); its caller had gone");
        }
        daemon.callServed();
        daemon.metrics().called(req.plugin(), env.getOrDefault("CNI_COMMAND", ""), code, out, System.nanoTime() - start);
        if (log.isLoggable(Level.DEBUG)) {
            log.log(Level.DEBUG, name + " served " + req.plugin() + " " + env.getOrDefault("CNI_COMMAND", "")
                    + " for pid " + req.pid() + ": exit " + code + " in " + (System.nanoTime() - start) / 1000 + " us");
        }
        if (callerGone) {
            return;
        }
        try {
            synchronized (writeLock) {
                byte[] record = new byte[0];
                if (phases != null) {
                    Phases.mark("daemon: answer ready");
                    record = phases.render();
                }
                Wire.outcome(channel, record, out, code);
            }
        } catch (IOException e) {
            log.log(Level.DEBUG, "cannot send the outcome of " + name + ": " + e);
        }
    }

    /** An error JSON in the call's cniVersion (when its configuration names one jcni supports), else the current one. */
    private static byte[] errorJson(Wire.Request req, int code, String msg) {
        String version = SpecVersions.CURRENT;
        try {
            var v = Json.parse(req.stdinBytes()).path("cniVersion");
            if (v.isTextual() && SpecVersions.isSupported(v.textValue())) {
                version = v.textValue();
            }
        } catch (IOException | RuntimeException e) {
            // the current version then
        }
        return new CniException(code, msg).toJson(version);
    }

    /** The call itself, on this worker thread, which no other call uses meanwhile. */
    private final class Call {
        final Wire.Request req;
        final Map<String, String> env;
        final Plugin plugin;
        final InFlight.Call watch;

        Call(Wire.Request req, Map<String, String> env, Plugin plugin, InFlight.Call watch) {
            this.req = req;
            this.env = env;
            this.plugin = plugin;
            this.watch = watch;
        }

        void run() {
            long start = System.nanoTime();
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            PrintStream stderr = new PrintStream(new StderrFrames(), true, StandardCharsets.UTF_8);
            int code;
            boolean callerGone;
            CallStreams.set(stderr);
            watch.interruptible(true);
            try {
                Phases.mark("daemon: call starts");
                code = CallContext.with(env, Path.of(req.cwd()),
                        () -> PluginMain.execute(plugin, env, req.stdinStream(), stdout, stderr));
                Phases.mark("daemon: call ended");
            } catch (Throwable e) {
                log.log(Level.ERROR, Thread.currentThread().getName() + " failed", e);
                stdout.reset();
                byte[] json = errorJson(req, ErrorCodes.INTERNAL, "jcni warm mode: the call failed in the daemon: " + e);
                stdout.write(json, 0, json.length);
                code = 1;
            } finally {
                callerGone = !watch.interruptible(false);
                CallStreams.set(null);
            }
            if (callerGone) {
                // the interrupt, if still pending, ends here
                Thread.interrupted();
            }
            if (CallContext.isRetired()) {
                log.log(Level.ERROR, Thread.currentThread().getName()
                        + " could not return to its network namespace: the thread is retired, the call fails");
                stdout.reset();
                byte[] json = errorJson(req, ErrorCodes.INTERNAL, "jcni warm mode: the thread serving this call could not "
                        + "return to its network namespace; it is retired and the call's outcome is unknown");
                stdout.write(json, 0, json.length);
                code = 1;
            }
            stderr.flush();
            answer(req, env, callerGone, stdout.toByteArray(), code, start);
        }
    }

    /** The call's stderr: each write is a frame to the shim; once the caller is gone, writes are dropped. */
    private final class StderrFrames extends OutputStream {
        private boolean broken;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (len == 0) {
                return;
            }
            synchronized (writeLock) {
                if (broken) {
                    return;
                }
                try {
                    Wire.frame(channel, Wire.STDERR, b, off, len);
                } catch (IOException e) {
                    broken = true;
                }
            }
        }
    }
}
