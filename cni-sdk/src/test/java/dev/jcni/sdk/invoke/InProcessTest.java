package dev.jcni.sdk.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which executables run in-process: only launchers of this JVM's distribution. (The test JVM was
 * not started by a launcher, so it has no distribution id and runs nothing in-process; the
 * executable-level tests in plugins-reference prove the in-process runs themselves.)
 */
class InProcessTest {
    @Test
    void aJvmWithoutADistributionIdExecsEverything(@TempDir Path dir) throws IOException {
        Path launcher = Files.writeString(dir.resolve("p"), "#!/bin/sh\n# jcni-launcher dist=d id=abc main=a.B kind=plugin\n");
        assertEquals(Optional.empty(), InProcess.mainOf(launcher));
    }

    @Test
    void theMarkerIsReadFromTheFirstBytesOnly(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big");
        Files.write(big, new byte[1 << 20]);
        assertTrue(InProcess.mainOf(big).isEmpty());
        assertTrue(InProcess.mainOf(dir.resolve("missing")).isEmpty());
    }
}
