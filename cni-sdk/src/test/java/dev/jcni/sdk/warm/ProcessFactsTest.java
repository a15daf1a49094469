package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each fact the daemon compares, one at a time: this process's own facts as the daemon's, and a
 * caller that differs from them in one fact only (those the end-to-end tests cannot set up with a
 * wrapper command: seccomp, ids, groups, cgroup, LSM label, limits the caller has more of).
 */
class ProcessFactsTest {
    static ProcessFacts self() throws Exception {
        long pid = ProcessHandle.current().pid();
        return ProcessFacts.of(pid, ProcessFacts.namespaceKinds(pid));
    }

    /** A copy of facts with one component replaced. */
    static ProcessFacts with(ProcessFacts f, String component, Object value) throws Exception {
        RecordComponent[] rc = ProcessFacts.class.getRecordComponents();
        Object[] args = new Object[rc.length];
        for (int i = 0; i < rc.length; i++) {
            args[i] = rc[i].getName().equals(component) ? value : rc[i].getAccessor().invoke(f);
        }
        Constructor<ProcessFacts> c = ProcessFacts.class.getDeclaredConstructor(
                Arrays.stream(rc).map(RecordComponent::getType).toArray(Class<?>[]::new));
        return c.newInstance(args);
    }

    /** The facts with the same cgroup path in every hierarchy. */
    static ProcessFacts inCgroup(ProcessFacts f, String path) throws Exception {
        Map<String, String> c = new LinkedHashMap<>();
        f.cgroups().forEach((k, v) -> c.put(k, path));
        return with(f, "cgroups", c);
    }

    static Stream<Arguments> differences() throws Exception {
        ProcessFacts own = self();
        Map<String, String> otherCgroups = new LinkedHashMap<>();
        own.cgroups().forEach((k, v) -> otherCgroups.put(k, "/kubepods.slice/pod1"));
        Map<String, String> daemonCgroups = new LinkedHashMap<>();
        own.cgroups().forEach((k, v) -> daemonCgroups.put(k, "/system.slice/jcni.service"));
        Map<String, String> siblingCgroups = new LinkedHashMap<>();
        own.cgroups().forEach((k, v) -> siblingCgroups.put(k, "/system.slice/containerd.service"));
        ProcessFacts belowConmon = inCgroup(own, "/libpod_parent/conmon/jcni");
        String limits = "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max open files            1024                 4096                 files     \n"
                + "Max processes             unlimited            unlimited            processes \n";
        String lowerHard = limits.replace("4096                 files", "2048                 files");
        String higherSoft = limits.replace("unlimited            unlimited            processes",
                "100                  unlimited            processes");
        return Stream.of(
                Arguments.of("seccomp", own, with(own, "seccomp", "2/1"), "its seccomp (mode/filters 2/1)"),
                Arguments.of("uids", own, with(own, "uids", "0\t1000\t0\t0"), "its uids/gids (0\t1000\t0\t0"),
                Arguments.of("groups", with(own, "groups", Set.of(0, 4)), with(own, "groups", Set.of(4)),
                        "its supplementary groups [4] lack some of the daemon's [0, 4]"),
                Arguments.of("cgroup elsewhere", with(own, "cgroups", daemonCgroups), with(own, "cgroups", otherCgroups),
                        "is outside the daemon's /system.slice"),
                Arguments.of("cgroup beside the daemon's", with(own, "cgroups", daemonCgroups),
                        with(own, "cgroups", siblingCgroups), ""),
                // a daemon placed with --cgroup below podman's conmon cgroup: podman in the root
                // cgroup (ADD) and its cleanup in conmon's (DEL) have it all; nobody else gains
                Arguments.of("a daemon below the caller's cgroup (the root)", belowConmon, inCgroup(own, "/"), ""),
                Arguments.of("a daemon below the caller's cgroup", belowConmon, inCgroup(own, "/libpod_parent"), ""),
                Arguments.of("a caller in the daemon's parent cgroup (conmon's)", belowConmon,
                        inCgroup(own, "/libpod_parent/conmon"), ""),
                Arguments.of("a daemon below conmon, a caller in a user's slice", belowConmon,
                        inCgroup(own, "/user.slice/session-1.scope"), "is outside the daemon's /libpod_parent/conmon"),
                Arguments.of("a daemon below conmon, a caller in a container's cgroup", belowConmon,
                        inCgroup(own, "/libpod_parent/libpod-abc"), "is outside the daemon's /libpod_parent/conmon"),
                Arguments.of("LSM label", with(own, "lsmLabel", "unconfined"), with(own, "lsmLabel", "cri-containerd.apparmor.d"),
                        "its LSM label \"cri-containerd.apparmor.d\" is not the daemon's \"unconfined\""),
                Arguments.of("a lower hard limit", with(own, "limitsText", limits), with(own, "limitsText", lowerHard),
                        "its limit \"Max open files\" (1024/2048) is below the daemon's (1024/4096)"),
                Arguments.of("a daemon with less", with(own, "limitsText", higherSoft), with(own, "limitsText", limits),
                        ""),
                Arguments.of("open files: the soft limit a JVM raises", with(own, "limitsText",
                        limits.replace("1024                 4096", "4096                 4096")),
                        with(own, "limitsText", limits), ""),
                Arguments.of("processes: the soft limit", with(own, "limitsText", limits), with(own, "limitsText", higherSoft),
                        "its limit \"Max processes\" (100/unlimited) is below the daemon's (unlimited/unlimited)"),
                Arguments.of("the daemon itself", own, own, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differences")
    void eachFactIsCompared(String what, ProcessFacts daemon, ProcessFacts caller, String lack) {
        Optional<String> found = caller.lackOf(daemon);
        if (lack.isEmpty()) {
            assertEquals(Optional.empty(), found, what);
        } else {
            assertEquals(true, found.isPresent() && found.get().contains(lack), what + ": " + found);
        }
    }

    @org.junit.jupiter.api.Test
    void limitsAreReadAsTheKernelWritesThem() throws Exception {
        Map<String, long[]> l = ProcessFacts.limits(
                "Limit                     Soft Limit           Hard Limit           Units     \n"
                + "Max realtime timeout      unlimited            unlimited            us        \n"
                + "Max open files            1024                 4096                 files     \n");
        assertEquals(List.of("Max realtime timeout", "Max open files"), List.copyOf(l.keySet()));
        assertEquals(List.of(Long.MAX_VALUE, Long.MAX_VALUE), List.of(l.get("Max realtime timeout")[0],
                l.get("Max realtime timeout")[1]));
        assertEquals(List.of(1024L, 4096L), List.of(l.get("Max open files")[0], l.get("Max open files")[1]));
    }
}
