package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jcni add} (as a process) of a chain whose first plugin is jcni's host-local (it reserves
 * an address) and whose second fails: jcni sends DEL, so the reservation is released and the next
 * {@code add} succeeds; with {@code --no-cleanup} the next one fails with host-local's "duplicate
 * allocation", as after cnitool.
 */
class CliCleanupTest {
    @TempDir
    Path dir;

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private Path script(Path bin, String name, String body) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private Exec.Run jcni(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(Exec.jcniCommand());
        cmd.set(cmd.size() - 1, "dev.jcni.sdk.cli.Main");
        cmd.addAll(List.of(args));
        return Exec.finish(Exec.start(cmd, env, ""));
    }

    @Test
    void aFailedChainIsDeletedSoTheNextAddGetsItsAddressAgain() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path data = dir.resolve("data");
        StringBuilder hostLocal = new StringBuilder("exec");
        for (String a : Exec.jcniCommand()) {
            hostLocal.append(' ').append(quote(a));
        }
        script(bin, "host-local", hostLocal + "\n");
        Path failFlag = dir.resolve("fail");
        script(bin, "fails", "cat > /dev/null\nif [ \"$CNI_COMMAND\" = ADD ] && [ -e " + quote(failFlag.toString()) + " ]; then\n"
                + "  printf '{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"second plugin failed\"}'; exit 1\nfi\n"
                + "[ \"$CNI_COMMAND\" = ADD ] && printf '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.9.2/24\"}]}'\nexit 0\n");
        Path conf = Files.createDirectories(dir.resolve("net.d"));
        Files.writeString(conf.resolve("10-net1.conflist"), "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"plugins\":["
                + "{\"type\":\"host-local\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + data + "\","
                + "\"ranges\":[[{\"subnet\":\"10.1.9.0/30\"}]]}},{\"type\":\"fails\"}]}");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NETCONFPATH", conf.toString());
        env.put("CNI_PATH", bin.toString());
        String cache = dir.resolve("cache").toString();
        String netns = "/var/run/netns/jcni-cli-cleanup-absent";

        Files.createFile(failFlag);
        Exec.Run first = jcni(env, "--cache-dir", cache, "add", "net1", netns);
        assertEquals(1, first.exit(), first.toString());
        assertTrue(first.stderr().contains("jcni: plugin type=\"fails\" failed (add): second plugin failed (code 11); DEL sent"
                + " for the attempted attachment, which is removed (--no-cleanup keeps it)"), first.stderr());
        Files.delete(failFlag);
        Exec.Run second = jcni(env, "--cache-dir", cache, "add", "net1", netns);
        assertEquals(0, second.exit(), second.toString());
        assertTrue(second.stdout().contains("\"address\": \"10.1.9.2/24\""), second.stdout());
        assertEquals(0, jcni(env, "--cache-dir", cache, "del", "net1", netns).exit());

        // the same without the clean-up: host-local keeps the reservation of the failed attachment
        Files.createFile(failFlag);
        Exec.Run kept = jcni(env, "--cache-dir", cache, "--no-cleanup", "add", "net1", netns);
        assertEquals(1, kept.exit(), kept.toString());
        Files.delete(failFlag);
        Exec.Run duplicate = jcni(env, "--cache-dir", cache, "add", "net1", netns);
        assertEquals(1, duplicate.exit(), duplicate.toString());
        assertTrue(duplicate.stderr().contains("duplicate allocation is not allowed"), duplicate.stderr());
        assertEquals(0, jcni(env, "--cache-dir", cache, "del", "net1", netns).exit());
    }
}
