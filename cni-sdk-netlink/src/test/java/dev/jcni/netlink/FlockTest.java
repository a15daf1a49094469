package dev.jcni.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lock excludes flock(1) — the same kernel lock Go's host-local takes — and is released on close. */
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

    @Test
    void waitsForAnotherHolder(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("lock");
        Path marker = dir.resolve("held");
        Files.createFile(lock);
        // the holder marks that it has the lock, keeps it a moment, unmarks, and only then lets go
        Process holder = new ProcessBuilder("flock", lock.toString(), "sh", "-c",
                "touch " + marker + "; sleep 1; rm " + marker).start();
        while (!Files.exists(marker)) {
            assertTrue(holder.isAlive(), "holder ended early");
            Thread.sleep(20);
        }
        try (Flock held = Flock.lockExclusive(lock)) {
            assertTrue(Files.notExists(marker), "the lock was granted only after the holder released it");
        }
        assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
    }
}
