package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Dns;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.version.SpecVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** host-local through the real skel, in-process: every verb, every spec version. */
class HostLocalTest {
    @TempDir
    Path data;

    static PluginHarness harness(String id, String ifname) {
        return PluginHarness.of(new HostLocal()).env("CNI_CONTAINERID", id).env("CNI_IFNAME", ifname).env("CNI_NETNS", "/var/run/netns/jcni-host-local-test-absent");
    }

    static PluginHarness harness(String id) {
        return harness(id, "eth0");
    }

    Path store() {
        return data.resolve(Configs.NET);
    }

    String v4(String version) {
        return Configs.subnet(version, data, "10.1.2.0/24");
    }

    static List<String> versions() {
        return SpecVersions.ALL;
    }

    @ParameterizedTest
    @MethodSource("versions")
    void addPrintsTheResultInTheConfigurationVersion(String version) {
        PluginHarness.Outcome out = harness("c1").run("ADD", v4(version));
        Result r = out.result();
        assertEquals(version, r.cniVersion());
        assertEquals("10.1.2.2/24", r.ips().get(0).address().toString());
        assertEquals(Optional.of(Ip.parse("10.1.2.1")), r.ips().get(0).gateway());
        if (SpecVersions.LEGACY.contains(version)) {
            assertTrue(out.stdout().contains("\"ip4\""), out.stdout());
        } else {
            assertTrue(out.stdout().contains("\"ips\""), out.stdout());
            assertFalse(out.stdout().contains("\"interface\""), "host-local returns no interface index");
        }
        assertEquals(List.of("10.1.2.2", "last_reserved_ip.0", "lock"), Exec.storeFiles(store()));
    }

    @ParameterizedTest
    @MethodSource("versions")
    void delReleasesAndIsIdempotent(String version) {
        harness("c1").run("ADD", v4(version)).result();
        assertTrue(harness("c1").run("DEL", v4(version)).succeeded());
        assertTrue(harness("c1").run("DEL", v4(version)).succeeded());
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(store()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "1.0.0", "1.1.0"})
    void checkFindsTheAttachmentsReservation(String version) {
        harness("c1").run("ADD", v4(version)).result();
        assertTrue(harness("c1").run("CHECK", v4(version)).succeeded());
        CniException e = harness("c2").run("CHECK", v4(version)).error();
        assertEquals(999, e.code());
        assertEquals("host-local: Failed to find address added by container c2", e.msg());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.1.0", "0.2.0", "0.3.0", "0.3.1"})
    void checkNeedsVersion040(String version) {
        assertEquals(1, harness("c1").run("CHECK", v4(version)).error().code());
    }

    @Test
    void checkOnAStoreThatNeverExistedFailsAndCreatesNothing() {
        assertEquals(999, harness("c1").run("CHECK", v4("1.0.0")).error().code());
        assertFalse(Files.exists(store()));
    }

    @Test
    void checkAcceptsALegacyIdOnlyReservation() throws Exception {
        Files.createDirectories(store());
        Files.writeString(store().resolve("10.1.2.9"), "c1");
        assertTrue(harness("c1").run("CHECK", v4("1.0.0")).succeeded());
    }

    @Test
    void delOfSomethingNeverAddedSucceedsAndCreatesNothing() {
        PluginHarness.Outcome out = harness("never").run("DEL", v4("1.0.0"));
        assertTrue(out.succeeded(), out.stdout());
        assertEquals("", out.stdout());
        assertFalse(Files.exists(data.resolve(Configs.NET)), "no store directory for a DEL on a network never used");
    }

    @Test
    void delNeedsAValidConfigurationAsGoDoes() {
        assertEquals(7, harness("c1").run("DEL", Configs.conf("1.0.0", data, "", "")).error().code());
    }

    @Test
    void versionListsEverySpecVersion() {
        assertEquals(SpecVersions.ALL, harness("c1").run("VERSION", "{\"cniVersion\":\"1.0.0\"}").versionInfo().supportedVersions());
    }

    @Test
    void withoutCommandTheAboutTextGoesToStderr() {
        PluginHarness.Outcome out = harness("c1").run("", "");
        assertEquals(0, out.exitCode());
        assertEquals("", out.stdout());
        assertTrue(out.stderr().startsWith("CNI host-local plugin (jcni) "), out.stderr());
    }

    @Test
    void dualStackGivesOneAddressPerRangeSetInOrder() {
        String conf = Configs.conf("1.0.0", data, "\"ranges\":[[{\"subnet\":\"2001:db8::/64\"}],[{\"subnet\":\"10.1.2.0/24\"}]]", "");
        Result r = harness("c1").run("ADD", conf).result();
        assertEquals(List.of("2001:db8::2/64", "10.1.2.2/24"), r.ips().stream().map(i -> i.address().toString()).toList());
        assertEquals(List.of("10.1.2.2", "2001:db8::2", "last_reserved_ip.0", "last_reserved_ip.1", "lock"), Exec.storeFiles(store()));
    }

    @Test
    void legacyVersionsPrintOneAddressPerFamily() {
        String conf = Configs.conf("0.2.0", data, "\"ranges\":[[{\"subnet\":\"2001:db8::/64\"}],[{\"subnet\":\"10.1.2.0/24\"}]]", "");
        PluginHarness.Outcome out = harness("c1").run("ADD", conf);
        assertTrue(out.stdout().contains("\"ip4\"") && out.stdout().contains("\"ip6\""), out.stdout());
    }

    @Test
    void routesAndResolvConfGoIntoTheResult() throws Exception {
        Path resolv = Files.writeString(data.resolve("resolv.conf"), "nameserver 10.0.0.53\nsearch example.org\n");
        String conf = Configs.conf("1.0.0", data, "\"subnet\":\"10.1.2.0/24\",\"resolvConf\":\"" + resolv + "\","
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.168.0.0/16\",\"gw\":\"10.1.2.254\"}]", "");
        Result r = harness("c1").run("ADD", conf).result();
        assertEquals(List.of("0.0.0.0/0", "192.168.0.0/16 via 10.1.2.254"), r.routes().stream().map(Object::toString).toList());
        assertEquals(new Dns(List.of("10.0.0.53"), "", List.of("example.org"), List.of()), r.dns());
    }

    @Test
    void requestedAddressesComeFromCniArgsArgsAndRuntimeConfig() {
        String conf = Configs.conf("1.0.0", data, "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.3.0/24\"}],"
                + "[{\"subnet\":\"2001:db8::/64\"}]]", "\"args\":{\"cni\":{\"ips\":[\"10.1.3.30\"]}},\"runtimeConfig\":{\"ips\":[\"2001:db8::30\"]}");
        Result r = harness("c1").env("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=p;IP=10.1.2.30").run("ADD", conf).result();
        assertEquals(List.of("10.1.2.30/24", "10.1.3.30/24", "2001:db8::30/64"),
                r.ips().stream().map(i -> i.address().toString()).toList());
    }

    @Test
    void runtimeIpRangesArePrependedAndNumberTheLastReservedFiles() {
        String conf = Configs.conf("1.0.0", data, "\"subnet\":\"10.1.2.0/24\"", "\"runtimeConfig\":{\"ipRanges\":[[{\"subnet\":\"10.9.0.0/24\"}]]}");
        Result r = harness("c1").run("ADD", conf).result();
        assertEquals(List.of("10.9.0.2/24", "10.1.2.2/24"), r.ips().stream().map(i -> i.address().toString()).toList());
    }

    @Test
    void concurrentAddsInOneJvmGetDistinctAddresses() throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Result>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String id = "t" + i;
                futures.add(pool.submit(() -> harness(id).run("ADD", v4("1.0.0")).result()));
            }
            java.util.Set<String> got = new java.util.HashSet<>();
            for (var f : futures) {
                got.add(f.get().ips().get(0).address().toString());
            }
            assertEquals(32, got.size());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(34, Exec.storeFiles(store()).size());
    }

    // ---- bad input: an error on stdout and nothing left behind ----

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"type\":\"bridge\"}",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"DATA\",\"subnet\":\"10.1.2.0/33\"}}",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"DATA\",\"subnet\":\"10.1.2.5/24\"}}",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"DATA\",\"subnet\":5}}",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"DATA\"}}",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"DATA\",\"subnet\":\"10.1.2.0/24\","
                + "\"resolvConf\":\"DATA/absent\"}}",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"DATA\",\"subnet\":\"10.1.2.0/24\"},"
                + "\"runtimeConfig\":{\"ips\":[\"10.1.2.1\"]}}",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"DATA\",\"subnet\":\"10.1.2.0/24\"},"
                + "\"runtimeConfig\":{\"ips\":[\"10.1.2.7\",\"10.1.3.7\"]}}",
        "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"ipam\":\"host-local\"}",
        "{\"cniVersion\":\"9.9.9\",\"name\":\"net1\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"DATA\",\"subnet\":\"10.1.2.0/24\"}}",
        "not json"})
    void badInputFailsWithAnErrorOnStdoutAndLeavesNothing(String conf) {
        PluginHarness.Outcome out = harness("c1").run("ADD", conf.replace("DATA", data.toString()));
        assertEquals(1, out.exitCode());
        CniException e = out.error();
        assertTrue(e.code() > 0, out.stdout());
        assertFalse(out.stdout().contains("Exception") || out.stdout().contains("\tat "), "no stack trace on stdout");
        assertEquals(List.of(), Exec.allFiles(data));
    }

    @Test
    void badCniArgsFailWithCode4AndLeaveNothing() {
        CniException e = harness("c1").env("CNI_ARGS", "K8S_POD_NAME=p").run("ADD", v4("1.0.0")).error();
        assertEquals(4, e.code());
        assertEquals("ARGS: unknown args [\"K8S_POD_NAME=p\"]", e.msg());
        assertEquals(List.of(), Exec.allFiles(data));
    }

    @Test
    void aFailureInALaterRangeSetTakesBackTheEarlierReservations() {
        String conf = Configs.conf("1.0.0", data, "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.3.0/30\"}]]", "");
        harness("c1").run("ADD", conf).result();
        CniException e = harness("c2").run("ADD", conf).error();
        assertEquals("failed to allocate for range 1: no IP addresses available in range set: 10.1.3.1-10.1.3.2", e.msg());
        assertEquals(999, e.code());
        assertEquals(List.of("10.1.2.2", "10.1.3.2", "last_reserved_ip.0", "last_reserved_ip.1", "lock"), Exec.storeFiles(store()));
        harness("c3").run("DEL", conf);
        assertEquals("10.1.2.3", harness("c4").run("ADD", Configs.subnet("1.0.0", data, "10.1.2.0/24")).result().ips().get(0).address().address()
                .getHostAddress(), "last_reserved_ip.0 was restored: the failed ADD did not move the round robin");
    }

    @Test
    void aFailedAddLeavesOtherReservationsOfTheSameAttachmentAlone() {
        // Go's rollback releases every reservation of (id, ifname), including older ones; jcni only its own
        String one = Configs.conf("1.0.0", data, "\"ranges\":[[{\"subnet\":\"10.1.3.0/24\"}]]", "");
        harness("c1").run("ADD", one).result();
        String two = Configs.conf("1.0.0", data, "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.3.0/24\"}]]", "");
        CniException e = harness("c1").run("ADD", two).error();
        assertEquals("failed to allocate for range 1: 10.1.3.2 has been allocated to c1, duplicate allocation is not allowed", e.msg());
        assertEquals(List.of("10.1.3.2", "last_reserved_ip.0", "lock"), Exec.storeFiles(store()));
    }

    // ---- GC ----

    String gcConf(String attachments) {
        return Configs.conf("1.1.0", data, "\"subnet\":\"10.1.2.0/24\"", "\"cni.dev/valid-attachments\":" + attachments);
    }

    @Test
    void gcReleasesEveryReservationWhoseAttachmentIsNotValid() throws Exception {
        harness("c1").run("ADD", v4("1.1.0")).result();
        harness("c2").run("ADD", v4("1.1.0")).result();
        harness("c2", "eth1").run("ADD", v4("1.1.0")).result();
        harness("c3").run("ADD", v4("1.1.0")).result();
        PluginHarness.Outcome out = harness("").run("GC", gcConf("[{\"containerID\":\"c1\",\"ifname\":\"eth0\"},{\"containerID\":\"c2\",\"ifname\":\"eth1\"}]"));
        assertTrue(out.succeeded(), out.stdout());
        assertEquals(List.of("10.1.2.2", "10.1.2.4", "last_reserved_ip.0", "lock"), Exec.storeFiles(store()));
        assertEquals("c2\r\neth1", Files.readString(store().resolve("10.1.2.4")));
    }

    @Test
    void gcKeepsALegacyReservationWhileItsContainerHasAValidAttachment() throws Exception {
        Files.createDirectories(store());
        Files.writeString(store().resolve("10.1.2.8"), "c1");
        Files.writeString(store().resolve("10.1.2.9"), "c9");
        assertTrue(harness("").run("GC", gcConf("[{\"containerID\":\"c1\",\"ifname\":\"eth3\"}]")).succeeded());
        assertEquals(List.of("10.1.2.8", "lock"), Exec.storeFiles(store()));
    }

    @Test
    void gcWithNoValidAttachmentReleasesEverything() {
        harness("c1").run("ADD", v4("1.1.0")).result();
        assertTrue(harness("").run("GC", gcConf("[]")).succeeded());
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(store()));
        harness("c1").run("ADD", v4("1.1.0")).result();
        assertTrue(harness("").run("GC", gcConf("null")).succeeded(), "libcni sends null for an empty Go slice");
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(store()));
    }

    @Test
    void gcReadsThePre1101KeyWhenOnlyItIsPresent() {
        harness("c1").run("ADD", v4("1.1.0")).result();
        harness("c2").run("ADD", v4("1.1.0")).result();
        String conf = Configs.conf("1.1.0", data, "\"subnet\":\"10.1.2.0/24\"",
                "\"cni.dev/attachments\":[{\"containerID\":\"c2\",\"ifname\":\"eth0\"}]");
        assertTrue(harness("").run("GC", conf).succeeded());
        assertEquals(List.of("10.1.2.3", "last_reserved_ip.0", "lock"), Exec.storeFiles(store()));
    }

    @Test
    void gcRemovesLeftoverTemporaryFilesAndEmptyReservations() throws Exception {
        Files.createDirectories(store());
        Files.writeString(store().resolve(".jcni-123-abc"), "c1\r\neth0");
        Files.createFile(store().resolve("10.1.2.5"));
        Files.createFile(store().resolve("10.1.2.6"));
        assertTrue(harness("").run("GC", gcConf("[]")).succeeded());
        assertEquals(List.of("lock"), Exec.storeFiles(store()),
                "GC holds the store's flock, which a Go writer holds while it fills a file: an empty file is a crash's leftover");
    }

    @Test
    void gcNeedsNoRangesBecauseRuntimesSendNoRuntimeConfig() {
        String addConf = Configs.conf("1.1.0", data, "", "\"runtimeConfig\":{\"ipRanges\":[[{\"subnet\":\"10.1.9.0/24\"}]]}");
        harness("c1").run("ADD", addConf).result();
        String gc = Configs.conf("1.1.0", data, "", "\"cni.dev/valid-attachments\":[]");
        assertTrue(harness("").run("GC", gc).succeeded());
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(store()));
    }

    @Test
    void gcOnANetworkNeverUsedCreatesNothing() {
        assertTrue(harness("").run("GC", gcConf("[]")).succeeded());
        assertEquals(List.of(), Exec.allFiles(data));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.4.0", "1.0.0"})
    void gcAndStatusNeedVersion110(String version) {
        assertEquals(1, harness("").run("GC", v4(version)).error().code());
        assertEquals(1, harness("").run("STATUS", v4(version)).error().code());
    }

    // ---- STATUS ----

    @Test
    void statusIsReadyWhenTheStoreExistsOrCanBeCreated() {
        assertTrue(harness("").run("STATUS", v4("1.1.0")).succeeded());
        assertFalse(Files.exists(store()), "STATUS creates nothing");
        harness("c1").run("ADD", v4("1.1.0")).result();
        assertTrue(harness("").run("STATUS", v4("1.1.0")).succeeded());
        assertTrue(harness("").run("STATUS", Configs.conf("1.1.0", data.resolve("a/b/c"), "", "")).succeeded(),
                "no ranges (they may come with runtimeConfig on ADD), parents to be created");
    }

    @Test
    void statusReportsCode50WhenTheStoreCannotBeUsed() throws Exception {
        Path file = Files.writeString(data.resolve("plain-file"), "x");
        CniException e = harness("").run("STATUS", Configs.subnet("1.1.0", file, "10.1.2.0/24")).error();
        assertEquals(50, e.code());
        assertEquals("host-local store " + file.resolve(Configs.NET) + " is not usable: " + file + " is not a directory", e.msg());
        Files.createDirectories(data.resolve("d"));
        Files.writeString(data.resolve("d").resolve(Configs.NET), "x");
        e = harness("").run("STATUS", Configs.subnet("1.1.0", data.resolve("d"), "10.1.2.0/24")).error();
        assertEquals(50, e.code());
        assertTrue(e.msg().endsWith("is not usable: not a directory"), e.msg());
    }

    @Test
    void statusReportsAnInvalidConfigurationWithItsCode() {
        assertEquals(7, harness("").run("STATUS", Configs.subnet("1.1.0", data, "10.1.2.5/24")).error().code());
    }

    @Test
    void addIntoAStoreThatIsAFileFailsWithCode5() throws Exception {
        Files.writeString(data.resolve(Configs.NET), "x");
        CniException e = harness("c1").run("ADD", v4("1.0.0")).error();
        assertEquals(5, e.code());
        assertEquals("mkdir " + store() + ": not a directory", e.msg());
    }
}
