package dev.jcni.plugins.ip;

import dev.jcni.sdk.internal.Threads;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * What one ADD made so far, undone in reverse order when the ADD fails, so that a failed ADD leaves
 * nothing behind. Each step registers its undo as soon as the thing exists ({@link #made}), before
 * anything else can fail. An undo that fails is logged and the others still run; the undos run
 * with the thread's interrupt flag cleared, so that an interrupted call still cleans up.
 *
 * <p>What the plugin's DEL keeps is not undone either: the bridge, its gateway address, the VLAN
 * gateway interface and the forwarding sysctls are shared with the network's other containers.
 *
 * <p>Tests inject a failure at a named point ({@link #step}) through the plugins' package-private
 * constructors; in production the hook does nothing.
 */
public final class Rollback {
    /** The hook of production: no failure is injected. */
    public static final Consumer<String> NO_FAULTS = new Consumer<>() { // a class: a cold start links no lambda
        @Override
        public void accept(String point) {
        }
    };

    /**
     * A body of work that registers its undos.
     *
     * @param <T> the result type
     * @param <E> what it throws besides runtime exceptions
     */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        /**
         * @param rollback where the body registers what it made
         * @return the result
         * @throws E anything; the rollback then runs
         */
        T run(Rollback rollback) throws E;
    }

    private record Undo(String what, Runnable action) {
    }

    private final Deque<Undo> undos = new ArrayDeque<>();
    private final System.Logger log;
    private final Consumer<String> faults;

    private Rollback(System.Logger log, Consumer<String> faults) {
        this.log = log;
        this.faults = faults;
    }

    /**
     * Runs an ADD; when it fails, undoes what it registered, newest first, and rethrows.
     *
     * @param log where failed undos are reported
     * @param faults the failure-injection hook ({@link #NO_FAULTS} in production)
     * @param work the ADD
     * @param <T> the result type
     * @param <E> what the ADD throws besides runtime exceptions
     * @return the result
     * @throws E what the ADD threw
     */
    public static <T, E extends Exception> T run(System.Logger log, Consumer<String> faults, Work<T, E> work) throws E {
        Rollback r = new Rollback(log, faults);
        boolean done = false;
        try {
            T result = work.run(r);
            done = true;
            return result;
        } finally {
            if (!done) {
                r.undoAll();
            }
        }
    }

    /**
     * Registers the undo of something just made.
     *
     * @param what a description, for the log
     * @param undo how to remove it
     */
    public void made(String what, Runnable undo) {
        undos.push(new Undo(what, undo));
    }

    /**
     * A named point of the ADD where a test may inject a failure.
     *
     * @param point the name, e.g. {@code ipam} (after the IPAM ADD)
     */
    public void step(String point) {
        faults.accept(point);
    }

    /**
     * Runs every undo, newest first, to the end: each with the thread's interrupt flag cleared (a
     * warm call whose caller went away is interrupted, and its rollback must still remove what it
     * made: with the flag set, a process wait throws, an exec'd IPAM DEL is stopped and NIO channels
     * close), the flag set again afterwards. Whatever one undo throws is logged and the next runs.
     */
    private void undoAll() {
        while (!undos.isEmpty()) {
            Undo u = undos.pop();
            Threads.runUninterrupted(() -> {
                try {
                    u.action().run();
                } catch (Exception e) {
                    log.log(System.Logger.Level.WARNING, "after the failed ADD, could not undo " + u.what() + ": " + Errors.text(e));
                }
            });
        }
    }
}
