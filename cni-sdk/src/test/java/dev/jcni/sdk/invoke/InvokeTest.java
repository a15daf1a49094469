package dev.jcni.sdk.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.invoke.PluginException.Failure;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InvokeTest {
    @TempDir
    Path tmp;
    FakePlugins fakes;

    static final byte[] CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"net\",\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8);

    @BeforeEach
    void setUp() {
        fakes = FakePlugins.in(tmp);
    }

    Map<String, String> env(String command) {
        return new InvokeArgs(command, "c1", "/run/netns/none", CniArgs.parse("A=1;B=2"), "eth0", fakes.path())
                .asEnv(System.getenv());
    }

    // ------------------------------------------------------------- lookup

    @Test
    void findInPathRejectsEmptyName() {
        PluginException e = assertThrows(PluginException.class, () -> Invoke.findInPath("", List.of("/a")));
        assertEquals("no plugin name provided", e.getMessage());
        assertEquals(Failure.NOT_FOUND, e.failure());
    }

    @Test
    void findInPathRejectsNameWithSlash() {
        PluginException e = assertThrows(PluginException.class, () -> Invoke.findInPath("../bridge", List.of("/a")));
        assertEquals("invalid plugin name: ../bridge", e.getMessage());
    }

    @Test
    void findInPathNeedsPaths() {
        PluginException e = assertThrows(PluginException.class, () -> Invoke.findInPath("bridge", List.of()));
        assertEquals("no paths provided", e.getMessage());
    }

    @Test
    void findInPathNamesPluginAndPathsWhenNotFound() {
        PluginException e = assertThrows(PluginException.class,
                () -> Invoke.findInPath("nope", List.of(tmp.resolve("a").toString(), tmp.resolve("b").toString())));
        assertEquals("failed to find plugin \"nope\" in path [" + tmp.resolve("a") + " " + tmp.resolve("b") + "]", e.getMessage());
    }

    @Test
    void findInPathTakesFirstRegularFileInPathOrder() throws Exception {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        Files.createDirectories(first.resolve("p"));
        Files.createDirectories(second);
        Files.writeString(second.resolve("p"), "");
        assertEquals(second.resolve("p"), Invoke.findInPath("p", List.of(first.toString(), second.toString())));
    }

    @Test
    void splitPathOfEmptyIsNoDirectories() {
        assertEquals(List.of(), Invoke.splitPath(""));
        assertEquals(List.of("/a", "/b"), Invoke.splitPath("/a:/b"));
    }

    // ---------------------------------------------------------------- exec

    @Test
    void execPassesCniVariablesOverCallerEnvironmentAndConfigOnStdin() {
        Path p = fakes.install("recorder", "rec");
        Map<String, String> base = new HashMap<>(System.getenv());
        base.put("CNI_COMMAND", "WRONG");
        base.put("JCNI_TEST_KEEP", "kept");
        Map<String, String> env = new InvokeArgs("ADD", "c1", "/run/netns/x", CniArgs.parse("K=V;K2=V2"), "eth1",
                List.of("/p1", "/p2")).asEnv(base);
        Result r = PluginExec.create().execPluginWithResult(p, CONF, env);
        assertEquals("1.0.0", r.cniVersion());
        assertEquals("ADD", fakes.env("rec", "ADD", "CNI_COMMAND"));
        assertEquals("c1", fakes.env("rec", "ADD", "CNI_CONTAINERID"));
        assertEquals("/run/netns/x", fakes.env("rec", "ADD", "CNI_NETNS"));
        assertEquals("K=V;K2=V2", fakes.env("rec", "ADD", "CNI_ARGS"));
        assertEquals("eth1", fakes.env("rec", "ADD", "CNI_IFNAME"));
        assertEquals("/p1:/p2", fakes.env("rec", "ADD", "CNI_PATH"));
        assertEquals("kept", fakes.env("rec", "ADD", "JCNI_TEST_KEEP"));
        assertEquals(new String(CONF, StandardCharsets.UTF_8), fakes.stdin("rec", "ADD"));
    }

    @Test
    void errorJsonKeepsPluginCodeMsgDetailsAndStderr() {
        Path p = fakes.install("error-json");
        PluginException e = assertThrows(PluginException.class, () -> PluginExec.create().execPlugin(p, CONF, env("ADD")));
        assertEquals(Failure.ERROR_REPORTED, e.failure());
        assertTrue(e.isPluginError());
        assertEquals(11, e.code());
        assertEquals("try again later", e.msg());
        assertEquals("the pool is locked", e.details());
        assertEquals("error-json: about to fail\n", e.stderr());
        assertEquals("try again later; the pool is locked (stderr: \"error-json: about to fail\")", e.getMessage());
    }

    @Test
    void stderrOnlyFailureQuotesStderrAndExitStatus() {
        Path p = fakes.install("stderr-only");
        PluginException e = assertThrows(PluginException.class, () -> PluginExec.create().execPlugin(p, CONF, env("ADD")));
        assertEquals(Failure.FAILED, e.failure());
        assertEquals("netplugin failed: \"cannot open /nonexistent: no such file\\n\": exit status 3", e.getMessage());
        assertEquals(3, e.exitStatus().getAsInt());
    }

    @Test
    void noOutputFailureSaysNoErrorMessageAndExitStatus() {
        Path p = fakes.install("no-output");
        PluginException e = assertThrows(PluginException.class, () -> PluginExec.create().execPlugin(p, CONF, env("DEL")));
        assertEquals("netplugin failed with no error message: exit status 1", e.getMessage());
        assertEquals(0, e.code());
    }

    @Test
    void pluginKilledBySignalIsReportedWithTheSignal() {
        Path p = fakes.install("killed");
        PluginException e = assertThrows(PluginException.class, () -> PluginExec.create().execPlugin(p, CONF, env("ADD")));
        assertEquals(Failure.KILLED_BY_SIGNAL, e.failure());
        assertEquals(11, e.signal().getAsInt());
        assertTrue(e.getMessage().startsWith("netplugin was killed by signal 11 (SIGSEGV)"), e.getMessage());
        assertTrue(e.getMessage().contains("killed: going down"), e.getMessage());
    }

    @Test
    void unparsableFailureOutputIsShown() {
        Path p = fakes.install("print");
        Map<String, String> env = env("ADD");
        env.put("FAKE_OUTPUT", "panic: oops");
        env.put("FAKE_EXIT", "2");
        PluginException e = assertThrows(PluginException.class, () -> PluginExec.create().execPlugin(p, CONF, env));
        assertTrue(e.getMessage().startsWith("netplugin failed but error parsing its diagnostic message \"panic: oops\": "),
                e.getMessage());
    }

    @Test
    void timeoutKillsWholeTreeWithSigkillWhenSigtermIsIgnored() throws Exception {
        Path p = fakes.install("ignore-term");
        PluginExec exec = PluginExec.create().withDeadline(Deadline.after(Duration.ofSeconds(3)).withGrace(Duration.ofMillis(500)));
        PluginException e = assertThrows(PluginException.class, () -> exec.execPlugin(p, CONF, env("ADD")));
        assertEquals(Failure.TIMED_OUT, e.failure());
        assertEquals(9, e.signal().getAsInt());
        assertTrue(e.getMessage().contains("SIGTERM was ignored for 500ms, killed by SIGKILL (2 processes)"), e.getMessage());
        assertAllGone(fakes.read("ignore-term.pids"));
    }

    @Test
    void timeoutStopsTreeWithSigtermWhenHonoured() throws Exception {
        Path p = fakes.install("honour-term");
        PluginExec exec = PluginExec.create().withDeadline(Deadline.after(Duration.ofSeconds(3)).withGrace(Duration.ofSeconds(20)));
        PluginException e = assertThrows(PluginException.class, () -> exec.execPlugin(p, CONF, env("ADD")));
        assertEquals(Failure.TIMED_OUT, e.failure());
        assertEquals(15, e.signal().getAsInt());
        assertTrue(e.getMessage().contains("stopped by SIGTERM (2 processes)"), e.getMessage());
        assertAllGone(fakes.read("honour-term.pids"));
    }

    static void assertAllGone(String pids) throws Exception {
        assertFalse(pids.isBlank(), "the plugin did not record its pids before the deadline");
        for (String pid : pids.trim().split("\\s+")) {
            var h = ProcessHandle.of(Long.parseLong(pid));
            if (h.isPresent()) {
                h.get().onExit().get();
            }
            assertFalse(ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " alive");
        }
    }

    @Test
    void textFileBusyFailsAfterBoundedRetriesNeverSucceedsEmpty() throws Exception {
        Path p = fakes.install("recorder", "busy");
        try (FileOutputStream writer = new FileOutputStream(p.toFile(), true)) {
            PluginExec exec = PluginExec.create().withTextFileBusyRetry(3, Duration.ofMillis(10));
            PluginException e = assertThrows(PluginException.class, () -> exec.execPlugin(p, CONF, env("DEL")));
            assertEquals(Failure.TEXT_FILE_BUSY, e.failure());
            assertEquals(11, e.code());
            assertTrue(e.getMessage().contains("through 3 attempts"), e.getMessage());
        }
        assertEquals(List.of(), fakes.calls("busy"));
    }

    // ------------------------------------------------------------- results

    @Test
    void resultWithoutCniVersionTakesConfigVersion() {
        Path p = fakes.install("no-version");
        Result r = PluginExec.create().execPluginWithResult(p, CONF, env("ADD"));
        assertEquals("1.0.0", r.cniVersion());
        assertEquals("10.99.1.2/24", r.ips().get(0).address().toString());
    }

    @Test
    void resultWithoutCniVersionUnderConfigWithoutVersionIs010() {
        Path p = fakes.install("no-version");
        byte[] conf = "{\"name\":\"net\",\"type\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        Result r = PluginExec.create().execPluginWithResult(p, conf, env("ADD"));
        assertEquals("0.1.0", r.cniVersion());
    }

    PluginException addWithOutput(String output) {
        Path p = fakes.install("print");
        Map<String, String> env = env("ADD");
        env.put("FAKE_OUTPUT", output);
        return assertThrows(PluginException.class, () -> PluginExec.create().execPluginWithResult(p, CONF, env));
    }

    @Test
    void nullResultIsAnErrorShowingTheBytes() {
        PluginException e = addWithOutput("null");
        assertEquals(Failure.BAD_OUTPUT, e.failure());
        assertEquals("failed to unmarshal raw result: the plugin printed \"null\" instead of a result", e.getMessage());
    }

    @Test
    void emptyResultIsAnError() {
        PluginException e = addWithOutput("");
        assertEquals("failed to unmarshal raw result: unexpected end of JSON input; the plugin printed nothing", e.getMessage());
        assertEquals(6, e.code());
    }

    @Test
    void nonJsonResultIsAnErrorShowingTheBytes() {
        PluginException e = addWithOutput("ok\n");
        assertTrue(e.getMessage().startsWith("failed to unmarshal raw result: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; the plugin printed \"ok\\n\""), e.getMessage());
    }

    @Test
    void resultOfWrongShapeIsAnErrorShowingTheBytes() {
        PluginException e = addWithOutput("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"nope\"}]}");
        assertTrue(e.getMessage().contains("the plugin printed \"{\\\"cniVersion\\\""), e.getMessage());
    }

    @Test
    void stderrOfSuccessfulPluginGoesToLogger() {
        Path p = fakes.install("recorder", "chatty");
        fakes.behave("chatty", "DEL", "err", "note: nothing to delete\n");
        List<String> lines = new ArrayList<>();
        PluginExec.create().withLogger(Loggers.collecting(lines)).execPluginWithoutResult(p, CONF, env("DEL"));
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("INFO plugin " + p + " (DEL) stderr: note: nothing to delete"), lines.get(0));
    }

    // ------------------------------------------------------------- VERSION

    @Test
    void versionProbeSendsDummyEnvironmentAndParsesAnswer() {
        Path p = fakes.install("recorder", "ver");
        PluginInfo info = Invoke.getVersionInfo(p);
        assertEquals(List.of("0.3.1", "0.4.0", "1.0.0", "1.1.0"), info.supportedVersions());
        assertEquals("VERSION", fakes.env("ver", "VERSION", "CNI_COMMAND"));
        assertEquals("dummy", fakes.env("ver", "VERSION", "CNI_NETNS"));
        assertEquals("dummy", fakes.env("ver", "VERSION", "CNI_IFNAME"));
        assertEquals("dummy", fakes.env("ver", "VERSION", "CNI_PATH"));
    }

    @Test
    void versionProbeUnknownCommandMeansOnly010() {
        Path p = fakes.install("old-plugin");
        assertEquals(List.of("0.1.0"), Invoke.getVersionInfo(p).supportedVersions());
    }

    @Test
    void versionProbeRejectsUndecodableAnswer() {
        Path p = fakes.install("recorder", "badver");
        fakes.behave("badver", "VERSION", "out", "{\"cniVersion\":\"1.0.0\"}");
        PluginException e = assertThrows(PluginException.class, () -> Invoke.getVersionInfo(p));
        assertEquals("decoding version info: missing field supportedVersions", e.getMessage());
        assertEquals(6, e.code());
    }

    @Test
    void versionProbeOfRealGoPluginListsItsVersions() {
        Path bridge = Path.of("/usr/lib/cni/bridge");
        dev.jcni.sdk.testsupport.Kernel.assumeGoPlugins();
        assertTrue(Invoke.getVersionInfo(bridge).supportedVersions().contains("1.0.0"));
    }

    // ---------------------------------------------------------- delegation

    Map<String, String> parentEnv(String command) {
        Map<String, String> env = new HashMap<>();
        env.put("CNI_COMMAND", command);
        env.put("CNI_CONTAINERID", "c9");
        env.put("CNI_NETNS", "/run/netns/parent");
        env.put("CNI_IFNAME", "eth3");
        env.put("CNI_ARGS", "IgnoreUnknown=1");
        env.put("CNI_PATH", "/nonexistent:" + fakes.bin());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("PARENT_ONLY", "yes");
        return env;
    }

    @Test
    void delegateAddReplacesOnlyCniCommandAndLooksUpParentCniPath() {
        fakes.install("recorder", "ipam");
        Map<String, String> parent = parentEnv("CHECK");
        Result r = Invoke.delegateAdd("ipam", CONF, parent);
        assertEquals("10.99.0.2/24", r.ips().get(0).address().toString());
        assertEquals("ADD", fakes.env("ipam", "ADD", "CNI_COMMAND"));
        assertEquals("c9", fakes.env("ipam", "ADD", "CNI_CONTAINERID"));
        assertEquals("eth3", fakes.env("ipam", "ADD", "CNI_IFNAME"));
        assertEquals("yes", fakes.env("ipam", "ADD", "PARENT_ONLY"));
        assertEquals("CHECK", parent.get("CNI_COMMAND"), "the parent's environment is not changed");
    }

    @Test
    void delegateAddRunsNoDelAfterTheDelegateReportedAnError() {
        // e.g. host-local refusing a duplicate allocation: a DEL would free the live attachment's address
        fakes.install("recorder", "ipam");
        fakes.behave("ipam", "ADD", "fail", "{\"code\":11,\"msg\":\"no addresses left\"}");
        PluginException e = assertThrows(PluginException.class, () -> Invoke.delegateAdd("ipam", CONF, parentEnv("ADD")));
        assertEquals(11, e.code());
        assertEquals("no addresses left", e.msg());
        assertEquals(List.of("ADD"), fakes.calls("ipam"));
    }

    @Test
    void delegateAddRunsDelOnADelegateThatFailedWithoutAnError() {
        fakes.install("recorder", "ipam");
        fakes.behave("ipam", "ADD", "fail", "half-way: not an error JSON");
        PluginException e = assertThrows(PluginException.class, () -> Invoke.delegateAdd("ipam", CONF, parentEnv("ADD")));
        assertEquals(Failure.FAILED, e.failure());
        assertEquals(List.of("ADD", "DEL"), fakes.calls("ipam"));
        assertEquals("c9", fakes.env("ipam", "DEL", "CNI_CONTAINERID"));
    }

    @Test
    void delegateAddRunsDelOnADelegateThatPrintedNoResult() {
        fakes.install("recorder", "ipam");
        fakes.behave("ipam", "ADD", "out", "garbage");
        PluginException e = assertThrows(PluginException.class, () -> Invoke.delegateAdd("ipam", CONF, parentEnv("ADD")));
        assertEquals(Failure.BAD_OUTPUT, e.failure());
        assertEquals(List.of("ADD", "DEL"), fakes.calls("ipam"));
    }

    @Test
    void theCleanupDelOfAnInterruptedCallRunsToTheEnd() {
        // a warm call whose caller went away: its thread is interrupted while the delegate runs
        fakes.install("recorder", "ipam");
        fakes.behave("ipam", "ADD", "fail", "stopped");
        Thread.currentThread().interrupt();
        PluginException e;
        try {
            e = assertThrows(PluginException.class, () -> Invoke.delegateAdd("ipam", CONF, parentEnv("ADD")));
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted();
        }
        // the ADD itself may have been stopped before it recorded anything: the DEL is what counts
        assertEquals(List.of(), List.of(e.getSuppressed()), "the DEL did not fail");
        List<String> calls = fakes.calls("ipam");
        assertEquals("DEL", calls.get(calls.size() - 1));
        assertEquals(new String(CONF, StandardCharsets.UTF_8), fakes.stdin("ipam", "DEL"), "the DEL read its whole stdin");
    }

    @Test
    void delegateCheckDelGcRunTheirVerb() {
        fakes.install("recorder", "ipam");
        Invoke.delegateCheck("ipam", CONF, parentEnv("CHECK"));
        Invoke.delegateDel("ipam", CONF, parentEnv("DEL"));
        Invoke.delegateGc("ipam", CONF, parentEnv("GC"));
        Invoke.delegateStatus("ipam", CONF, parentEnv("STATUS"));
        assertEquals(List.of("CHECK", "DEL", "GC", "STATUS"), fakes.calls("ipam"));
    }

    @Test
    void delegateStatusKeepsDelegateErrorCode() {
        fakes.install("recorder", "ipam");
        fakes.behave("ipam", "STATUS", "fail", "{\"code\":50,\"msg\":\"pool unavailable\"}");
        PluginException e = assertThrows(PluginException.class, () -> Invoke.delegateStatus("ipam", CONF, parentEnv("STATUS")));
        assertEquals(50, e.code());
        assertEquals("pool unavailable", e.msg());
    }

    @Test
    void delegateNotInParentCniPathIsNotFound() {
        PluginException e = assertThrows(PluginException.class, () -> Invoke.delegateDel("absent", CONF, parentEnv("DEL")));
        assertEquals(Failure.NOT_FOUND, e.failure());
        assertTrue(e.getMessage().startsWith("failed to find plugin \"absent\" in path [/nonexistent "), e.getMessage());
    }
}
