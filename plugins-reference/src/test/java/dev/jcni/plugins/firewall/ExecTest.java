package dev.jcni.plugins.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.internal.CallContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The firewall tools run with a real bound: a tool that hangs holding its output open, or that fills
 * one pipe while the other is read, never hangs the call. (The preemptive timeouts only turn a hang of
 * a broken implementation into a failure; nothing here asserts how long anything took.)
 */
class ExecTest {
    static final Duration GUARD = Duration.ofSeconds(60);

    @Test
    void aToolThatHangsHoldingStdoutOpenIsKilledWithItsChildrenAtTheTimeout(@TempDir Path dir) throws Exception {
        Path pidFile = dir.resolve("child.pid");
        // the shell waits for a child that holds stdout open
        List<String> cmd = List.of("sh", "-c", "sleep 600 & echo $! > " + pidFile + "; wait");
        IOException e = assertTimeoutPreemptively(GUARD,
                () -> assertThrows(IOException.class, () -> Exec.run(null, cmd, Duration.ofSeconds(3))));
        assertTrue(e.getMessage().contains("timed out after 3 s; killed"), e.getMessage());
        assertTrue(Files.exists(pidFile), "the shell started its child before the timeout");
        long child = Long.parseLong(Files.readString(pidFile).strip());
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "the child was killed too");
    }

    @Test
    void bothPipesAreReadWhileTheToolRuns() throws Exception {
        // 1 MiB on stderr before anything on stdout: reading stdout first would wait for ever
        List<String> cmd = List.of("sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' e >&2; echo out; exit 3");
        Exec.Result r = assertTimeoutPreemptively(GUARD, () -> Exec.run(null, cmd));
        assertEquals(3, r.exitCode());
        assertEquals("out\n", r.stdout());
        assertEquals(1 << 20, r.stderr().length());
    }

    @Test
    void stdinReachesTheTool() throws Exception {
        Exec.Result r = Exec.run("a script\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of("cat"));
        assertTrue(r.ok());
        assertEquals("a script\n", r.stdout());
    }

    @Test
    void iptablesAndItsRestoreWaitForTheXtablesLockBoundedly(@TempDir Path dir) throws Exception {
        // stand-ins on the call's PATH that record their arguments
        for (String tool : List.of("iptables", "iptables-restore")) {
            Path p = Files.writeString(dir.resolve(tool), "#!/bin/sh\necho \"$@\" >> " + dir.resolve(tool + ".args") + "\ncat > /dev/null\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        CallContext.with(Map.of("PATH", dir + ":/usr/bin:/bin"), dir, () -> {
            Iptables ipt = Iptables.require(false);
            ipt.newChain("nat", "JCNI-TEST");
            ipt.restore("nat", List.of(List.of("-N", "JCNI-TEST2")));
            return null;
        });
        assertEquals("--wait 10 -t nat -N JCNI-TEST", Files.readString(dir.resolve("iptables.args")).strip());
        assertEquals("--noflush --wait 10", Files.readString(dir.resolve("iptables-restore.args")).strip());
    }
}
