package dev.jcni.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The do-nothing plugin run as a real process, as a runtime would exec it. */
class NoopPluginProcessTest {

    record Run(int exit, String stdout, String stderr) {
    }

    static Run exec(Map<String, String> env, String stdin) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), NoopPlugin.class.getName());
        pb.environment().keySet().removeIf(k -> k.startsWith("CNI_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static final String CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"demo\",\"type\":\"noop\"}";

    @Test
    void answersVersion() throws Exception {
        Run r = exec(Map.of("CNI_COMMAND", "VERSION"), "{\"cniVersion\":\"1.0.0\"}");
        assertEquals(0, r.exit(), r.toString());
        PluginInfo info = PluginInfo.fromJson(r.stdout().getBytes(StandardCharsets.UTF_8));
        assertEquals("1.0.0", info.cniVersion());
        assertEquals(List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"), info.supportedVersions());
    }

    @Test
    void answersAddWithTheFixedResult() throws Exception {
        Run r = exec(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_NETNS", "/run/netns/demo",
                "CNI_IFNAME", "eth0", "CNI_PATH", "/opt/cni/bin"), CONF);
        assertEquals(0, r.exit(), r.toString());
        Result result = Result.fromJson(r.stdout().getBytes(StandardCharsets.UTF_8));
        assertEquals("1.0.0", result.cniVersion());
        assertEquals("10.22.0.2/24", result.ips().get(0).address().toString());
        assertEquals("/run/netns/demo", result.interfaces().get(0).sandbox());
        assertEquals("", r.stderr());
    }

    @Test
    void answersBadInputWithAnErrorOnStdoutAndExit1() throws Exception {
        Run r = exec(Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_NETNS", "/run/netns/demo",
                "CNI_IFNAME", "eth0"), "{\"cniVersion\":\"1.0.0\",\"name\":\"bad name\"}");
        assertEquals(1, r.exit());
        CniException e = CniException.fromJson(r.stdout().getBytes(StandardCharsets.UTF_8));
        assertEquals(7, e.code());
        assertEquals("invalid characters found in network name", e.msg());
        assertEquals("bad name", e.details());
        assertTrue(!r.stdout().contains("Exception"), "no stack trace on stdout");
    }

    @Test
    void printsAboutWithoutCommand() throws Exception {
        Run r = exec(Map.of(), "");
        assertEquals(0, r.exit());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().startsWith("CNI noop plugin (jcni example)\nCNI protocol versions supported: 0.1.0"), r.stderr());
    }
}
