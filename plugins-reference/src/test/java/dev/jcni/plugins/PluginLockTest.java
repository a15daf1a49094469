package dev.jcni.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reference plugins' one file lock: flock(2), exclusive within one process too, failing closed,
 * with a bounded wait.
 */
class PluginLockTest {
    @TempDir
    Path dir;

    @Test
    void twoCallersInOneProcessExcludeEachOther() throws Exception {
        Path file = dir.resolve("lock");
        CountDownLatch held = new CountDownLatch(1);
        AtomicBoolean firstReleased = new AtomicBoolean();
        CompletableFuture<Void> first;
        try (PluginLock a = PluginLock.acquire(file)) {
            first = CompletableFuture.runAsync(() -> {
                held.countDown();
                try (PluginLock b = PluginLock.acquire(file)) {
                    assertTrue(firstReleased.get(), "the second caller got the lock only after the first released it");
                }
            });
            assertTrue(held.await(10, TimeUnit.SECONDS));
            Thread.sleep(300);
            assertFalse(first.isDone(), "the second caller waits while the first holds the lock");
            firstReleased.set(true);
        }
        first.get(10, TimeUnit.SECONDS);
    }

    @Test
    void excludesFlockHoldersInOtherProcesses() throws Exception {
        Path file = dir.resolve("lock");
        try (PluginLock a = PluginLock.acquire(file)) {
            Process p = new ProcessBuilder("flock", "-n", file.toString(), "true").start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), "flock(1) cannot take it");
        }
    }

    @Test
    void createsMissingDirectoriesPrivately() throws Exception {
        Path file = dir.resolve("run/jcni/portmap.lock");
        try (PluginLock a = PluginLock.acquire(file)) {
            assertTrue(Files.isRegularFile(file));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        }
    }

    @Test
    void aLockThatCannotBeTakenFailsTheCallWithCode5() throws Exception {
        Path notADir = Files.createFile(dir.resolve("file"));
        CniException e = assertThrows(CniException.class, () -> PluginLock.acquire(notADir.resolve("lock")));
        assertEquals(ErrorCodes.IO_FAILURE, e.code());
        assertTrue(e.msg().startsWith("cannot lock " + notADir.resolve("lock") + ": "), e.msg());
    }

    @Test
    void aLockHeldPastTheBoundIsCode11() throws Exception {
        Path lock = dir.resolve("state/lock");
        Path marker = dir.resolve("held");
        Files.createDirectories(lock.getParent());
        Files.createFile(lock);
        // flock(1) holds the lock until it reads a line
        Process holder = new ProcessBuilder("flock", lock.toString(), "sh", "-c", "touch " + marker + "; read line").start();
        try {
            while (!Files.exists(marker)) {
                assertTrue(holder.isAlive(), "holder ended early");
                Thread.sleep(20);
            }
            CniException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(CniException.class, () -> PluginLock.acquire(lock, Duration.ofMillis(300))));
            assertEquals(ErrorCodes.TRY_AGAIN_LATER, e.code());
            assertTrue(e.msg().startsWith("cannot lock " + lock + ": other calls held it for all of "), e.msg());
            try (OutputStream in = holder.getOutputStream()) {
                in.write('\n');
            }
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            try (PluginLock held = PluginLock.acquire(lock, Duration.ofSeconds(30))) {
                assertTrue(Files.exists(lock), "free again once the holder let go");
            }
        } finally {
            holder.destroyForcibly();
        }
    }
}
