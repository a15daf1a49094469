package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.KernelTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * install.sh run by root (as on a node: {@code sudo target/cni/install.sh}) on a distribution that
 * someone else built and can still write to. Tagged kernel: it needs root to chown and to install.
 */
@KernelTest
class InstallIT {
    /** The uid and gid of nobody: the builder of the distribution, an unprivileged user. */
    static final String BUILDER = "65534:65534";

    record Outcome(int status, String output) {
    }

    static Outcome run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), command + " did not finish");
        return new Outcome(p.exitValue(), out);
    }

    static void ok(String... command) throws IOException, InterruptedException {
        Outcome o = run(List.of(command));
        assertEquals(0, o.status(), String.join(" ", command) + ": " + o.output());
    }

    /** A copy of target/cni owned by an unprivileged user, everything in it group- and other-writable. */
    static Path foreignDist(Path dir) throws IOException, InterruptedException {
        Path copy = LauncherIT.copyDist(dir.resolve("built-by-nobody"));
        ok("chown", "-R", BUILDER, copy.toString());
        ok("chmod", "-R", "go+w", copy.toString());
        return copy;
    }

    static List<Path> tree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.sorted().toList();
        }
    }

    /** @return the uid and gid of this JVM, the installer (0 and 0 for root) */
    static int[] installer() throws IOException {
        int uid = -1;
        int gid = -1;
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Uid:")) {
                uid = Integer.parseInt(l.split("\\s+")[2]);
            } else if (l.startsWith("Gid:")) {
                gid = Integer.parseInt(l.split("\\s+")[2]);
            }
        }
        return new int[] {uid, gid};
    }

    /**
     * Every installed file, directory and link: the installer's (root's when root installs), and
     * writable by it alone: 0755 directories and executables, 0644 the rest.
     *
     * @return how many files and directories were checked
     */
    static int assertRootsAlone(Path installed) throws IOException {
        int[] owner = installer();
        int checked = 0;
        for (Path p : tree(installed)) {
            if (Files.isSymbolicLink(p)) {
                assertEquals(owner[0], Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS), p + " (link)");
                continue;
            }
            assertEquals(owner[0], Files.getAttribute(p, "unix:uid"), p + " is not the installer's");
            assertEquals(owner[1], Files.getAttribute(p, "unix:gid"), p + " is not in the installer's group");
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            String mode = PosixFilePermissions.toString(perms);
            if (Files.isDirectory(p) || perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
                assertEquals("rwxr-xr-x", mode, p.toString());
            } else {
                assertEquals("rw-r--r--", mode, p.toString());
            }
            checked++;
        }
        return checked;
    }

    @Test
    void whatRootInstallsFromAnotherUsersDistributionIsRootsAlone(@TempDir Path dir) throws Exception {
        Path source = foreignDist(dir);
        assertEquals(65534, Files.getAttribute(source.resolve("lib/jcni-shim"), "unix:uid"), "the copy is nobody's");
        assertTrue(PosixFilePermissions.toString(Files.getPosixFilePermissions(source.resolve("bin/ptp"))).equals("rwxrwxrwx"));
        Path bin = dir.resolve("node/opt/cni/bin");
        ok(source.resolve("install.sh").toString(), "--bin-dir", bin.toString(), "--no-train",
                "--java-home", System.getProperty("java.home"));

        List<Path> installed = new ArrayList<>(List.of(bin.resolve("ptp"), bin.resolve("jcni"),
                bin.resolve("jcni-lib/reference/current/jcni-shim"), bin.resolve("jcni-lib/reference/current/jcni-daemon"),
                bin.resolve("jcni-lib/reference/current/java-home")));
        for (Path p : installed) {
            assertTrue(Files.exists(p), p + " installed");
        }
        int checked = assertRootsAlone(dir.resolve("node"));
        assertTrue(checked > 30, "every file of the distribution was looked at: " + checked);
        for (String jar : Dist.classPathJars(bin.resolve("jcni-lib/reference/current"))) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    bin.resolve("jcni-lib/reference/current").resolve(jar))), jar);
        }
        LauncherIT.assertVersionAnswer(Dist.run(bin.resolve("host-local"), Map.of("CNI_COMMAND", "VERSION", "JCNI_WARM", "off"),
                LauncherIT.VERSION_IN));
    }

    @Test
    void aDestinationOthersCanChangeIsRefusedAndNothingIsInstalled(@TempDir Path dir) throws Exception {
        Path install = Dist.bin().getParent().resolve("install.sh");
        // a parent writable by all, without the sticky bit: anyone could rename bin and put another one there
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Outcome parent = run(List.of(install.toString(), "--no-train", "--bin-dir", open.resolve("cni/bin").toString()));
        assertEquals(1, parent.status(), parent.output());
        assertTrue(parent.output().contains("refusing to install under " + open + ": others can write to it (drwxrwxrwx)"),
                parent.output());
        assertFalse(Files.exists(open.resolve("cni")), "nothing created");

        // the bin directory itself writable by its group
        Path groupBin = Files.createDirectory(dir.resolve("group-bin"));
        Files.setPosixFilePermissions(groupBin, PosixFilePermissions.fromString("rwxrwxr-x"));
        Outcome group = run(List.of(install.toString(), "--no-train", "--bin-dir", groupBin.toString()));
        assertEquals(1, group.status(), group.output());
        assertTrue(group.output().contains("refusing to install under " + groupBin + ": others can write to it (drwxrwxr-x)"),
                group.output());
        try (Stream<Path> s = Files.list(groupBin)) {
            assertEquals(List.of(), s.toList());
        }

        // a bin directory of another user's
        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        ok("chown", BUILDER, theirs.toString());
        Outcome owner = run(List.of(install.toString(), "--no-train", "--bin-dir", theirs.toString()));
        assertEquals(1, owner.status(), owner.output());
        assertTrue(owner.output().contains("refusing to install under " + theirs + ": it belongs to uid 65534"),
                owner.output());

        // through a symbolic link to an open directory: the directory it resolves to counts
        Path link = Files.createSymbolicLink(dir.resolve("link"), open);
        Outcome linked = run(List.of(install.toString(), "--no-train", "--bin-dir", link.resolve("bin").toString()));
        assertEquals(1, linked.status(), linked.output());
        assertTrue(linked.output().contains("others can write to it"), linked.output());
        assertFalse(Files.exists(open.resolve("bin")), "nothing created");
    }

    /** The JVM pinned with --java-home runs as root on every call: one that others can change is refused. */
    @Test
    void aJavaHomeOthersCanChangeIsRefused(@TempDir Path dir) throws Exception {
        Path install = Dist.bin().getParent().resolve("install.sh");
        Path home = Files.createDirectories(dir.resolve("jdk/bin")).getParent();
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\nexec '" + System.getProperty("java.home")
                + "/bin/java' \"$@\"\n");
        Files.copy(Path.of(System.getProperty("java.home"), "release"), home.resolve("release"));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path bin = dir.resolve("bin");
        Map<Path, String> modes = new java.util.LinkedHashMap<>();
        modes.put(home.resolve("bin"), "rwxrwxr-x");
        modes.put(java, "rwxr-xrwx");
        modes.put(home, "rwxrwxrwx");
        for (Map.Entry<Path, String> m : modes.entrySet()) {
            String before = PosixFilePermissions.toString(Files.getPosixFilePermissions(m.getKey()));
            Files.setPosixFilePermissions(m.getKey(), PosixFilePermissions.fromString(m.getValue()));
            Outcome o = run(List.of(install.toString(), "--no-train", "--java-home", home.toString(), "--bin-dir", bin.toString()));
            assertEquals(1, o.status(), o.output());
            assertTrue(o.output().contains("refusing to run the JVM of " + m.getKey() + ": others can write to it"), o.output());
            assertFalse(Files.exists(bin), "nothing installed");
            Files.setPosixFilePermissions(m.getKey(), PosixFilePermissions.fromString(before));
        }
        ok("chown", BUILDER, java.toString());
        Outcome theirs = run(List.of(install.toString(), "--no-train", "--java-home", home.toString(), "--bin-dir", bin.toString()));
        assertEquals(1, theirs.status(), theirs.output());
        assertTrue(theirs.output().contains("refusing to run the JVM of " + java + ": it belongs to uid 65534"), theirs.output());
        ok("chown", "0:0", java.toString());
        ok(install.toString(), "--no-train", "--java-home", home.toString(), "--bin-dir", bin.toString());
        assertEquals(home + "\n", Files.readString(bin.resolve("jcni-lib/reference/current/java-home")));
        LauncherIT.assertVersionAnswer(Dist.run(bin.resolve("host-local"), Map.of("CNI_COMMAND", "VERSION", "JCNI_WARM", "off"),
                LauncherIT.VERSION_IN));
    }

    /** A previous version installed by an older install.sh (owned by its builder, group-writable) is not kept. */
    @Test
    void aPreviousVersionOthersCanChangeIsRemoved(@TempDir Path dir) throws Exception {
        Path install = Dist.bin().getParent().resolve("install.sh");
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path home = Files.createDirectories(bin.resolve("jcni-lib/reference"));
        Path stale = LauncherIT.copyDist(dir.resolve("stale")).resolve("lib");
        Path previous = home.resolve("0123456789abcdef01234567");
        Files.move(stale, previous);
        ok("chown", "-R", BUILDER, previous.toString());
        ok("chmod", "-R", "g+w", previous.toString());
        Files.createSymbolicLink(home.resolve("current"), previous.getFileName());
        ok(install.toString(), "--no-train", "--bin-dir", bin.toString());
        assertFalse(Files.exists(previous), "the previous version others could change is gone");
        assertRootsAlone(bin);
    }

    /**
     * A bin directory whose path holds a space, {@code #}, {@code &}, {@code %} and {@code $}: the
     * launchers are installed there, and the unit's ExecStart names the daemon's launcher exactly, as
     * systemd reads it (systemd-analyze checks that it is an executable file).
     */
    @Test
    void aBinDirectoryWithCharactersSedAndSystemdTreatSpeciallyIsInstalledExactly(@TempDir Path dir) throws Exception {
        Path source = foreignDist(dir);
        Path install = source.resolve("install.sh");
        Path bin = dir.resolve("cni bin#1&2%n$HOME");
        Path units = dir.resolve("units");
        ok(install.toString(), "--no-train", "--warm", "--unit-dir", units.toString(), "--bin-dir", bin.toString());
        assertRootsAlone(units);
        LauncherIT.assertVersionAnswer(Dist.run(bin.resolve("ptp"), Map.of("CNI_COMMAND", "VERSION", "JCNI_WARM", "off"),
                LauncherIT.VERSION_IN));
        Path unit = units.resolve("jcni-reference.service");
        Path daemon = bin.resolve("jcni-lib/reference/current/jcni-daemon");
        assertTrue(Files.isExecutable(daemon));
        String execStart = Files.readAllLines(unit).stream().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow();
        assertEquals(List.of(daemon.toString()), SystemdCommandLine.words(execStart.substring("ExecStart=".length())),
                execStart);
        Outcome verify = run(List.of("systemd-analyze", "verify", "--man=no", unit.toString()));
        assertEquals(new Outcome(0, ""), verify, "systemd reads the unit and finds the daemon's launcher");
        Files.writeString(unit, Files.readString(unit).replace("/jcni-daemon\"", "/no-such-daemon\""));
        Outcome control = run(List.of("systemd-analyze", "verify", "--man=no", unit.toString()));
        assertTrue(control.output().contains(bin + "/jcni-lib/reference/current/no-such-daemon is not executable"),
                "a wrong path is what systemd-analyze would have said: " + control);

        ok(install.toString(), "--uninstall", "--unit-dir", units.toString(), "--bin-dir", bin.toString());
        assertFalse(Files.exists(unit));
        try (Stream<Path> s = Files.list(bin)) {
            assertEquals(List.of(), s.toList(), "uninstalled");
        }
    }

    /**
     * A backslash and quotes in the bin directory: the launchers work there, but systemd refuses to
     * start an executable with such a path, so warm mode is refused up front, with nothing installed.
     */
    @Test
    void aBinDirectorySystemdCannotStartFromIsRefusedForWarmModeOnly(@TempDir Path dir) throws Exception {
        Path install = Dist.bin().getParent().resolve("install.sh");
        Path bin = dir.resolve("cni\\bin \"q' #&");
        Outcome warm = run(List.of(install.toString(), "--no-train", "--warm", "--unit-dir", dir.resolve("units").toString(),
                "--bin-dir", bin.toString()));
        assertEquals(1, warm.status(), warm.output());
        assertTrue(warm.output().contains("systemd cannot start an executable whose path holds a backslash"), warm.output());
        assertFalse(Files.exists(bin), "nothing installed");
        assertFalse(Files.exists(dir.resolve("units")), "nothing installed");

        ok(install.toString(), "--no-train", "--bin-dir", bin.toString());
        LauncherIT.assertVersionAnswer(Dist.run(bin.resolve("host-local"), Map.of("CNI_COMMAND", "VERSION", "JCNI_WARM", "off"),
                LauncherIT.VERSION_IN));
    }

    /**
     * systemd's reading of the executable's word of a command line (systemd.service(5), "Command
     * lines"): words apart at blanks, a word in double quotes, {@code %%} a literal %; {@code $} is
     * not expanded in the executable's name. Enough to check what install.sh writes.
     */
    static final class SystemdCommandLine {
        static List<String> words(String line) {
            List<String> words = new ArrayList<>();
            StringBuilder w = null;
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (!quoted && c == ' ') {
                    if (w != null) {
                        words.add(w.toString());
                        w = null;
                    }
                    continue;
                }
                if (w == null) {
                    w = new StringBuilder();
                }
                if (c == '"') {
                    quoted = !quoted;
                } else if (c == '\\') {
                    throw new AssertionError("systemd refuses an executable's name with a backslash: " + line);
                } else if (c == '%' && i + 1 < line.length() && line.charAt(i + 1) == c) {
                    w.append(c);
                    i++;
                } else if (c == '%') {
                    throw new AssertionError("a specifier systemd would expand: " + line.substring(i));
                } else {
                    w.append(c);
                }
            }
            if (quoted) {
                throw new AssertionError("unbalanced quotes: " + line);
            }
            if (w != null) {
                words.add(w.toString());
            }
            return words;
        }
    }
}
