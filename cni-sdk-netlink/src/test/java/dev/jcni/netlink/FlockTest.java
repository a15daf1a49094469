package dev.jcni.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock excludes flock(1) — the same kernel lock Go's host-local takes —, is released on close, and
 * waits for another holder at most its timeout.
 */
class FlockTest {

    static Process flockProbe(Path file) throws Exception {
        // flock -n: fail at once (exit 1) when the lock is held elsewhere
        return new ProcessBuilder("flock", "-n", file.toString(), "true").start();
    }

    @Test
    void excludesOtherFlockHoldersUntilClosed(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("lock");
        try (Flock held = Flock.lockExclusive(lock)) {
            assertTrue(Files.exists(lock));
            Process p = flockProbe(lock);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), "another process cannot take the lock");
        }
        Process p = flockProbe(lock);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "released on close");
    }

    /**
     * flock(1) holding the lock: it marks that it holds it, waits for a line on stdin, unmarks, and
     * only then lets go. Returns once the mark is there.
     */
    static Process holder(Path lock, Path marker) throws Exception {
        Process holder = new ProcessBuilder("flock", lock.toString(), "sh", "-c",
                "touch " + marker + "; read line; rm " + marker).start();
        while (!Files.exists(marker)) {
            assertTrue(holder.isAlive(), "holder ended early");
            Thread.sleep(20);
        }
        return holder;
    }

    static void release(Process holder) throws Exception {
        try (OutputStream in = holder.getOutputStream()) {
            in.write('\n');
        }
        assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, holder.exitValue());
    }

    /** True while a thread is inside {@code Flock.lockExclusive}, waiting. */
    static boolean insideLockExclusive(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().equals(Flock.class.getName()) && f.getMethodName().equals("lockExclusive")) {
                return true;
            }
        }
        return false;
    }

    /** A test body run while flock(1) holds the lock. */
    interface WhileHeld {
        void run(Path lock, Path marker, Process holder) throws Exception;
    }

    static void whileHeld(Path dir, WhileHeld body) throws Exception {
        Path lock = dir.resolve("lock");
        Path marker = dir.resolve("held");
        Files.createFile(lock);
        Process holder = holder(lock, marker);
        try {
            body.run(lock, marker, holder);
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void waitsForAnotherHolder(@TempDir Path dir) throws Exception {
        whileHeld(dir, (lock, marker, holder) -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            CompletableFuture<Boolean> heldAtGrant = new CompletableFuture<>();
            Thread waiter = new Thread(() -> {
                try (Flock held = Flock.lockExclusive(lock, Duration.ofSeconds(60))) {
                    heldAtGrant.complete(Files.exists(marker));
                } catch (Exception | Error e) {
                    heldAtGrant.completeExceptionally(e);
                }
            });
            waiter.start();
            // the holder cannot let go before it reads a line: the waiter must be seen waiting
            while (!insideLockExclusive(waiter)) {
                assertFalse(heldAtGrant.isDone(), "the lock was granted while flock(1) held it");
                Thread.sleep(5);
            }
            assertFalse(heldAtGrant.isDone(), "the lock was granted while flock(1) held it");
            release(holder);
            assertFalse(heldAtGrant.get(), "the lock was granted only after the holder released it");
            waiter.join();
        }));
    }

    @Test
    void givesUpWithEagainWhenAnotherHolderKeepsItPastTheTimeout(@TempDir Path dir) throws Exception {
        whileHeld(dir, (lock, marker, holder) -> {
            NetlinkException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(NetlinkException.class, () -> Flock.lockExclusive(lock, Duration.ofMillis(200))));
            assertEquals(Errno.EAGAIN, e.errno());
            assertTrue(Files.exists(marker), "the holder still held the lock");
            release(holder);
            // the failed attempt left nothing held
            try (Flock held = Flock.lockExclusive(lock, Duration.ofSeconds(30))) {
                assertTrue(Files.exists(lock));
            }
        });
    }

    @Test
    void anInterruptEndsTheWait(@TempDir Path dir) throws Exception {
        whileHeld(dir, (lock, marker, holder) -> {
            assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
                Thread.currentThread().interrupt();
                NetlinkException e = assertThrows(NetlinkException.class, () -> Flock.lockExclusive(lock, Duration.ofSeconds(60)));
                assertTrue(Thread.interrupted(), "the interrupt flag stays set");
                assertEquals(Errno.EINTR, e.errno());
            });
            release(holder);
        });
    }

    /**
     * Holders in one JVM queue in order of arrival and are handed the lock as it is released (no
     * polling between them), and the queue's entry is gone once nobody holds or waits.
     */
    @Test
    void waitersInThisJvmGetTheLockInOrderOfArrival(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("lock");
        java.util.List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Flock first = Flock.lockExclusive(lock);
        CompletableFuture<Void> b = CompletableFuture.runAsync(() -> takeAndRecord(lock, "b", order));
        waitForWaiters(lock, 1);
        CompletableFuture<Void> c = CompletableFuture.runAsync(() -> takeAndRecord(lock, "c", order));
        waitForWaiters(lock, 2);
        assertEquals(1, Flock.queueCount());
        first.close();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CompletableFuture.allOf(b, c).get());
        assertEquals(java.util.List.of("b", "c"), order);
        assertEquals(0, Flock.queueCount(), "no entry is left behind");
        Process p = flockProbe(lock);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "the flock is released too");
    }

    private static void takeAndRecord(Path lock, String name, java.util.List<String> order) {
        try (Flock f = Flock.lockExclusive(lock)) {
            order.add(name);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void waitForWaiters(Path lock, int n) throws InterruptedException {
        for (int i = 0; i < 3000 && Flock.waiters(lock) < n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, Flock.waiters(lock), "threads queued for the lock");
    }
}
