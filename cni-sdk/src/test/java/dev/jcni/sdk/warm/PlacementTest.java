package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The daemon's {@code --cgroup} and {@code --rlimit}: parsing, and where a cgroup path lives. */
class PlacementTest {

    @Test
    void takesItsOptionsOutOfTheCommandLine() {
        List<String> rest = new ArrayList<>();
        Placement p = Placement.extract(new String[] {"--dist", "d", "--cgroup", "/libpod_parent/conmon/jcni",
            "--rlimit", "nproc=32768", "--max-calls", "2", "--rlimit", "nofile=1024:unlimited"}, rest);
        assertEquals(List.of("--dist", "d", "--max-calls", "2"), rest);
        assertEquals(Optional.of("/libpod_parent/conmon/jcni"), p.cgroup());
        assertEquals(Map.of("nproc", new Placement.Limit("32768", "32768"), "nofile", new Placement.Limit("1024", "unlimited")),
                p.limits());
        assertEquals(Placement.NONE, Placement.extract(new String[] {"--dist", "d"}, new ArrayList<>()));
    }

    @Test
    void refusesWhatIsNotAPlainPathOrLimit() {
        for (String bad : List.of("/", "relative/x", "/a/../b", "/a//b", "/a/", "/a/./b", "/a:b", "/a b", "/a\nb")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Placement.extract(new String[] {"--cgroup", bad}, new ArrayList<>()), bad);
            assertTrue(e.getMessage().startsWith("--cgroup needs"), e.getMessage());
        }
        for (String bad : List.of("nproc", "procs=1", "nproc=", "nproc=-1", "nproc=2:1", "nproc=1:2:3", "nproc=x",
                "nofile=unlimited:10", "=5")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Placement.extract(new String[] {"--rlimit", bad}, new ArrayList<>()), bad);
            assertTrue(e.getMessage().startsWith("--rlimit needs"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Placement.extract(new String[] {"--cgroup"}, new ArrayList<>()));
    }

    @Test
    void aBadPlacementIsAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Daemon.run(new String[] {"--dist", "d", "--cgroup", "/a/../b"}, new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("--cgroup needs") && text.contains("[--cgroup PATH] [--rlimit NAME=SOFT[:HARD]]"), text);
    }

    /** A hybrid cgroup v1 node's mounts: co-mounted controllers, a named hierarchy, cgroup2 beside. */
    private static final String MOUNTINFO = String.join("\n",
            "22 1 0:21 / /sys rw,nosuid - sysfs sysfs rw",
            "30 22 0:26 / /sys/fs/cgroup ro - tmpfs tmpfs ro,mode=755",
            "31 30 0:27 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate",
            "32 30 0:28 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd",
            "33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct",
            "34 30 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory",
            "35 30 0:31 /kubepods /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids",
            "");

    @Test
    void findsEachHierarchysDirectory() throws IOException {
        String path = "/libpod_parent/conmon/jcni";
        assertEquals(Path.of("/sys/fs/cgroup/unified/libpod_parent/conmon/jcni"), Placement.directory("0:", path, MOUNTINFO));
        assertEquals(Path.of("/sys/fs/cgroup/systemd/libpod_parent/conmon/jcni"),
                Placement.directory("1:name=systemd", path, MOUNTINFO));
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct/libpod_parent/conmon/jcni"),
                Placement.directory("4:cpu,cpuacct", path, MOUNTINFO));
        assertEquals(Path.of("/sys/fs/cgroup/memory/libpod_parent/conmon/jcni"), Placement.directory("7:memory", path, MOUNTINFO));
        // a mount of a part of the hierarchy shows only what is under its root
        assertEquals(Path.of("/sys/fs/cgroup/pids/pod1/jcni"), Placement.directory("9:pids", "/kubepods/pod1/jcni", MOUNTINFO));
        IOException e = assertThrows(IOException.class, () -> Placement.directory("9:pids", path, MOUNTINFO));
        assertTrue(e.getMessage().contains("no mount of the cgroup hierarchy 9:pids"), e.getMessage());
        assertThrows(IOException.class, () -> Placement.directory("5:blkio", path, MOUNTINFO));
    }
}
