package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.internal.PeerProcesses;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestPeers;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The daemon's guard against a reused pid: a peer's pidfd names its process while it lives, and no
 * other process once it has gone, whatever later takes its pid.
 */
@KernelTest
class PeerPidfdTest {
    @Test
    void aPeerThatExitedIsNoLongerThere() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (PeerProcesses.Peer peer = TestPeers.ofPid((int) sleeper.pid())) {
            assertTrue(peer.isStillThere(), "a live process");
            sleeper.destroyForcibly();
            assertTrue(sleeper.waitFor(30, TimeUnit.SECONDS), "the sleeper ended");
            // reaped: its /proc/<pid> may belong to a new process from now on, the pidfd knows
            assertFalse(peer.isStillThere(), "a process that has gone");
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
