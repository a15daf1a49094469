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
}
