package dev.jcni.sdk.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.internal.Json;
import dev.jcni.sdk.invoke.FakePlugins;
import dev.jcni.sdk.invoke.Loggers;
import dev.jcni.sdk.invoke.PluginException;
import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.NetConfList;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniConfigTest {
    @TempDir
    Path tmp;
    FakePlugins fakes;
    CniConfig cni;
    final RuntimeConf rt = RuntimeConf.of("ctr1", "/run/netns/ctr1", "eth0");

    @BeforeEach
    void setUp() {
        fakes = FakePlugins.in(tmp);
        fakes.install("recorder", "first");
        fakes.install("recorder", "second");
        cni = CniConfig.create(fakes.path()).withCacheDir(tmp.resolve("cache"));
    }

    static NetConfList list(String json) {
        return NetConfList.fromJson(json.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    static NetConfList twoPlugins(String version) {
        return list("{'cniVersion':'" + version + "','name':'net1','plugins':["
                + "{'type':'first','capabilities':{'portMappings':true,'bandwidth':false},'keep':{'b':1,'a':2}},"
                + "{'type':'second','name':'two'}]}");
    }

    JsonNode stdin(String plugin, String command) throws Exception {
        return Json.parse(fakes.stdin(plugin, command).getBytes(StandardCharsets.UTF_8));
    }

    Path cacheFile() {
        return tmp.resolve("cache/results/net1-ctr1-eth0");
    }

    // ------------------------------------------------------------------ ADD

    @Test
    void theTraceContextOfTheCallReachesEveryPluginAndReplacesTheInheritedOne() throws Exception {
        String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        dev.jcni.sdk.types.TraceContext trace = dev.jcni.sdk.types.TraceContext.of(parent).withBaggage("pod=web-1");
        CniConfig traced = cni.withTraceContext(java.util.Optional.of(trace));
        // an inherited TRACESTATE belongs to another trace: it must not reach the plugins beside the call's parent
        dev.jcni.sdk.internal.CallContext.withEnv(Map.of("TRACEPARENT", "00-11111111111111111111111111111111-2222222222222222-01",
                "TRACESTATE", "old=1", "PATH", "/usr/bin:/bin"), () -> {
                    traced.addNetworkList(twoPlugins("1.0.0"), rt);
                    traced.delNetworkList(twoPlugins("1.0.0"), rt);
                    return null;
                });
        for (String plugin : List.of("first", "second")) {
            for (String command : List.of("ADD", "DEL")) {
                assertEquals(parent, fakes.env(plugin, command, "TRACEPARENT"), plugin + " " + command);
                assertEquals("pod=web-1", fakes.env(plugin, command, "BAGGAGE"));
                assertEquals(null, fakes.env(plugin, command, "TRACESTATE"));
            }
        }
        traced.getVersionInfo("first");
        assertEquals(parent, fakes.env("first", "VERSION", "TRACEPARENT"), "VERSION probes carry it too");
        assertEquals(java.util.Optional.of(trace), traced.traceContext());
        assertEquals(java.util.Optional.empty(), cni.traceContext(), "the original is unchanged");
    }

    @Test
    void addRunsPluginsInOrderPassingPrevResultAndReturnsLast() throws Exception {
        fakes.behave("second", "ADD", "out", "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.99.0.9/24\"}]}");
        Result r = cni.addNetworkList(twoPlugins("1.0.0"), rt);
        assertEquals("10.99.0.9/24", r.ips().get(0).address().toString());
        assertFalse(stdin("first", "ADD").has("prevResult"));
        assertEquals("first", stdin("second", "ADD").get("prevResult").get("interfaces").get(0).get("name").asText());
    }

    @Test
    void addInjectsNameAndNegotiatedVersion() throws Exception {
        NetConfList l = list("{'cniVersion':'0.4.0','cniVersions':['1.0.0','9.9.9'],'name':'net1',"
                + "'plugins':[{'type':'first','name':'own','cniVersion':'0.1.0'}]}");
        cni.addNetworkList(l, rt);
        JsonNode in = stdin("first", "ADD");
        assertEquals("net1", in.get("name").asText());
        assertEquals("1.0.0", in.get("cniVersion").asText());
    }

    @Test
    void addGivesRuntimeConfigAsCapabilitiesIntersectCapabilityArgsAndStripsCapabilities() throws Exception {
        RuntimeConf withCaps = rt.withCapabilityArgs(Map.of(
                "portMappings", List.of(Map.of("hostPort", 8080, "containerPort", 80, "protocol", "tcp")),
                "bandwidth", Map.of("ingressRate", 1000),
                "mac", "c2:11:22:33:44:55"));
        cni.addNetworkList(twoPlugins("1.0.0"), withCaps);
        JsonNode first = stdin("first", "ADD");
        assertEquals(Set.of("portMappings"), fieldNames(first.get("runtimeConfig")));
        assertEquals(8080, first.get("runtimeConfig").get("portMappings").get(0).get("hostPort").asInt());
        assertFalse(first.has("capabilities"), "capabilities is stripped, as the spec asks");
        assertFalse(stdin("second", "ADD").has("runtimeConfig"), "no runtimeConfig when the intersection is empty");
        assertEquals("{\"a\":2,\"b\":1}", Json.text(Json.write(first.get("keep"))), "unknown keys pass, sorted as Go does");
    }

    static Set<String> fieldNames(JsonNode n) {
        Set<String> s = new java.util.TreeSet<>();
        n.fieldNames().forEachRemaining(s::add);
        return s;
    }

    @Test
    void addPassesCniArgsInEnvironment() {
        cni.addNetworkList(twoPlugins("1.0.0"), rt.withArgs(CniArgs.parse("K8S_POD_NAME=p;IgnoreUnknown=1")));
        assertEquals("K8S_POD_NAME=p;IgnoreUnknown=1", fakes.env("first", "ADD", "CNI_ARGS"));
        assertEquals(fakes.bin().toString(), fakes.env("first", "ADD", "CNI_PATH"));
    }

    @Test
    void addErrorNamesPluginTypeAndNameKeepsCodeAndStopsChain() {
        fakes.behave("second", "ADD", "fail", "{\"code\":11,\"msg\":\"busy\",\"details\":\"retry\"}");
        CniException e = assertThrows(CniException.class, () -> cni.addNetworkList(twoPlugins("1.0.0"), rt));
        assertEquals("plugin type=\"second\" name=\"two\" failed (add): busy; retry", e.getMessage());
        assertEquals(11, e.code());
        assertInstanceOf(PluginException.class, e);
        assertFalse(Files.exists(cacheFile()), "nothing is cached on failure");
        assertEquals(List.of(), fakes.calls("second").stream().filter(c -> c.equals("DEL")).toList(), "no automatic DEL");
    }

    @Test
    void addValidatesContainerIdAfterLookup() {
        CniException e = assertThrows(CniException.class,
                () -> cni.addNetworkList(twoPlugins("1.0.0"), RuntimeConf.of("bad id", "/x", "eth0")));
        assertEquals("plugin type=\"first\" failed (add): invalid characters in containerID; bad id", e.getMessage());
        assertEquals(4, e.code());
        assertEquals(List.of(), fakes.calls("first"));
        CniException missing = assertThrows(CniException.class, () -> cni.addNetworkList(
                list("{'cniVersion':'1.0.0','name':'n','plugins':[{'type':'absent'}]}"), RuntimeConf.of("bad id", "/x", "eth0")));
        assertTrue(missing.getMessage().startsWith("plugin type=\"absent\" failed (add): failed to find plugin"), missing.getMessage());
    }

    @Test
    void addValidatesInterfaceName() {
        CniException e = assertThrows(CniException.class,
                () -> cni.addNetworkList(twoPlugins("1.0.0"), RuntimeConf.of("c", "/x", "a-very-long-interface")));
        assertEquals(4, e.code());
        assertTrue(e.getMessage().contains("interface name is too long"), e.getMessage());
    }

    @Test
    void addWritesCacheInLibcniFormatFieldByField() throws Exception {
        NetConfList l = twoPlugins("1.0.0");
        RuntimeConf full = rt.withArgs(CniArgs.parse("A=1;B=2")).withCapabilityArgs(Map.of("portMappings", List.of()));
        cni.addNetworkList(l, full);
        JsonNode c = Json.parse(Files.readAllBytes(cacheFile()));
        assertEquals(List.of("kind", "containerId", "config", "ifName", "networkName", "netns", "cniArgs", "capabilityArgs",
                "result"), List.copyOf(names(c)));
        assertEquals("cniCacheV1", c.get("kind").asText());
        assertEquals("ctr1", c.get("containerId").asText());
        assertEquals(new String(l.bytes(), StandardCharsets.UTF_8),
                new String(Base64.getDecoder().decode(c.get("config").asText()), StandardCharsets.UTF_8));
        assertEquals("eth0", c.get("ifName").asText());
        assertEquals("net1", c.get("networkName").asText());
        assertEquals("/run/netns/ctr1", c.get("netns").asText());
        assertEquals("[[\"A\",\"1\"],[\"B\",\"2\"]]", Json.text(Json.write(c.get("cniArgs"))));
        assertEquals("{\"portMappings\":[]}", Json.text(Json.write(c.get("capabilityArgs"))));
        assertEquals("1.0.0", c.get("result").get("cniVersion").asText());
        assertEquals("second", c.get("result").get("interfaces").get(0).get("name").asText());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheFile())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cacheFile().getParent())));
        assertFalse(Files.exists(tmp.resolve("cache/.jcni-tmp")), "no temporary file, nor their directory, is left in the cache dir");
    }

    @Test
    void cacheOmitsEmptyOptionalFields() throws Exception {
        cni.addNetworkList(twoPlugins("1.0.0"), RuntimeConf.of("ctr1", "", "eth0"));
        JsonNode c = Json.parse(Files.readAllBytes(cacheFile()));
        assertEquals(List.of("kind", "containerId", "config", "ifName", "networkName", "result"), List.copyOf(names(c)));
    }

    static List<String> names(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    // ----------------------------------------------------------------- CHECK

    @Test
    void checkBelow040IsRejectedEvenWithDisableCheck() {
        NetConfList l = list("{'cniVersion':'0.3.1','name':'net1','disableCheck':true,'plugins':[{'type':'first'}]}");
        CniException e = assertThrows(CniException.class, () -> cni.checkNetworkList(l, rt));
        assertEquals("configuration version \"0.3.1\" does not support the CHECK command", e.getMessage());
        assertEquals(1, e.code());
    }

    @Test
    void checkWithDisableCheckRunsNothing() {
        cni.checkNetworkList(list("{'cniVersion':'1.0.0','name':'net1','disableCheck':'TRUE','plugins':[{'type':'first'}]}"), rt);
        assertEquals(List.of(), fakes.calls("first"));
    }

    @Test
    void checkPassesCachedResultToEveryPluginInOrder() throws Exception {
        NetConfList l = twoPlugins("1.0.0");
        cni.addNetworkList(l, rt);
        cni.checkNetworkList(l, rt);
        assertEquals("second", stdin("first", "CHECK").get("prevResult").get("interfaces").get(0).get("name").asText());
        assertEquals("second", stdin("second", "CHECK").get("prevResult").get("interfaces").get(0).get("name").asText());
        assertEquals(List.of("ADD", "CHECK"), fakes.calls("first"));
    }

    @Test
    void checkTreatsTruncatedCacheFileAsNoCache() throws Exception {
        NetConfList l = twoPlugins("1.0.0");
        cni.addNetworkList(l, rt);
        byte[] full = Files.readAllBytes(cacheFile());
        Files.write(cacheFile(), java.util.Arrays.copyOf(full, full.length / 2));
        List<String> log = new java.util.ArrayList<>();
        cni.withLogger(Loggers.collecting(log)).checkNetworkList(l, rt);
        assertFalse(stdin("first", "CHECK").has("prevResult"));
        assertTrue(log.stream().anyMatch(s -> s.startsWith("WARNING the cache file") && s.contains("not JSON")), log.toString());
    }

    @Test
    void checkErrorNamesPluginAndKeepsCode() {
        NetConfList l = twoPlugins("1.0.0");
        cni.addNetworkList(l, rt);
        fakes.behave("first", "CHECK", "fail", "{\"code\":100,\"msg\":\"veth missing\"}");
        CniException e = assertThrows(CniException.class, () -> cni.checkNetworkList(l, rt));
        assertEquals("plugin type=\"first\" failed (check): veth missing", e.getMessage());
        assertEquals(100, e.code());
    }

    // ------------------------------------------------------------------- DEL

    @Test
    void delRunsPluginsInReverseOrderWithCachedResultConvertedToListVersion() throws Exception {
        NetConfList l = twoPlugins("0.4.0");
        fakes.behave("second", "ADD", "out", "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.99.0.9/24\"}]}");
        cni.addNetworkList(l, rt);
        cni.delNetworkList(l, rt);
        for (String plugin : List.of("first", "second")) {
            JsonNode prev = stdin(plugin, "DEL").get("prevResult");
            assertEquals("0.4.0", prev.get("cniVersion").asText());
            assertEquals("4", prev.get("ips").get(0).get("version").asText());
        }
        assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void delRunsSecondPluginBeforeFirst() {
        NetConfList l = list("{'cniVersion':'1.0.0','name':'net1','plugins':[{'type':'first'},{'type':'second'}]}");
        fakes.behave("first", "DEL", "fail", "{\"code\":7,\"msg\":\"first fails\"}");
        CniException e = assertThrows(CniException.class, () -> cni.delNetworkList(l, rt));
        assertEquals("plugin type=\"first\" failed (delete): first fails", e.getMessage());
        assertEquals(List.of("DEL"), fakes.calls("second"), "second ran before first");
    }

    @Test
    void delBelow040SendsNoPrevResult() throws Exception {
        NetConfList l = list("{'cniVersion':'0.3.1','name':'net1','plugins':[{'type':'first'}]}");
        cni.addNetworkList(l, rt);
        cni.delNetworkList(l, rt);
        assertFalse(stdin("first", "DEL").has("prevResult"));
    }

    @Test
    void delTreatsEmptyCacheFileAsNoCache() throws Exception {
        NetConfList l = twoPlugins("1.0.0");
        cni.addNetworkList(l, rt);
        Files.write(cacheFile(), new byte[0]);
        List<String> log = new java.util.ArrayList<>();
        cni.withLogger(Loggers.collecting(log)).delNetworkList(l, rt);
        assertFalse(stdin("first", "DEL").has("prevResult"));
        assertFalse(Files.exists(cacheFile()));
        assertTrue(log.stream().anyMatch(s -> s.contains("is empty")), log.toString());
    }

    @Test
    void delTreatsResultOfUnknownVersionAsNoCache() throws Exception {
        Files.createDirectories(cacheFile().getParent());
        Files.writeString(cacheFile(), "{\"kind\":\"cniCacheV1\",\"containerId\":\"ctr1\",\"ifName\":\"eth0\","
                + "\"networkName\":\"net1\",\"config\":\"\",\"result\":{\"cniVersion\":\"7.0.0\"}}");
        cni.delNetworkList(twoPlugins("1.0.0"), rt);
        assertFalse(stdin("first", "DEL").has("prevResult"));
        assertFalse(Files.exists(cacheFile()));
    }

    @Test
    void cachedResultThatCannotBeConvertedIsAnError() throws Exception {
        NetConfList l = list("{'cniVersion':'1.0.0','name':'net1','plugins':[{'type':'first'}]}");
        cni.addNetworkList(l, rt);
        NetConfList old = list("{'cniVersion':'0.2.0','name':'net1','plugins':[{'type':'first'}]}");
        fakes.behave("first", "ADD", "out", "{\"cniVersion\":\"1.0.0\"}");
        cni.addNetworkList(l, rt);
        CniException e = assertThrows(CniException.class, () -> cni.getNetworkListCachedResult(old, rt));
        assertEquals("failed to convert cached result to config version \"0.2.0\": cannot convert: no valid IP addresses",
                e.getMessage());
    }

    @Test
    void delTwiceSucceeds() {
        NetConfList l = twoPlugins("1.0.0");
        cni.addNetworkList(l, rt);
        cni.delNetworkList(l, rt);
        cni.delNetworkList(l, rt);
        assertEquals(List.of("ADD", "DEL", "DEL"), fakes.calls("first"));
    }

    @Test
    void delFailureKeepsCacheForRetry() {
        NetConfList l = twoPlugins("1.0.0");
        cni.addNetworkList(l, rt);
        fakes.behave("second", "DEL", "fail", "{\"code\":11,\"msg\":\"later\"}");
        assertThrows(CniException.class, () -> cni.delNetworkList(l, rt));
        assertTrue(Files.exists(cacheFile()));
    }

    @Test
    void legacyBareResultCacheIsRead() throws Exception {
        NetConfList l = twoPlugins("1.0.0");
        Files.createDirectories(cacheFile().getParent());
        Files.writeString(cacheFile(), "{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":\"10.1.0.2/24\"}]}");
        assertEquals("10.1.0.2/24", cni.getNetworkListCachedResult(l, rt).orElseThrow().ips().get(0).address().toString());
        assertEquals("1.0.0", cni.getNetworkListCachedResult(l, rt).orElseThrow().cniVersion());
    }

    @Test
    void cacheWrittenByGoLibcniIsReadAndListed() throws Exception {
        Files.createDirectories(cacheFile().getParent());
        try (var in = getClass().getResourceAsStream("/runtime/go-cache-entry.json")) {
            Files.write(cacheFile(), in.readAllBytes());
        }
        NetConfList l = twoPlugins("1.0.0");
        Result r = cni.getNetworkListCachedResult(l, rt).orElseThrow();
        assertEquals("10.22.0.5/16", r.ips().get(0).address().toString());
        NetworkAttachment a = cni.getCachedAttachments("ctr1").get(0);
        assertEquals(new NetworkAttachment("ctr1", "net1", "eth0",
                "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"plugins\":[{\"type\":\"bridge\"}]}", "/var/run/netns/ctr1",
                CniArgs.parse("K8S_POD_NAME=web;IgnoreUnknown=1"), Map.of("portMappings", List.of())), a);
        assertEquals(a, cni.getNetworkListCachedConfig(l, rt).orElseThrow());
    }

    @Test
    void cachedAttachmentsFilterByContainerIdAndSkipJunk() throws Exception {
        NetConfList l = twoPlugins("1.0.0");
        cni.addNetworkList(l, RuntimeConf.of("a", "/n", "eth0"));
        cni.addNetworkList(l, RuntimeConf.of("b", "/n", "eth0"));
        cni.addNetworkList(l, RuntimeConf.of("b", "/n", "eth1"));
        Files.writeString(tmp.resolve("cache/results/junk-b-x"), "{");
        assertEquals(3, cni.getCachedAttachments().size());
        assertEquals(List.of("eth0", "eth1"), cni.getCachedAttachments("b").stream().map(NetworkAttachment::ifName).toList());
        assertEquals(List.of(), CniConfig.create(List.of()).withCacheDir(tmp.resolve("none")).getCachedAttachments());
    }

    // -------------------------------------------------------------------- GC

    @Test
    void gcDeletesStaleAttachmentKeepsValidAndSendsBothKeys() throws Exception {
        NetConfList l = twoPlugins("1.1.0");
        cni.addNetworkList(l, RuntimeConf.of("stale", "/run/netns/s", "eth0").withArgs(CniArgs.parse("X=1")));
        cni.addNetworkList(l, RuntimeConf.of("valid", "/run/netns/v", "eth0"));
        cni.gcNetworkList(l, List.of(new Attachment("valid", "eth0")));
        assertEquals(List.of("ADD", "ADD", "DEL", "GC"), fakes.calls("first"));
        assertEquals("stale", fakes.env("first", "DEL", "CNI_CONTAINERID"));
        assertEquals("/run/netns/s", fakes.env("first", "DEL", "CNI_NETNS"));
        assertEquals("X=1", fakes.env("first", "DEL", "CNI_ARGS"));
        assertEquals(List.of("valid"), cni.getCachedAttachments().stream().map(NetworkAttachment::containerId).toList());
        JsonNode gc = stdin("first", "GC");
        String expected = "[{\"containerID\":\"valid\",\"ifname\":\"eth0\"}]";
        assertEquals(expected, Json.text(Json.write(gc.get("cni.dev/valid-attachments"))));
        assertEquals(expected, Json.text(Json.write(gc.get("cni.dev/attachments"))));
        assertEquals("1.1.0", gc.get("cniVersion").asText());
        assertFalse(gc.has("runtimeConfig"));
        assertEquals("", fakes.env("first", "GC", "CNI_CONTAINERID"));
        assertEquals("", fakes.env("first", "GC", "CNI_IFNAME"));
    }

    @Test
    void gcWithoutValidListDeletesAllAndSendsNoKeys() throws Exception {
        NetConfList l = twoPlugins("1.1.0");
        cni.addNetworkList(l, rt);
        cni.gcNetworkList(l);
        assertEquals(List.of(), cni.getCachedAttachments());
        assertFalse(stdin("first", "GC").has("cni.dev/valid-attachments"));
    }

    @Test
    void gcBelow110DeletesStaleButSendsNoGcVerb() {
        NetConfList l = twoPlugins("1.0.0");
        cni.addNetworkList(l, rt);
        cni.gcNetworkList(l, List.of());
        assertEquals(List.of("ADD", "DEL"), fakes.calls("first"));
    }

    @Test
    void gcLeavesOtherNetworksAlone() {
        cni.addNetworkList(list("{'cniVersion':'1.1.0','name':'other','plugins':[{'type':'second'}]}"), rt);
        cni.gcNetworkList(twoPlugins("1.1.0"), List.of());
        assertEquals(1, cni.getCachedAttachments().size());
    }

    @Test
    void gcWithDisableGcRunsNothing() {
        cni.gcNetworkList(list("{'cniVersion':'1.1.0','name':'net1','disableGC':true,'plugins':[{'type':'first'}]}"));
        assertEquals(List.of(), fakes.calls("first"));
    }

    @Test
    void gcContinuesPastErrorsAndReportsAll() {
        NetConfList l = twoPlugins("1.1.0");
        fakes.behave("first", "GC", "fail", "{\"code\":100,\"msg\":\"first gc\"}");
        fakes.behave("second", "GC", "fail", "{\"code\":101,\"msg\":\"second gc\"}");
        CniException e = assertThrows(CniException.class, () -> cni.gcNetworkList(l, List.of()));
        assertEquals("failed to GC plugin first: first gc\nfailed to GC plugin second: second gc", e.getMessage());
        assertEquals(100, e.code());
        assertEquals(1, e.getSuppressed().length);
    }

    // ---------------------------------------------------------------- STATUS

    @Test
    void statusReturnsFirstErrorWithItsCode() {
        NetConfList l = twoPlugins("1.1.0");
        fakes.behave("first", "STATUS", "fail", "{\"code\":50,\"msg\":\"not ready\"}");
        CniException e = assertThrows(CniException.class, () -> cni.getStatusNetworkList(l));
        assertEquals(50, e.code());
        assertEquals("not ready", e.getMessage());
        assertEquals(List.of(), fakes.calls("second"), "later plugins are not asked");
    }

    @Test
    void statusSendsNameAndVersionOnly() throws Exception {
        cni.getStatusNetworkList(twoPlugins("1.1.0"));
        JsonNode in = stdin("second", "STATUS");
        assertEquals("net1", in.get("name").asText());
        assertFalse(in.has("prevResult"));
        assertEquals("", fakes.env("second", "STATUS", "CNI_CONTAINERID"));
    }

    @Test
    void statusBelow110IsSuccessWithoutAsking() {
        cni.getStatusNetworkList(twoPlugins("1.0.0"));
        assertEquals(List.of(), fakes.calls("first"));
    }

    // -------------------------------------------------------------- VALIDATE

    @Test
    void validateReturnsEnabledCapabilities() {
        assertEquals(Set.of("portMappings"), cni.validateNetworkList(twoPlugins("1.0.0")));
    }

    @Test
    void validateCollectsEveryError() {
        fakes.behave("second", "VERSION", "out", "{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"1.0.0\"]}");
        NetConfList l = list("{'cniVersion':'1.1.0','name':'n','plugins':[{'type':'absent'},{'type':'first'},{'type':'second'}]}");
        CniException e = assertThrows(CniException.class, () -> cni.validateNetworkList(l));
        assertEquals("[failed to find plugin \"absent\" in path [" + fakes.bin() + "] "
                + "plugin second does not support config version \"1.1.0\"]", e.getMessage());
    }

    // ----------------------------------------------------------------- misc

    @Test
    void cacheFileNeedsNetworkContainerAndInterface() {
        CniException e = assertThrows(CniException.class,
                () -> cni.checkNetworkList(twoPlugins("1.0.0"), RuntimeConf.of("", "", "eth0")));
        assertEquals("failed to get network \"net1\" cached result: cache file path requires network name (\"net1\"), "
                + "container ID (\"\"), and interface name (\"eth0\")", e.getMessage());
    }

    @Test
    void timeoutAppliesToPluginCalls() {
        fakes.install("honour-term", "slow");
        NetConfList l = list("{'cniVersion':'1.0.0','name':'net1','plugins':[{'type':'slow'}]}");
        PluginException e = assertThrows(PluginException.class,
                () -> cni.withTimeout(java.time.Duration.ofMillis(300)).delNetworkList(l, rt));
        assertEquals(PluginException.Failure.TIMED_OUT, e.failure());
        assertTrue(e.getMessage().startsWith("plugin type=\"slow\" failed (delete): plugin timed out after 300ms"), e.getMessage());
    }
}
