package dev.jcni.sdk.warm;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The connections being served, and the sweep that keeps each of them bounded: a connection in a
 * phase with a deadline (reading its request, waiting for the shim's go-ahead) is closed when the
 * deadline passes; a call waiting for its turn or running is interrupted when its caller is gone
 * (a runtime killed it on a timeout, or the shim gave up and ran the call cold). The caller is gone
 * when its pid is no longer a live process with the start time it had when the call came (a zombie
 * or a reused pid count as gone). A call is interrupted at most once, and only while it waits or
 * runs, so that an interrupt never reaches the thread after the call (it would then be blocked in
 * the socket's accept, which an interrupt closes).
 */
final class InFlight {
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();

    /** One connection, from its accept to its end, on the thread that serves it. */
    static final class Call implements AutoCloseable {
        private final InFlight owner;
        private final Thread thread;
        private final Closeable channel;
        private volatile long deadline;
        private volatile boolean hasDeadline;
        private int pid;
        private long startTime = -1;
        private boolean interruptible;
        private boolean interrupted;
        private boolean open = true;

        private Call(InFlight owner, Thread thread, Closeable channel) {
            this.owner = owner;
            this.thread = thread;
            this.channel = channel;
        }

        /** @return the caller's pid (0 until {@link #watchCaller}) */
        synchronized int pid() {
            return pid;
        }

        /**
         * Closes the connection unless it is off the deadline within the given time.
         *
         * @param millis how long from now
         */
        void deadline(long millis) {
            deadline = System.nanoTime() + millis * 1_000_000;
            hasDeadline = true;
        }

        /** No deadline from now on. */
        void noDeadline() {
            hasDeadline = false;
        }

        /**
         * Watches the caller from now on.
         *
         * @param callerPid the caller's pid
         */
        void watchCaller(int callerPid) {
            long start = startTime(callerPid).orElse(-1L);
            synchronized (this) {
                pid = callerPid;
                startTime = start;
            }
        }

        /**
         * Lets the sweep interrupt the thread when the caller is gone (while the call waits for its
         * turn, and while it runs), or stops it from doing so.
         *
         * @param on whether the thread may be interrupted
         * @return false when the caller went away (the thread was interrupted): the call must not run
         */
        synchronized boolean interruptible(boolean on) {
            interruptible = on;
            return !interrupted;
        }

        /** @return whether the call was interrupted because its caller went away */
        synchronized boolean callerGone() {
            return interrupted;
        }

        private synchronized boolean interruptIfWatched() {
            if (!open || !interruptible || interrupted) {
                return false;
            }
            interrupted = true;
            thread.interrupt();
            return true;
        }

        private boolean overdue(long now) {
            return hasDeadline && now - deadline > 0;
        }

        /** Ends the watch: no interrupt comes after this; a pending one is cleared. */
        @Override
        public void close() {
            synchronized (this) {
                open = false;
            }
            owner.calls.remove(this);
            if (thread == Thread.currentThread()) {
                Thread.interrupted();
            }
        }
    }

    /**
     * Registers the connection served on this thread.
     *
     * @param channel the connection, closed when a deadline passes
     * @return the registration; close it when the connection is over
     */
    Call open(Closeable channel) {
        Call c = new Call(this, Thread.currentThread(), channel);
        calls.add(c);
        return c;
    }

    /** @return how many connections are registered */
    int size() {
        return calls.size();
    }

    /**
     * Closes the connections past their deadline and interrupts the calls whose callers are gone.
     *
     * @param onGone told of each call interrupted
     * @param onOverdue told of each connection closed on its deadline
     */
    void sweep(Consumer<Call> onGone, Consumer<Call> onOverdue) {
        long now = System.nanoTime();
        for (Call c : calls) {
            if (c.overdue(now)) {
                c.hasDeadline = false;
                try {
                    c.channel.close();
                } catch (IOException e) {
                    // closed anyway
                }
                onOverdue.accept(c);
            }
            int pid;
            long start;
            synchronized (c) {
                if (!c.interruptible || c.interrupted) {
                    continue;
                }
                pid = c.pid;
                start = c.startTime;
            }
            if (pid <= 0) {
                continue;
            }
            Optional<Long> current = startTime(pid);
            boolean alive = current.isPresent() && current.get() == start;
            if (!alive && c.interruptIfWatched()) {
                onGone.accept(c);
            }
        }
    }

    /** The start time of a live process (field 22 of /proc/PID/stat), empty when gone or a zombie. */
    static Optional<Long> startTime(int pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] f = stat.substring(close + 2).split(" ");
        // f[0] is field 3 (state); field 22 (starttime) is f[19]
        if (f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
