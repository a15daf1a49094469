package dev.jcni.sdk.warm;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code System.out} and {@code System.err} in the daemon: what a call's code (or a thread it
 * started) prints there goes to that call's stderr, as it would in a plugin process (whose
 * {@code System.out} the skel points at stderr); anything else goes to the daemon's own stderr.
 */
final class CallStreams {
    private CallStreams() {
    }

    private static final InheritableThreadLocal<OutputStream> CALL_STDERR = new InheritableThreadLocal<>();
    private static boolean installed;

    /** Routes {@code System.out} and {@code System.err} through the current call, once per JVM. */
    static synchronized void install() {
        if (installed) {
            return;
        }
        installed = true;
        PrintStream daemonErr = System.err;
        System.setOut(new PrintStream(new Router(daemonErr), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Router(daemonErr), true, StandardCharsets.UTF_8));
    }

    /**
     * Sets the stderr of the call running on this thread (and threads it starts).
     *
     * @param stderr the call's stderr, or null when the call is over
     */
    static void set(OutputStream stderr) {
        if (stderr == null) {
            CALL_STDERR.remove();
        } else {
            CALL_STDERR.set(stderr);
        }
    }

    private static final class Router extends OutputStream {
        private final OutputStream fallback;

        Router(OutputStream fallback) {
            this.fallback = fallback;
        }

        private OutputStream target() {
            OutputStream s = CALL_STDERR.get();
            return s != null ? s : fallback;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            target().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            target().write(b, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            target().flush();
        }
    }
}
