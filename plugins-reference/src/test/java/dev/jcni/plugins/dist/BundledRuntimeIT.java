package dev.jcni.plugins.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution's own Java runtime (lib/runtime, made by jlink at package time): the launchers
 * and the warm-mode daemon run on it unless told otherwise, and a node without any Java runs the
 * plugins cold and warm.
 */
class BundledRuntimeIT {
    private static final String VERSION_IN = "{\"cniVersion\":\"1.0.0\"}";

    private static Path lib() {
        return Dist.bin().getParent().resolve("lib");
    }

    private static Path runtime() throws IOException {
        return lib().resolve("runtime").toRealPath();
    }

    /** The value of a system property in {@code -XshowSettings:properties} output. */
    private static String property(String settings, String key) {
        Matcher m = Pattern.compile("(?m)^\\s+" + Pattern.quote(key) + " = (.*)$").matcher(settings);
        assertTrue(m.find(), key + " in: " + settings);
        return m.group(1);
    }

    @Test
    void theLaunchersRunTheBundledRuntimeWithTheDistributionsArchive(@TempDir Path dir) throws IOException {
        Path log = dir.resolve("classes.log");
        Dist.Run r = Dist.cni("host-local", "VERSION", Map.of("JCNI_JAVA_OPTS",
                "-XshowSettings:properties -Xlog:class+load=info:file=" + log, "JCNI_LOG_LEVEL", "debug"), VERSION_IN);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(runtime().toString(), property(r.stderr(), "java.home"), "the JVM that ran is the bundled one");
        assertTrue(r.stderr().contains("in " + runtime() + "; start-up archive " + lib().toRealPath().resolve("archives/runtime/_dist")),
                "the launcher says so and names the distribution's archive: " + r.stderr());
        String main = Files.readAllLines(log).stream().filter(l -> l.contains(" dev.jcni.plugins.hostlocal.HostLocal "))
                .findFirst().orElseThrow();
        assertTrue(main.contains("shared objects file (top)"), "the plugin's classes come from the distribution's archive: " + main);
    }

    @Test
    void jcniJavaHomeStillChoosesTheJvm() throws IOException {
        String other = Path.of(System.getProperty("java.home")).toRealPath().toString();
        Dist.Run r = Dist.cni("host-local", "VERSION", Map.of("JCNI_JAVA_HOME", other, "JCNI_JAVA_OPTS",
                "-XshowSettings:properties"), VERSION_IN);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(other, property(r.stderr(), "java.home"));
    }

    /** Only the modules the class path needs: jackson-databind's optional ones (java.desktop, java.sql) are not linked. */
    @Test
    void theRuntimeHoldsTheModulesThePackagerListed() throws IOException {
        String listed = Files.readAllLines(lib().resolve("jcni-dist.properties")).stream()
                .filter(l -> l.startsWith("runtime-modules=")).findFirst().orElseThrow().substring("runtime-modules=".length());
        String release = Files.readAllLines(runtime().resolve("release")).stream().filter(l -> l.startsWith("MODULES="))
                .findFirst().orElseThrow();
        List<String> modules = Arrays.asList(release.substring("MODULES=".length()).replace("\"", "").split(" "));
        assertEquals(List.of(listed.split(",")).stream().sorted().toList(), modules.stream().sorted().toList());
        assertTrue(modules.contains("java.base"), modules.toString());
        String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : System.getProperty("os.arch");
        assertTrue(Files.readAllLines(runtime().resolve("release")).contains("OS_ARCH=\"" + arch + "\""),
                "the release file names the runtime's architecture (jlink 17 leaves it out)");
        assertFalse(modules.contains("java.desktop") || modules.contains("java.sql"), modules.toString());
        assertFalse(Files.exists(runtime().resolve("include")) || Files.exists(runtime().resolve("man")), "no headers or man pages");
        try (var s = Files.walk(runtime())) {
            assertEquals(List.of(), s.filter(Files::isSymbolicLink).toList(), "no symbolic links (install.sh refuses them)");
        }
    }

    /**
     * Runs a launcher where no JVM is reachable: a private mount namespace with empty file systems
     * over the JVM directories (and over /run/jcni, so a daemon it starts is its own), no JAVA_HOME,
     * a PATH with no java; it checks that no java is found before it runs anything. With
     * {@code warm}, it starts the distribution's daemon there first and stops it after the call.
     */
    private static Path noJavaWrapper(Path dir, boolean warm) throws IOException {
        String hide = "#!/bin/sh\n"
                + "exec 3<&0\n"
                + "exec unshare -m --propagation private sh -c '\n"
                + "for d in /usr/lib/jvm /usr/java /opt/java; do\n"
                + "  [ ! -d \"$d\" ] || mount -t tmpfs -o size=1m none \"$d\" || exit 96\n"
                + "done\n"
                // the daemon's directory as the daemon wants it: root's, 0700
                + "mkdir -p /run/jcni && mount -t tmpfs -o size=1m,mode=0700 none /run/jcni || exit 96\n"
                + "unset JAVA_HOME JCNI_JAVA_HOME\n"
                + "if command -v java >/dev/null 2>&1 || [ -n \"$(ls -A /usr/lib/jvm)\" ]; then\n"
                + "  echo \"no-java: a java is reachable\" >&2; exit 97\n"
                + "fi\n";
        String script = warm
                ? hide + "lib=${1%/bin/*}/lib\n"
                        + "dist=$(sed -n \"s/^name=//p\" \"$lib/jcni-dist.properties\")\n"
                        + "JCNI_LOG_LEVEL=debug \"$lib/jcni-daemon\" </dev/null >/dev/null 2>\"$0\" &\n"
                        + "daemon=$!\n"
                        + "i=0\n"
                        + "while [ ! -S \"/run/jcni/$dist.sock\" ] && [ $i -lt 1200 ] && kill -0 $daemon 2>/dev/null; do\n"
                        + "  sleep 0.1; i=$((i+1))\n"
                        + "done\n"
                        + "\"$@\" 0<&3 &\n"
                        + "pid=$!\n"
                        + "wait $pid\n"
                        + "status=$?\n"
                        + "echo \"no-java: launcher pid $pid\" >&2\n"
                        + "kill $daemon 2>/dev/null\n"
                        + "wait $daemon\n"
                        + "exit $status\n"
                        + "' '" + dir.resolve("daemon.log") + "' \"$@\"\n"
                : hide + "exec \"$@\" 0<&3\n' sh \"$@\"\n";
        Path wrapper = dir.resolve(warm ? "no-java-warm" : "no-java");
        Files.writeString(wrapper, script);
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        return wrapper;
    }

    private static Dist.Run noJava(Path wrapper, String plugin, String command, Map<String, String> env, String conf) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("CNI_COMMAND", command);
        return Dist.run(List.of(wrapper.toString(), Dist.exe(plugin).toString()), e, conf);
    }

    /**
     * A node without Java: every plugin answers VERSION, and ptp with host-local (in-process) runs
     * ADD, CHECK and DEL on a scratch namespace, cold; then a call served warm by the daemon, which
     * runs on the bundled runtime too (its log has the call's pid), with nothing but that runtime.
     */
    @Test
    @KernelTest
    void aNodeWithoutJavaRunsThePluginsColdAndWarm(@TempDir Path dir) throws IOException {
        Path cold = noJavaWrapper(dir, false);
        for (String plugin : List.of("bridge", "ptp", "host-local", "portmap")) {
            Dist.Run v = noJava(cold, plugin, "VERSION", Map.of(), VERSION_IN);
            assertEquals(0, v.exitCode(), plugin + ": " + v);
            assertTrue(v.stdout().contains("\"supportedVersions\""), plugin + ": " + v);
        }
        try (Fixture f = new Fixture()) {
            TestNetns ns = f.netns();
            Map<String, String> env = f.env("nojava-cold", ns, "eth0");
            String conf = f.conf("1.0.0", "ptp", "", f.ipam4());
            Result added = noJava(cold, "ptp", "ADD", env, conf).result();
            assertEquals(f.prefix4 + "2", added.ips().get(0).address().address().getHostAddress());
            assertTrue(ns.exec("ip", "-o", "addr", "show", "dev", "eth0").stdout().contains(f.prefix4 + "2/"),
                    "the address is in the scratch namespace");
            noJava(cold, "ptp", "CHECK", env, Fixture.withPrev(conf, added)).assertQuietSuccess();
            noJava(cold, "ptp", "DEL", env, Fixture.withPrev(conf, added)).assertQuietSuccess();
            assertEquals(List.of(), f.leftovers(ns));

            Path warm = noJavaWrapper(dir, true);
            Map<String, String> warmEnv = new LinkedHashMap<>(f.env("nojava-warm", ns, "eth0"));
            warmEnv.put("JCNI_WARM", "");
            Dist.Run w = noJava(warm, "ptp", "ADD", warmEnv, conf);
            String daemonLog = Files.exists(dir.resolve("daemon.log")) ? Files.readString(dir.resolve("daemon.log")) : "";
            Result warmAdded = w.result();
            Matcher pid = Pattern.compile("no-java: launcher pid (\\d+)").matcher(w.stderr());
            assertTrue(pid.find(), w.stderr());
            assertTrue(daemonLog.lines().anyMatch(l -> l.contains(" served ") && l.contains(" for pid " + pid.group(1) + ":")),
                    "the daemon served the call: " + daemonLog + "\n" + w.stderr());
            noJava(cold, "ptp", "DEL", warmEnv, Fixture.withPrev(conf, warmAdded)).assertQuietSuccess();
            assertEquals(List.of(), f.leftovers(ns));
        }
    }
}
