package dev.jcni.sdk.warm;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.internal.PeerProcesses;
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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection from {@code jcni-shim}, served on the worker thread that accepted it: learn the
 * caller from the kernel (its uid, pid and a pidfd), read the call, decide whether to serve it
 * ({@link Daemon#refusal}, {@link Daemon#callerRefusal}; or refuse, so that the shim runs it
 * cold), wait for its turn, confirm the start, run it on this thread, relay its stderr as it comes,
 * send its stdout and exit code. While the call runs, the daemon's sweep watches its caller: when the caller is gone (a
 * runtime's timeout killed it), the call is interrupted; its turn, and so the next call of the same
 * container, waits until it has ended.
 */
final class Session {
    private final Daemon daemon;
    private final SocketChannel channel;
    private final Object writeLock = new Object();

    Session(Daemon daemon, SocketChannel channel) {
        this.daemon = daemon;
        this.channel = channel;
    }

    /** Serves the connection and closes it. Never throws. */
    void run() {
        try (channel) {
            serve();
        } catch (IOException e) {
            daemon.log().log(Level.DEBUG, "connection ended: " + e);
        } catch (RuntimeException | Error e) {
            daemon.log().log(Level.ERROR, "session failed", e);
        }
    }

    private void serve() throws IOException {
        PeerProcesses.Peer peer;
        try {
            peer = daemon.peerOf(channel);
        } catch (IOException e) {
            daemon.log().log(Level.INFO, "cannot learn the caller from the kernel: " + e.getMessage());
            refuse("the daemon cannot learn the caller from the kernel");
            return;
        }
        try (peer) {
            if (peer.uid() != 0) {
                refuse("the caller is not root");
                return;
            }
            serve(peer);
        }
    }

    private void serve(PeerProcesses.Peer peer) throws IOException {
        Wire.Request req;
        ScheduledFuture<?> deadline = daemon.timer().schedule(this::closeQuietly, daemon.requestTimeoutMillis(),
                TimeUnit.MILLISECONDS);
        try {
            req = Wire.readRequest(channel);
        } finally {
            deadline.cancel(false);
        }
        Optional<String> why = daemon.refusal(req);
        if (why.isEmpty()) {
            why = daemon.callerRefusal(peer, req);
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
        } catch (PluginLoader.PluginLoadException e) {
            daemon.log().log(Level.WARNING, "cannot load plugin " + req.plugin() + ": " + e.getMessage());
            refuse("cannot load the plugin");
            return;
        }
        Map<String, String> env = req.envMap();
        try (Daemon.Admission turn = daemon.admit(req, env)) {
            synchronized (writeLock) {
                Wire.frame(channel, Wire.STARTED, new byte[0], 0, 0);
            }
            Thread.currentThread().setName("jcni-call-" + req.plugin() + "-" + daemon.nextCallNumber());
            new Call(req, env, plugin).run();
        }
    }

    private void refuse(String why) throws IOException {
        daemon.log().log(Level.DEBUG, "refused a call: " + why);
        byte[] b = why.getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            Wire.frame(channel, Wire.REFUSED, b, 0, b.length);
        }
    }

    private void closeQuietly() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /** The call itself, on this worker thread, which no other call uses meanwhile. */
    private final class Call {
        final Wire.Request req;
        final Map<String, String> env;
        final Plugin plugin;

        Call(Wire.Request req, Map<String, String> env, Plugin plugin) {
            this.req = req;
            this.env = env;
            this.plugin = plugin;
        }

        void run() {
            long start = System.nanoTime();
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            PrintStream stderr = new PrintStream(new StderrFrames(), true, StandardCharsets.UTF_8);
            int code;
            boolean callerGone;
            CallStreams.set(stderr);
            try (InFlight.Call flight = daemon.inFlight().start(req.pid())) {
                try {
                    code = CallContext.with(env, Path.of(req.cwd()),
                            () -> PluginMain.execute(plugin, env, new ByteArrayInputStream(req.stdin()), stdout, stderr));
                } catch (Throwable e) {
                    daemon.log().log(Level.ERROR, Thread.currentThread().getName() + " failed", e);
                    stdout.reset();
                    writeError(stdout, "jcni warm mode: the call failed in the daemon: " + e);
                    code = 1;
                }
                callerGone = flight.callerGone();
            } finally {
                CallStreams.set(null);
            }
            if (CallContext.isRetired()) {
                daemon.log().log(Level.ERROR, Thread.currentThread().getName()
                        + " could not return to its network namespace: the thread is retired, the call fails");
                stdout.reset();
                writeError(stdout, "jcni warm mode: the thread serving this call could not return to its network "
                        + "namespace; it is retired and the call's outcome is unknown");
                code = 1;
            }
            stderr.flush();
            if (callerGone) {
                daemon.log().log(Level.WARNING, Thread.currentThread().getName() + ": the interrupted call ended (exit "
                        + code + "); its caller had gone");
            } else {
                try {
                    synchronized (writeLock) {
                        byte[] out = stdout.toByteArray();
                        if (out.length > 0) {
                            Wire.frame(channel, Wire.STDOUT, out, 0, out.length);
                        }
                        Wire.exit(channel, code);
                    }
                } catch (IOException e) {
                    daemon.log().log(Level.DEBUG, "cannot send the outcome of " + Thread.currentThread().getName() + ": " + e);
                }
            }
            daemon.callEnded(code);
            if (daemon.log().isLoggable(Level.DEBUG)) {
                daemon.log().log(Level.DEBUG, Thread.currentThread().getName() + " served " + req.plugin() + " "
                        + env.getOrDefault("CNI_COMMAND", "") + " for pid " + req.pid() + ": exit " + code + " in "
                        + (System.nanoTime() - start) / 1000 + " us");
            }
        }

        private void writeError(ByteArrayOutputStream stdout, String msg) {
            String version = SpecVersions.CURRENT;
            try {
                var v = Json.parse(req.stdin()).path("cniVersion");
                if (v.isTextual() && SpecVersions.isSupported(v.textValue())) {
                    version = v.textValue();
                }
            } catch (IOException | RuntimeException e) {
                // the current version then
            }
            byte[] json = new CniException(ErrorCodes.INTERNAL, msg).toJson(version);
            stdout.write(json, 0, json.length);
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
