package dev.jcni.sdk.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.internal.PluginLoaderTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
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

    @Test
    void onlyAMainTheDistributionListsRunsInProcess(@TempDir Path dir) throws IOException {
        Set<String> mains = Set.of("good.Main");
        Path listed = Files.writeString(dir.resolve("good"), "#!/bin/sh\n# jcni-launcher dist=d id=abc main=good.Main kind=plugin\n");
        Path other = Files.writeString(dir.resolve("other"), "#!/bin/sh\n# jcni-launcher dist=d id=abc main=evil.Main kind=plugin\n");
        assertEquals(Optional.of("good.Main"), InProcess.mainOf(listed, "abc", mains));
        assertEquals(Optional.empty(), InProcess.mainOf(other, "abc", mains), "a marker naming an unlisted class is exec'd");
        assertEquals(Optional.empty(), InProcess.mainOf(listed, "xyz", mains), "another distribution's launcher is exec'd");
    }

    /** A plugin's compiled entry point (an ELF file, bin/PLUGIN) carries the marker as its last line. */
    @Test
    void aCompiledEntryPointRunsInProcessByTheMarkerAtItsEnd(@TempDir Path dir) throws IOException {
        Set<String> mains = Set.of("good.Main");
        byte[] elf = new byte[40_000];
        elf[0] = 0x7f;
        elf[1] = 'E';
        elf[2] = 'L';
        elf[3] = 'F';
        Path entry = dir.resolve("good");
        Files.write(entry, elf);
        Files.write(entry, "\n# jcni-launcher dist=d id=abc main=good.Main kind=plugin name=good\n".getBytes(StandardCharsets.US_ASCII),
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(Optional.of("good.Main"), InProcess.mainOf(entry, "abc", mains));
        assertEquals(Optional.empty(), InProcess.mainOf(entry, "xyz", mains), "another distribution's entry point is exec'd");
        Path bare = Files.write(dir.resolve("bare"), elf);
        assertEquals(Optional.empty(), InProcess.mainOf(bare, "abc", mains), "an ELF file without the marker is exec'd");
        Path notElf = Files.write(dir.resolve("not-elf"), new byte[100]);
        Files.write(notElf, "\n# jcni-launcher dist=d id=abc main=good.Main kind=plugin name=good\n".getBytes(StandardCharsets.US_ASCII),
                java.nio.file.StandardOpenOption.APPEND);
        assertEquals(Optional.empty(), InProcess.mainOf(notElf, "abc", mains), "the last line counts in an ELF file only");
    }

    @Test
    void theListIsTheDistributionFilesPluginsWhenItNamesThisJvmsId(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("jcni-dist.properties"),
                "id=abc\nname=d\nplugin.a=a.Main\nplugin.b=b.Main\ncommand.x=x.Main\nclass-path=a.jar\n");
        assertEquals(Set.of("a.Main", "b.Main"), InProcess.pluginMains(file, "abc"));
        assertEquals(Set.of(), InProcess.pluginMains(file, "other"));
        assertEquals(Set.of(), InProcess.pluginMains(dir.resolve("missing"), "abc"));
    }

    @Test
    void aDelegateWhoseMainExitsOnAnyExceptionRunsInProcessWithoutEndingTheParent() {
        Map<String, String> env = Map.of("CNI_COMMAND", "VERSION", "PATH", "/usr/bin:/bin");
        InProcess.Outcome o = InProcess.run(PluginLoaderTest.ExitsOnException.class.getName(),
                "{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8), env).orElseThrow();
        assertEquals(0, o.status(), new String(o.stderr(), StandardCharsets.UTF_8));
        assertTrue(new String(o.stdout(), StandardCharsets.UTF_8).contains("supportedVersions"));
    }
}
