package dev.jcni.plugins.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.bridge.Bridge;
import dev.jcni.plugins.hostlocal.HostLocal;
import dev.jcni.plugins.loopback.Loopback;
import dev.jcni.plugins.staticipam.StaticIpam;
import dev.jcni.plugins.tuning.Tuning;
import dev.jcni.plugins.portmap.Portmap;
import dev.jcni.plugins.ptp.Ptp;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.testkit.Conformance;
import dev.jcni.testkit.ConformanceReport;
import dev.jcni.testkit.ConformanceTests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The plugin author's kit ({@link Conformance}) proven on real plugins: every jcni reference plugin
 * in-process must conform; the Go reference plugins (v1.1.1 in /usr/lib/cni) break the rules listed
 * here, exactly those; {@code jcni conformance} on a packaged executable prints the report.
 */
@KernelTest
class ConformanceIT {
    private static final Path GO = Path.of("/usr/lib/cni");
    private static Path dataDir;
    private static final List<String> bridges = new java.util.ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        dataDir = Files.createTempDirectory("jcni-conformance");
        Files.createDirectories(Path.of("target", "conformance-reports"));
    }

    @AfterAll
    static void tearDown() {
        for (String b : bridges) {
            Kernel.exec("ip", "link", "del", b);
        }
        Kernel.exec("rm", "-rf", dataDir.toString());
    }

    private static String subnet() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return "10." + r.nextInt(200, 250) + "." + r.nextInt(0, 250) + ".0/24";
    }

    private static String name(String kind) {
        return "conf-" + kind + "-" + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24));
    }

    private static String ipam() {
        return "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\",\"ranges\":[[{\"subnet\":\"" + subnet() + "\"}]]}";
    }

    static String bridgeConfig(String version) {
        String br = Kernel.uniqueName("jcb");
        bridges.add(br);
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + name("br") + "\",\"type\":\"bridge\",\"bridge\":\"" + br
                + "\",\"isGateway\":true,\"ipMasq\":true," + ipam() + "}";
    }

    static String ptpConfig(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + name("ptp") + "\",\"type\":\"ptp\",\"ipMasq\":true," + ipam() + "}";
    }

    static String hostLocalConfig(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + name("hl") + "\",\"type\":\"host-local\"," + ipam() + "}";
    }

    /** snat off: portmap would otherwise set route_localnet on whatever routes the fake container address */
    static String portmapConfig(String version) {
        String s = subnet();
        String ip = s.substring(0, s.length() - 4) + "2/24";
        int port = ThreadLocalRandom.current().nextInt(20000, 40000);
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + name("pm") + "\",\"type\":\"portmap\",\"snat\":false,"
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + port + ",\"containerPort\":80,\"protocol\":\"tcp\"}]},"
                + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/var/run/netns/x\"}],"
                + "\"ips\":[{\"address\":\"" + ip + "\",\"interface\":0}]}}";
    }

    /** ptp then bandwidth: the kit runs the chain before the plugin, which gives it a veth and its prevResult */
    static String bandwidthConfig(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"" + name("bw") + "\",\"plugins\":[{\"type\":\"ptp\","
                + ipam() + "},{\"type\":\"bandwidth\",\"ingressRate\":8000000,\"ingressBurst\":80000,"
                + "\"egressRate\":16000000,\"egressBurst\":160000}]}";
    }

    private static Conformance jcni(Conformance c) {
        return c.cniPath(Dist.bin().toString());
    }

    /** Runs the check, keeps its report in target/conformance-reports/NAME.txt, and makes the tests. */
    private static Stream<DynamicNode> check(String name, Conformance c, Set<String> expectedBroken) throws IOException {
        ConformanceReport report = c.run();
        Files.writeString(Path.of("target", "conformance-reports", name + ".txt"), report.toText());
        return ConformanceTests.of(report, expectedBroken);
    }

    // ---------------------------------------------------------------- jcni: every rule holds

    @TestFactory
    Stream<DynamicNode> jcniBridge() throws IOException {
        return check("jcniBridge", jcni(Conformance.of(new Bridge()).config(bridgeConfig("1.1.0"))), Set.of());
    }

    @TestFactory
    Stream<DynamicNode> jcniPtp() throws IOException {
        return check("jcniPtp", jcni(Conformance.of(new Ptp()).config(ptpConfig("1.1.0"))), Set.of());
    }

    @TestFactory
    Stream<DynamicNode> jcniHostLocal() throws IOException {
        return check("jcniHostLocal", jcni(Conformance.of(new HostLocal()).config(hostLocalConfig("1.1.0"))), Set.of());
    }

    @TestFactory
    Stream<DynamicNode> jcniPortmap() throws IOException {
        return check("jcniPortmap", jcni(Conformance.of(new Portmap()).config(portmapConfig("1.1.0"))), Set.of());
    }

    /**
     * The kit's namespaces start with {@code lo} up (a runtime's new sandbox has it down), and
     * loopback's DEL sets it down, as Go's does: the kit sees "link lo down" as left behind, in every
     * version's cycle, and nothing else. LoopbackIT checks DEL's state against a sandbox-like start.
     */
    @TestFactory
    Stream<DynamicNode> jcniLoopback() throws IOException {
        return check("jcniLoopback", jcni(Conformance.of(new Loopback()).config(
                "{\"cniVersion\":\"1.1.0\",\"name\":\"" + name("lo") + "\",\"type\":\"loopback\"}")),
                Set.of("nothing-left@0.1.0", "nothing-left@0.2.0", "nothing-left@0.3.0", "nothing-left@0.3.1", "nothing-left@0.4.0",
                        "nothing-left@1.0.0", "nothing-left@1.1.0"));
    }

    @TestFactory
    Stream<DynamicNode> jcniStatic() throws IOException {
        return check("jcniStatic", jcni(Conformance.of(new StaticIpam()).config("{\"cniVersion\":\"1.1.0\",\"name\":\"" + name("st")
                + "\",\"type\":\"static\",\"ipam\":{\"type\":\"static\",\"addresses\":[{\"address\":\"10.254.11.2/24\","
                + "\"gateway\":\"10.254.11.1\"}],\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}}")), Set.of());
    }

    /** Chained after jcni's ptp + host-local, which make its interface and its prevResult. */
    @TestFactory
    Stream<DynamicNode> jcniTuning() throws IOException {
        String list = "{\"cniVersion\":\"1.1.0\",\"name\":\"" + name("tu") + "\",\"plugins\":[{\"type\":\"ptp\"," + ipam() + "},"
                + "{\"type\":\"tuning\",\"dataDir\":\"" + dataDir.resolve("tuning") + "\",\"sysctl\":{\"net.core.somaxconn\":\"512\","
                + "\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"},\"mtu\":1400,\"promisc\":true,\"allmulti\":true,\"txQLen\":500}]}";
        return check("jcniTuning", jcni(Conformance.of(new Tuning()).config(list)), Set.of());
    }

    @TestFactory
    Stream<DynamicNode> jcniBandwidth() throws IOException {
        return check("jcniBandwidth", jcni(Conformance.of(new dev.jcni.plugins.bandwidth.Bandwidth())
                .config(bandwidthConfig("1.1.0"))), Set.of());
    }

    // ---------------------------------------------------------------- Go v1.1.1: what it breaks

    /** Go's skel answers VERSION with its own version (1.0.0 here), not the input's. */
    static final String GO_VERSION_ECHO = "version-echoes-input";
    /** Go's error JSON has code and msg but no cniVersion. */
    static final String GO_ERROR_FIELDS = "error-fields";

    @TestFactory
    Stream<DynamicNode> goBridge() throws IOException {
        return check("goBridge", Conformance.of(GO.resolve("bridge")).config(bridgeConfig("0.4.0")),
                Set.of(GO_VERSION_ECHO, GO_ERROR_FIELDS));
    }

    @TestFactory
    Stream<DynamicNode> goPtp() throws IOException {
        return check("goPtp", Conformance.of(GO.resolve("ptp")).config(ptpConfig("0.4.0")),
                Set.of(GO_VERSION_ECHO, GO_ERROR_FIELDS));
    }

    @TestFactory
    Stream<DynamicNode> goHostLocal() throws IOException {
        return check("goHostLocal", Conformance.of(GO.resolve("host-local")).config(hostLocalConfig("0.4.0")),
                Set.of(GO_VERSION_ECHO, GO_ERROR_FIELDS));
    }

    /**
     * Go's portmap v1.1.1 CHECKs the iptables of both families whatever the container's addresses are:
     * an IPv4-only container fails CHECK with "could not check ipv6 dnat: chain CNI-DN-... not found"
     * (fixed in v1.2.0 and later).
     */
    @TestFactory
    Stream<DynamicNode> goPortmap() throws IOException {
        return check("goPortmap", Conformance.of(GO.resolve("portmap")).config(portmapConfig("0.4.0")),
                Set.of(GO_VERSION_ECHO, GO_ERROR_FIELDS, "check-after-add@0.4.0", "check-after-add@1.0.0"));
    }

    // ---------------------------------------------------------------- the CLI

    @Test
    void jcniConformancePrintsTheReportOfAPackagedPlugin() throws IOException {
        Path conf = dataDir.resolve("host-local.json");
        Files.writeString(conf, hostLocalConfig("1.0.0"));
        Dist.Run r = Dist.run(List.of(Dist.exe("jcni").toString(), "conformance", "--versions", "0.2.0,1.0.0",
                Dist.exe("host-local").toString(), conf.toString()), Map.of(), "");
        Files.writeString(Path.of("target", "conformance-reports", "jcni-cli-host-local.txt"), r.stdout() + r.stderr());
        assertEquals(0, r.exitCode(), r.stdout() + r.stderr());
        assertTrue(r.stdout().startsWith("CNI conformance of " + Dist.exe("host-local")), r.stdout());
        assertTrue(r.stdout().contains("ok      ADD prints a result valid for the requested version [1.0.0]"), r.stdout());
        assertTrue(r.stdout().contains("summary: "), r.stdout());
        assertTrue(r.stdout().contains(" 0 broken"), r.stdout());
    }
}
