package dev.jcni.plugins.ip;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An IPAM plugin for GC and STATUS tests: Go's host-local v1.1.1 knows neither verb, so this script
 * answers them itself (recording the call) and hands every other verb to it.
 */
public final class FakeIpam {
    private FakeIpam() {
    }

    /** The plugin's name (ipam.type). */
    public static final String NAME = "jcni-test-ipam";

    /** @param dir a CNI_PATH directory of the test's own */
    public static void install(Path dir) throws IOException {
        Path p = dir.resolve(NAME);
        Files.writeString(p, "#!/bin/sh\necho \"$CNI_COMMAND\" >> '" + dir.resolve("calls") + "'\n"
                + "case \"$CNI_COMMAND\" in GC|STATUS) exit 0;; esac\nexec " + Fixture.GO.resolve("host-local") + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** @param dir the directory to remove */
    public static void remove(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(NAME));
        Files.deleteIfExists(dir.resolve("calls"));
        Files.deleteIfExists(dir);
    }
}
