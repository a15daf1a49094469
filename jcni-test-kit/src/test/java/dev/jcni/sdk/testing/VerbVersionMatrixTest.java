package dev.jcni.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Command;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.testing.PluginHarness.Outcome;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.SpecVersions;
import dev.jcni.sdk.version.Version;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The sample plugin through the skel, in-process, for every verb and every spec version. */
class VerbVersionMatrixTest {

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (Command c : Command.values()) {
            for (String v : SpecVersions.ALL) {
                out.add(Arguments.of(c, v));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} with cniVersion {1}")
    @MethodSource("matrix")
    void everyVerbAtEveryVersion(Command command, String version) {
        SamplePlugin plugin = new SamplePlugin();
        String conf = "{\"cniVersion\":\"" + version + "\",\"name\":\"net\",\"type\":\"sample\",\"keep\":{\"me\":1}}";
        Outcome o = PluginHarness.of(plugin).attachment("ctr", "/run/netns/jcni-none", "eth0")
                .run(command.name(), conf);
        boolean allowed = switch (command) {
            case CHECK -> Version.greaterThanOrEqualTo(version, "0.4.0");
            case GC, STATUS -> Version.greaterThanOrEqualTo(version, "1.1.0");
            default -> true;
        };
        if (!allowed) {
            assertEquals(1, o.exitCode(), o.toString());
            assertEquals(1, o.error().code());
            assertEquals("config version does not allow " + command.name(), o.error().msg());
            assertTrue(plugin.calls.isEmpty());
            return;
        }
        assertEquals(0, o.exitCode(), o.toString());
        switch (command) {
            case ADD -> {
                Result r = o.result();
                assertEquals(version, r.cniVersion());
                assertEquals(SamplePlugin.FIXED.convertTo(version), r);
                boolean legacy = SpecVersions.LEGACY.contains(version);
                assertEquals(legacy, o.stdout().contains("\"ip4\""));
                assertEquals(!legacy, o.stdout().contains("\"interfaces\""));
            }
            case VERSION -> {
                assertEquals(SpecVersions.ALL, o.versionInfo().supportedVersions());
                assertEquals(version, o.versionInfo().cniVersion());
            }
            default -> assertEquals("", o.stdout());
        }
        if (command != Command.VERSION) {
            assertEquals(1, plugin.calls.size());
            Request r = plugin.calls.get(0);
            assertEquals(command, r.command());
            assertEquals(conf, new String(r.stdin(), StandardCharsets.UTF_8));
            assertEquals(java.util.Map.of("me", 1L), r.netConf().get("keep").orElseThrow());
        }
    }
}
