package dev.jcni.sdk.internal;

/** Small thread helpers shared by jcni's modules. */
public final class Threads {
    private Threads() {
    }

    /**
     * Waits for a thread to end, also when interrupted meanwhile (the interrupt is kept for later).
     *
     * @param t the thread
     */
    public static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs clean-up code with this thread's interrupt flag cleared, then sets the flag again when it
     * was set before or got set meanwhile. A call whose caller went away is interrupted once (warm
     * mode), and its clean-up (rollback, a delegate's DEL) must still run to completion: with the flag
     * set, {@code Process.waitFor} throws at once, the SDK stops a delegate it starts, and NIO
     * channels close under the code using them.
     *
     * @param cleanup the clean-up
     */
    public static void runUninterrupted(Runnable cleanup) {
        boolean interrupted = Thread.interrupted();
        try {
            cleanup.run();
        } finally {
            if (Thread.interrupted() || interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
