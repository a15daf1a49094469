package dev.jcni.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Command;
import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.testing.PluginHarness.Outcome;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.PluginInfo;
import dev.jcni.sdk.version.SpecVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The skel's rules, each test named after the rule (cni-spec.md §2, §3.3, §5, §7). */
class SkelTest {
    static final String NETNS = "/run/netns/does-not-exist-jcni";

    final SamplePlugin plugin = new SamplePlugin();
    final PluginHarness h = PluginHarness.of(plugin).attachment("c1", NETNS, "eth0");

    static String conf(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"net1\",\"type\":\"sample\"}";
    }

    static void assertError(Outcome o, int code, String msg, String details) {
        assertEquals(1, o.exitCode(), o.toString());
        CniException e = o.error();
        assertEquals(code, e.code(), o.stdout());
        assertEquals(msg, e.msg(), o.stdout());
        assertEquals(details, e.details(), o.stdout());
    }

    // ------------------------------------------------------------------ environment

    @Test
    void addRequiresContainerIdNetnsIfname() {
        Outcome o = PluginHarness.of(plugin).run("ADD", conf("1.1.0"));
        assertError(o, 4, "required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing", "");
        assertTrue(plugin.calls.isEmpty());
    }

    @Test
    void delDoesNotRequireNetns() {
        Outcome o = PluginHarness.of(plugin).env("CNI_CONTAINERID", "c1").env("CNI_IFNAME", "eth0").run("DEL", conf("1.1.0"));
        assertEquals(0, o.exitCode(), o.toString());
        assertEquals("", o.stdout(), "DEL prints nothing on success");
    }

    @Test
    void delRequiresContainerIdAndIfname() {
        assertError(PluginHarness.of(plugin).run("DEL", conf("1.1.0")), 4, "required env variables [CNI_CONTAINERID,CNI_IFNAME] missing", "");
    }

    @Test
    void cniPathIsRequiredOnlyForGc() {
        PluginHarness noPath = h.env("CNI_PATH", "");
        assertEquals(0, noPath.run("ADD", conf("1.1.0")).exitCode());
        assertEquals(0, noPath.run("DEL", conf("1.1.0")).exitCode());
        assertEquals(0, noPath.run("CHECK", conf("1.1.0")).exitCode());
        assertEquals(0, noPath.run("STATUS", conf("1.1.0")).exitCode());
        assertError(noPath.run("GC", conf("1.1.0")), 4, "required env variables [CNI_PATH] missing", "");
    }

    @Test
    void emptyVariableCountsAsMissing() {
        assertError(h.env("CNI_IFNAME", "").run("ADD", conf("1.1.0")), 4, "required env variables [CNI_IFNAME] missing", "");
    }

    @Test
    void gcAndStatusNeedNoAttachmentVariables() {
        PluginHarness bare = PluginHarness.of(plugin);
        assertEquals(0, bare.run("GC", conf("1.1.0")).exitCode());
        assertEquals(0, bare.run("STATUS", conf("1.1.0")).exitCode());
    }

    @Test
    void containerIdWithBadCharactersIsCode4WithTheIdAsDetails() {
        assertError(h.env("CNI_CONTAINERID", "-bad").run("ADD", conf("1.1.0")), 4, "invalid characters in containerID", "-bad");
        assertError(h.env("CNI_CONTAINERID", "a/b").run("DEL", conf("1.1.0")), 4, "invalid characters in containerID", "a/b");
    }

    @Test
    void validationErrorComesBeforeMissingVariables() {
        Outcome o = PluginHarness.of(plugin).env("CNI_CONTAINERID", "bad id").run("ADD", conf("1.1.0"));
        assertError(o, 4, "invalid characters in containerID", "bad id");
    }

    @Test
    void interfaceNameRules() {
        assertError(h.env("CNI_IFNAME", "0123456789abcdef").run("ADD", conf("1.1.0")), 4, "interface name is too long",
                "interface name should be less than 16 characters");
        assertError(h.env("CNI_IFNAME", ".").run("ADD", conf("1.1.0")), 4, "interface name is . or ..", "");
        assertError(h.env("CNI_IFNAME", "..").run("ADD", conf("1.1.0")), 4, "interface name is . or ..", "");
        for (String bad : List.of("a/b", "a:b", "a b", "a\tb", "a\u00a0b", "a\u2003b")) {
            assertError(h.env("CNI_IFNAME", bad).run("ADD", conf("1.1.0")), 4, "interface name contains / or : or whitespace characters", "");
        }
    }

    @Test
    void interfaceNameLengthIsCountedInBytes() {
        assertEquals(0, h.env("CNI_IFNAME", "ééééééé1").run("ADD", conf("1.1.0")).exitCode(), "15 bytes");
        assertError(h.env("CNI_IFNAME", "éééééééé").run("ADD", conf("1.1.0")), 4, "interface name is too long",
                "interface name should be less than 16 characters");
    }

    @Test
    void containerIdIsNotValidatedForGc() {
        assertEquals(0, PluginHarness.of(plugin).env("CNI_CONTAINERID", "not valid!").run("GC", conf("1.1.0")).exitCode());
    }

    // ------------------------------------------------------------------ stdin

    @Test
    void configThatIsNotJsonIsCode6() {
        Outcome o = h.run("ADD", "{nope");
        assertEquals(1, o.exitCode());
        assertEquals(ErrorCodes.DECODING_FAILURE, o.error().code());
        assertTrue(o.error().msg().startsWith("error unmarshall network config: "), o.error().msg());
    }

    @Test
    void emptyStdinIsCode6() {
        assertEquals(ErrorCodes.DECODING_FAILURE, h.run("ADD", "").error().code());
    }

    @Test
    void missingNetworkNameIsCode7WithoutColon() {
        assertError(h.run("ADD", "{\"cniVersion\":\"1.1.0\",\"type\":\"x\"}"), 7, "missing network name", "");
    }

    @Test
    void networkNameWithBadCharactersIsCode7() {
        assertError(h.run("ADD", "{\"cniVersion\":\"1.1.0\",\"name\":\"my net\"}"), 7, "invalid characters found in network name", "my net");
    }

    @Test
    void standardKeyOfWrongTypeIsCode6() {
        Outcome o = h.run("ADD", "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"ipMasq\":\"yes\"}");
        assertError(o, 6, "error unmarshall network config: cannot unmarshal string into ipMasq of type bool", "");
    }

    // ------------------------------------------------------------------ versions

    @Test
    void unsupportedConfigVersionIsCode1() {
        Outcome o = h.run("ADD", conf("1.1"));
        assertError(o, 1, "incompatible CNI versions", "config is \"1.1\", plugin supports [\"0.1.0\" \"0.2.0\" \"0.3.0\" \"0.3.1\" \"0.4.0\" \"1.0.0\" \"1.1.0\"]");
    }

    @Test
    void missingCniVersionMeans010() {
        Outcome o = h.run("ADD", "{\"name\":\"n\",\"type\":\"x\"}");
        assertEquals(0, o.exitCode(), o.toString());
        assertEquals("0.1.0", o.result().cniVersion());
    }

    @Test
    void checkNeedsConfigVersion040() {
        for (String v : List.of("0.1.0", "0.2.0", "0.3.0", "0.3.1")) {
            assertError(h.run("CHECK", conf(v)), 1, "config version does not allow CHECK", "");
        }
        assertEquals(0, h.run("CHECK", conf("0.4.0")).exitCode());
    }

    @Test
    void gcAndStatusNeedConfigVersion110() {
        for (String v : List.of("0.4.0", "1.0.0")) {
            assertError(h.run("GC", conf(v)), 1, "config version does not allow GC", "");
            assertError(h.run("STATUS", conf(v)), 1, "config version does not allow STATUS", "");
        }
    }

    @Test
    void checkNeedsAPluginVersionAtOrAboveTheConfig() {
        Plugin old = new SamplePlugin() {
            @Override
            public PluginInfo versionInfo() {
                return PluginInfo.of("0.3.1", "0.4.0");
            }
        };
        PluginHarness oh = PluginHarness.of(old).attachment("c", NETNS, "eth0");
        assertError(oh.run("CHECK", conf("1.0.0")), 1, "plugin version does not allow CHECK", "");
        assertEquals(0, oh.run("CHECK", conf("0.4.0")).exitCode());
    }

    @Test
    void badConfigVersionOnCheckIsCode6() {
        assertError(h.run("CHECK", conf("x")), 6,
                "failed to convert major version part \"x\": strconv.Atoi: parsing \"x\": invalid syntax", "");
    }

    // ------------------------------------------------------------------ dispatch and output

    @Test
    void unknownCommandIsCode4() {
        assertError(h.run("FOO", conf("1.1.0")), 4, "unknown CNI_COMMAND: FOO", "");
    }

    @Test
    void missingCommandPrintsAboutTextToStderrAndSucceeds() {
        Outcome o = h.run("", conf("1.1.0"));
        assertEquals(0, o.exitCode());
        assertEquals("", o.stdout());
        assertEquals("CNI sample plugin v0\nCNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0\n", o.stderr());
    }

    @Test
    void missingCommandWithoutAboutTextIsCode4() {
        Plugin quiet = new SamplePlugin() {
            @Override
            public String about() {
                return "";
            }
        };
        assertError(PluginHarness.of(quiet).run("", conf("1.1.0")), 4, "required env variables [CNI_COMMAND] missing", "");
    }

    @Test
    void versionAnswersSupportedVersionsEchoingTheInputVersion() {
        Outcome o = PluginHarness.of(plugin).run("VERSION", "{\"cniVersion\":\"0.4.0\"}");
        assertEquals(0, o.exitCode());
        assertEquals("{\"cniVersion\":\"0.4.0\",\"supportedVersions\":[\"0.1.0\",\"0.2.0\",\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"]}\n",
                o.stdout());
        assertEquals(SpecVersions.CURRENT, PluginHarness.of(plugin).run("VERSION", "").versionInfo().cniVersion(),
                "no input version: the library's");
        assertTrue(plugin.calls.isEmpty());
    }

    @Test
    void versionNeedsOnlyTheCommand() {
        assertEquals(0, PluginHarness.of(plugin).env("CNI_PATH", "").run("VERSION", "garbage").exitCode());
    }

    @Test
    void addPrintsResultConvertedToConfigVersionIndentedWithoutTrailingNewline() {
        Outcome o = h.run("ADD", conf("0.3.1"));
        assertEquals(0, o.exitCode());
        assertEquals("""
                {
                    "cniVersion": "0.3.1",
                    "interfaces": [
                        {
                            "name": "eth0",
                            "mac": "0a:58:0a:01:02:03",
                            "sandbox": "/run/netns/x"
                        }
                    ],
                    "ips": [
                        {
                            "version": "4",
                            "interface": 0,
                            "address": "10.1.2.3/24",
                            "gateway": "10.1.2.1"
                        },
                        {
                            "version": "6",
                            "interface": 0,
                            "address": "2001:db8::3/64",
                            "gateway": "2001:db8::1"
                        }
                    ],
                    "routes": [
                        {
                            "dst": "0.0.0.0/0",
                            "gw": "10.1.2.1"
                        }
                    ],
                    "dns": {}
                }""", o.stdout());
    }

    @Test
    void pluginExceptionBecomesCode999WithItsMessage() {
        plugin.failWith = new IllegalStateException("banana");
        Outcome o = h.run("ADD", conf("1.1.0"));
        assertError(o, 999, "banana", "");
        assertTrue(o.stderr().contains("IllegalStateException"), "the stack trace goes to diagnostics, not stdout");
        assertFalse(o.stdout().contains("IllegalStateException"));
    }

    @Test
    void cniExceptionKeepsItsCode() {
        plugin.failWith = new CniException(11, "try again", "busy");
        assertError(h.run("DEL", conf("1.1.0")), 11, "try again", "busy");
    }

    @Test
    void errorJsonStatesTheConfigVersion() {
        plugin.failWith = new CniException(7, "bad");
        Outcome o = h.run("ADD", conf("0.4.0"));
        assertEquals("{\n    \"cniVersion\": \"0.4.0\",\n    \"code\": 7,\n    \"msg\": \"bad\"\n}", o.stdout());
    }

    @Test
    void statusErrorKeepsCode50() {
        assertError(h.run("STATUS", "{\"cniVersion\":\"1.1.0\",\"name\":\"n\",\"notReady\":true}"), 50, "not ready", "");
    }

    @Test
    void requestCarriesEnvironmentAndStdin() {
        String c = "{\"cniVersion\":\"1.1.0\",\"name\":\"net1\",\"type\":\"sample\",\"x\":1}";
        h.env("CNI_ARGS", "IgnoreUnknown=1;IP=10.1.2.9").env("CNI_PATH", "/a:/b").run("ADD", c);
        Request r = plugin.calls.get(0);
        assertEquals(Command.ADD, r.command());
        assertEquals("c1", r.containerId());
        assertEquals(NETNS, r.netns());
        assertEquals("eth0", r.ifName());
        assertEquals(List.of("/a", "/b"), r.path());
        assertEquals("10.1.2.9", r.cniArgs().get("IP").orElseThrow());
        assertEquals(c, new String(r.stdin(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals("net1", r.netConf().name());
    }

    @Test
    void addInTheOwnNamespaceIsRefusedBeforeThePluginRuns() {
        Outcome o = h.env("CNI_NETNS", "/proc/self/ns/net").run("ADD", conf("1.1.0"));
        assertError(o, 8, "plugin's netns and netns from CNI_NETNS should not be the same", "");
        assertTrue(plugin.calls.isEmpty(), "nothing was created");
        assertEquals(0, h.env("CNI_NETNS", "/proc/self/ns/net").env("CNI_NETNS_OVERRIDE", "true").run("ADD", conf("1.1.0")).exitCode());
        assertEquals(0, h.env("CNI_NETNS", "/proc/self/ns/net").env("CNI_NETNS_OVERRIDE", "1").run("DEL", conf("1.1.0")).exitCode());
        assertError(h.env("CNI_NETNS", "/proc/self/ns/net").run("DEL", conf("1.1.0")), 8,
                "plugin's netns and netns from CNI_NETNS should not be the same", "");
    }

    @Test
    void unopenableNetnsPassesTheGuard() {
        assertEquals(0, h.env("CNI_NETNS", "/nonexistent/netns").run("DEL", conf("1.1.0")).exitCode());
    }

    @Test
    void diagnosticsGoToJcniLogFile(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("plugin.log");
        plugin.failWith = new IllegalStateException("logged");
        Outcome o = h.env("JCNI_LOG_FILE", log.toString()).run("ADD", conf("1.1.0"));
        assertEquals(1, o.exitCode());
        assertEquals("", o.stderr());
        assertTrue(Files.readString(log).contains("IllegalStateException: logged"));
    }

    /** Runtimes relay a plugin's stderr: by default a plugin says nothing unless something is wrong, as Go's. */
    @Test
    void byDefaultOnlyWarningsAndErrorsAreLogged() {
        Plugin chatty = new SamplePlugin() {
            @Override
            public Result add(Request r) {
                r.logger().log(System.Logger.Level.INFO, "info line");
                r.logger().log(System.Logger.Level.WARNING, "warning line");
                return super.add(r);
            }
        };
        PluginHarness ch = PluginHarness.of(chatty).attachment("c", NETNS, "eth0");
        Outcome quiet = ch.run("ADD", conf("1.1.0"));
        assertEquals(0, quiet.exitCode(), quiet.toString());
        assertEquals(false, quiet.stderr().contains("info line"), quiet.stderr());
        assertTrue(quiet.stderr().contains("warning line"), quiet.stderr());
        Outcome told = ch.env("JCNI_LOG_LEVEL", "info").run("ADD", conf("1.1.0"));
        assertTrue(told.stderr().contains("info line"), "JCNI_LOG_LEVEL still selects more: " + told.stderr());
        assertEquals("", ch.env("JCNI_LOG_LEVEL", "error").run("ADD", conf("1.1.0")).stderr());
    }

    @Test
    void resultThatCannotBeConvertedIsAnError() {
        Plugin noIps = new SamplePlugin() {
            @Override
            public Result add(Request r) {
                return Result.empty();
            }
        };
        Outcome o = PluginHarness.of(noIps).attachment("c", NETNS, "eth0").run("ADD", conf("0.2.0"));
        assertError(o, 999, "cannot convert: no valid IP addresses", "");
    }
}
