package dev.jcni.sdk.invoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.PluginMain;
import dev.jcni.sdk.types.TraceContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A call's trace context: what plugin code sees, its log lines, and its delegates (in-process and exec'd). */
class TraceContextCallTest {
    static final String PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    static final byte[] CONF = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"t\"}".getBytes(StandardCharsets.UTF_8);

    static Map<String, String> del(String... more) {
        Map<String, String> env = new LinkedHashMap<>(Map.of("CNI_COMMAND", "DEL", "CNI_CONTAINERID", "c1", "CNI_IFNAME", "eth0",
                "PATH", "/usr/bin:/bin"));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    @Test
    void theRequestHasTheCallsTraceContextAndEveryLogLineItsTraceId() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = PluginMain.execute(new TracePlugin(), del("TRACEPARENT", PARENT, "TRACESTATE", "a=1", "BAGGAGE", "k=v",
                "JCNI_LOG_LEVEL", "debug"), new ByteArrayInputStream(CONF), new ByteArrayOutputStream(), err);
        assertEquals(0, code);
        assertEquals(Optional.of(new TraceContext(PARENT, "a=1", "k=v")), TracePlugin.SEEN.get());
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains(" WARNING TracePlugin trace_id=4bf92f3577b34da6a3ce929d0e0e4736: deleting\n"), log);
    }

    @Test
    void withoutTraceparentThereIsNoneAndTheLinesAreAsBefore() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PluginMain.execute(new TracePlugin(), del("TRACESTATE", "a=1"), new ByteArrayInputStream(CONF), new ByteArrayOutputStream(), err);
        assertEquals(Optional.empty(), TracePlugin.SEEN.get());
        assertTrue(err.toString(StandardCharsets.UTF_8).endsWith(" WARNING TracePlugin: deleting\n"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anInProcessDelegateSeesTheParentsTraceContext() {
        TracePlugin.SEEN.set(Optional.empty());
        InProcess.Outcome o = InProcess.run(TracePlugin.class.getName(), CONF, del("TRACEPARENT", PARENT)).orElseThrow();
        assertEquals(0, o.status(), new String(o.stderr(), StandardCharsets.UTF_8));
        assertEquals(Optional.of(TraceContext.of(PARENT)), TracePlugin.SEEN.get());
        assertTrue(new String(o.stderr(), StandardCharsets.UTF_8).contains("trace_id=4bf92f3577b34da6a3ce929d0e0e4736: deleting"));
    }

    @Test
    void anExecdDelegateGetsTheParentsTraceContext(@TempDir Path dir) {
        FakePlugins fakes = FakePlugins.in(dir);
        fakes.install("recorder", "ipam");
        Map<String, String> parent = del("TRACEPARENT", PARENT, "BAGGAGE", "k=v", "CNI_PATH", fakes.bin().toString(),
                "FAKE_DIR", fakes.state().toString());
        Invoke.delegateDel("ipam", CONF, parent);
        assertEquals(PARENT, fakes.env("ipam", "DEL", "TRACEPARENT"));
        assertEquals("k=v", fakes.env("ipam", "DEL", "BAGGAGE"));
    }
}
