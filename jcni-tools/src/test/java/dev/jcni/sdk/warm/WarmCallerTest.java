package dev.jcni.sdk.warm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.testsupport.WarmDist.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The daemon learns its caller from the kernel (SO_PEERCRED's pid, then {@code /proc/<pid>}) and
 * serves only a caller that has everything the daemon has: a root caller with fewer capabilities,
 * no_new_privs or other namespaces is refused and runs cold, whatever its request claims; JVM
 * settings in the environment, which only a cold JVM honours, are refused too.
 */
@KernelTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WarmCallerTest {
    static final String PLUGIN = "warmtest";
    static final String REFUSED = "jcni-shim: going cold: the daemon refused the call: ";

    @TempDir
    static Path dir;
    WarmDist dist;

    @BeforeAll
    void startDaemon() {
        dist = WarmDist.create(dir.resolve("dist"), Map.of(PLUGIN, WarmTestPlugin.class.getName()), WarmDist.testClassPath());
        dist.startDaemon();
    }

    @AfterAll
    void stopDaemon() {
        if (dist != null) {
            dist.close();
        }
    }

    private static Map<String, String> env(String... more) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        m.put("CNI_COMMAND", "VERSION");
        m.put("JCNI_WARM_DEBUG", "1");
        for (int i = 0; i < more.length; i += 2) {
            m.put(more[i], more[i + 1]);
        }
        return m;
    }

    private static final byte[] STDIN = "{\"cniVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    /** The launcher run under a wrapper (setpriv, unshare), as a runtime so confined would exec it. */
    private Run wrapped(Map<String, String> env, List<String> wrapper) {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(dist.launcher(PLUGIN).toString());
        return WarmDist.exec(cmd, env, STDIN, dir);
    }

    /** Waits (bounded) for the daemon's log to count a number of served calls. */
    private void assertServed(long expected) {
        for (int i = 0; i < 500 && dist.servedCalls() < expected; i++) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertEquals(expected, dist.servedCalls(), dist.daemonLog());
    }

    private void assertRefusedAndCold(Run r, String toCaller, String inLog, long servedBefore) {
        assertTrue(r.err().startsWith(REFUSED + toCaller + "\n"), r.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertArrayEquals(dist.cold(PLUGIN, env(), STDIN, dir).stdout(), r.stdout(), "the cold run answered");
        assertTrue(dist.daemonLogShows(inLog), "the daemon's log says why: " + inLog + "\n" + dist.daemonLog());
        assertEquals(servedBefore, dist.servedCalls(), "not served warm");
    }

    /** @return the capabilities this (root) test JVM has, so the daemon it started too */
    private static long allCaps() {
        try {
            return java.nio.file.Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapEff:"))
                    .map(l -> Long.parseUnsignedLong(l.substring(7).trim(), 16)).findFirst().orElseThrow();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPlainRootCallerIsServedWarm() {
        long served = dist.servedCalls();
        Run r = dist.warm(PLUGIN, env(), STDIN, dir);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("", r.err(), "served warm");
        assertServed(served + 1);
    }

    /**
     * Confined root callers, each as a runtime so confined would exec the launcher, and what the
     * daemon's log says of it.
     */
    static Stream<Arguments> confinedCallers() {
        return Stream.of(
                Arguments.of("without CAP_NET_ADMIN and CAP_SYS_ADMIN in its bounding set",
                        List.of("setpriv", "--bounding-set=-net_admin,-sys_admin"),
                        "its CapEff lacks capabilities the daemon has (bits 201000)"),
                // root without the root exec rule (securebit noroot) and nothing inheritable: its
                // exec'd launcher has no capabilities at all, so the cold plugin would have none
                Arguments.of("whose exec gets no capabilities", List.of("setpriv", "--inh-caps=-all", "--securebits=+noroot"),
                        "its CapEff lacks capabilities the daemon has (bits " + Long.toHexString(allCaps()) + ")"),
                Arguments.of("with no_new_privs", List.of("setpriv", "--no-new-privs"), "it has NoNewPrivs set"),
                Arguments.of("in another pid namespace", List.of("unshare", "--pid", "--fork"), "it is in another pid namespace"),
                Arguments.of("in another UTS namespace", List.of("unshare", "--uts"), "it is in another uts namespace"),
                Arguments.of("with a lower limit of processes", List.of("prlimit", "--nproc=64:64"),
                        "its limit \"Max processes\" (64/64) is below the daemon's"),
                Arguments.of("with a higher oom_score_adj", List.of("choom", "-n", "500", "--"),
                        "its oom_score_adj 500 is above the daemon's"));
    }

    @ParameterizedTest(name = "a root caller {0} runs cold")
    @MethodSource("confinedCallers")
    void aConfinedRootCallerRunsCold(String what, List<String> wrapper, String inLog) {
        long served = dist.servedCalls();
        Run r = wrapped(env(), wrapper);
        assertRefusedAndCold(r, Daemon.NOT_LIKE_THE_DAEMON, inLog, served);
    }

    @Test
    void jvmSettingsInTheEnvironmentRunCold() throws IOException {
        for (String[] setting : List.of(new String[] {"JAVA_TOOL_OPTIONS", "-Djcni.test=1", "Picked up JAVA_TOOL_OPTIONS"},
                new String[] {"JDK_JAVA_OPTIONS", "-Djcni.test=1", "Picked up JDK_JAVA_OPTIONS"},
                new String[] {"_JAVA_OPTIONS", "-Djcni.test=1", "Picked up _JAVA_OPTIONS"},
                new String[] {"JCNI_JAVA_HOME", System.getProperty("java.home"), ""})) {
            long served = dist.servedCalls();
            // the launcher keeps such a call from the shim: it runs cold, and the cold JVM honours it
            Run r = dist.warm(PLUGIN, env(setting[0], setting[1]), STDIN, dir);
            String what = setting[0] + ": " + r;
            assertTrue(r.err().startsWith("jcni " + PLUGIN + ": going cold: " + setting[0] + " is set\n"), what);
            assertTrue(r.err().contains(setting[2]), "the cold JVM honoured it: " + what);
            assertEquals(0, r.exitCode(), what);
            // and the daemon refuses it too, from a client that hands it over all the same
            byte[] req = RawClient.request(dist.id(), PLUGIN, Path.of("").toAbsolutePath().toString(), List.of(),
                    List.of("CNI_COMMAND=VERSION", setting[0] + "=" + setting[1]), new byte[0]);
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(dist.socket()))) {
                List<RawClient.Frame> frames = RawClient.handOver(ch, req);
                String why = setting[0] + (setting[0].endsWith("HOME") ? " asks for another JVM" : " asks for JVM options");
                assertEquals("R:" + why, frames.stream().filter(f -> f.type() != 'W').findFirst()
                        .map(f -> f.type() + ":" + f.text()).orElse("EOF"), what);
            }
            assertEquals(served, dist.servedCalls(), what);
        }
    }

    @Test
    void aForgedPidInTheRequestDoesNotHelp() {
        long served = dist.servedCalls();
        String cp = RawClient.class.getProtectionDomain().getCodeSource().getLocation().getPath() + ":"
                + Wire.class.getProtectionDomain().getCodeSource().getLocation().getPath();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String rootPid = Long.toString(ProcessHandle.current().pid());
        // a confined client naming a process that has it all (this JVM): its own facts decide
        Kernel.ExecResult confined = Kernel.exec("setpriv", "--bounding-set=-net_admin,-sys_admin", java,
                "-XX:-UsePerfData", "-cp", cp, RawClient.class.getName(), dist.socket().toString(), dist.id(), PLUGIN, rootPid);
        assertEquals("R:" + Daemon.NOT_LIKE_THE_DAEMON, confined.stdout().trim(), confined.stderr());
        assertTrue(dist.daemonLogShows("its CapEff lacks capabilities the daemon has (bits 201000)"), dist.daemonLog());
        // an unconfined client that lies about its pid is refused all the same
        Kernel.ExecResult liar = Kernel.exec(java, "-XX:-UsePerfData", "-cp", cp, RawClient.class.getName(),
                dist.socket().toString(), dist.id(), PLUGIN, rootPid);
        assertEquals("R:" + Daemon.NOT_LIKE_THE_DAEMON, liar.stdout().trim(), liar.stderr());
        assertTrue(dist.daemonLogShows("(pid " + rootPid + " sent)"), dist.daemonLog());
        // and the same client telling the truth is served
        Kernel.ExecResult honest = Kernel.exec(java, "-XX:-UsePerfData", "-cp", cp, RawClient.class.getName(),
                dist.socket().toString(), dist.id(), PLUGIN);
        assertEquals("S", honest.stdout().trim(), honest.stderr());
        assertServed(served + 1);
    }
}
