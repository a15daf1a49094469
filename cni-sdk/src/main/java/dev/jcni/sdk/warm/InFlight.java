package dev.jcni.sdk.warm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls running now, each with its caller's pid, and the sweep that interrupts a call whose
 * caller is gone (a runtime killed it on a timeout). The caller is gone when its pid is no longer
 * a live process with the start time it had when the call came (a zombie or a reused pid count as
 * gone). A call is interrupted at most once, and only while it runs, so that an interrupt never
 * reaches the thread after the call (it would then be blocked in the socket's accept, which an
 * interrupt closes).
 */
final class InFlight {
    private final Set<Call> calls = ConcurrentHashMap.newKeySet();

    /** One running call. */
    static final class Call implements AutoCloseable {
        private final InFlight owner;
        private final int pid;
        private final long startTime;
        private final Thread thread;
        private boolean running = true;
        private boolean interrupted;

        private Call(InFlight owner, int pid, long startTime, Thread thread) {
            this.owner = owner;
            this.pid = pid;
            this.startTime = startTime;
            this.thread = thread;
        }

        /** @return the caller's pid */
        int pid() {
            return pid;
        }

        /** @return whether the call was interrupted because its caller went away */
        synchronized boolean callerGone() {
            return interrupted;
        }

        private synchronized boolean interruptIfRunning() {
            if (!running || interrupted) {
                return false;
            }
            interrupted = true;
            thread.interrupt();
            return true;
        }

        /** Ends the call: no interrupt comes after this; a pending one is cleared. */
        @Override
        public void close() {
            synchronized (this) {
                running = false;
            }
            owner.calls.remove(this);
            if (thread == Thread.currentThread()) {
                Thread.interrupted();
            }
        }
    }

    /**
     * Registers the call running on this thread.
     *
     * @param pid its caller's pid
     * @return the registration; close it when the call is over
     */
    Call start(int pid) {
        Call c = new Call(this, pid, startTime(pid).orElse(-1L), Thread.currentThread());
        calls.add(c);
        return c;
    }

    /** @return how many calls are running */
    int size() {
        return calls.size();
    }

    /**
     * Interrupts the calls whose callers are gone.
     *
     * @param onGone told of each call interrupted
     */
    void sweep(java.util.function.Consumer<Call> onGone) {
        for (Call c : calls) {
            Optional<Long> now = startTime(c.pid);
            boolean alive = now.isPresent() && now.get() == c.startTime;
            if (!alive && c.interruptIfRunning()) {
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
