package dev.jcni.plugins.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.MacAddress;
import dev.jcni.sdk.types.NetConf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** tuning's configuration: the sources and their order, the sysctl key rules, every refusal before anything is changed. */
class TuningConfigTest {
    static final Path NO_ALLOWLIST = Path.of("/nonexistent/jcni-allowlist.conf");

    static TuningConfig load(String fields, String cniArgs) {
        return load(fields, cniArgs, "eth0", NO_ALLOWLIST);
    }

    static TuningConfig load(String fields, String cniArgs, String ifName, Path allowlist) {
        String json = "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"tuning\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
        return TuningConfig.load(NetConf.fromJson(json.getBytes(StandardCharsets.UTF_8)), CniArgs.parse(cniArgs), ifName, Path.of("/work"),
                allowlist, true);
    }

    static CniException error(String fields, String cniArgs) {
        return assertThrows(CniException.class, () -> load(fields, cniArgs));
    }

    @Test
    void fieldsAndDefaults() {
        TuningConfig c = load("\"sysctl\":{\"net.core.somaxconn\":\"500\",\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"},\"mac\":\"C2:B0:57:49:47:F1\","
                + "\"mtu\":1454,\"promisc\":true,\"allmulti\":false,\"txQLen\":0", "");
        assertEquals(List.of(Path.of("/proc/sys/net/core/somaxconn"), Path.of("/proc/sys/net/ipv4/conf/eth0/arp_filter")),
                List.copyOf(c.sysctls().values()));
        assertEquals(Optional.of(MacAddress.parse("c2:b0:57:49:47:f1")), c.mac());
        assertEquals("C2:B0:57:49:47:F1", c.macText());
        assertEquals(1454, c.mtu());
        assertTrue(c.promisc());
        assertEquals(Optional.of(false), c.allmulti(), "false is a value to set");
        assertEquals(OptionalInt.of(0), c.txQLen(), "0 is a value to set");
        assertEquals(TuningConfig.DEFAULT_DATA_DIR, c.dataDir());
        assertEquals(Path.of("/work/rel"), load("\"dataDir\":\"rel\"", "").dataDir(), "relative to the caller's directory");
        TuningConfig none = load("", "");
        assertTrue(!none.changesLink() && none.sysctls().isEmpty());
    }

    @Test
    void laterSourcesWin() {
        String fields = "\"mac\":\"02:00:00:00:00:01\",\"mtu\":1400,\"sysctl\":{\"net.core.somaxconn\":\"500\"},"
                + "\"runtimeConfig\":{\"mac\":\"02:00:00:00:00:03\"}";
        assertEquals("02:00:00:00:00:02", load("\"mac\":\"02:00:00:00:00:01\"", "IgnoreUnknown=1;K8S_POD_NAME=x;MAC=02:00:00:00:00:02").macText());
        assertEquals("02:00:00:00:00:03", load(fields, "MAC=02:00:00:00:00:02").macText(), "the mac capability over CNI_ARGS");
        TuningConfig c = load(fields + ",\"args\":{\"cni\":{\"mac\":\"02:00:00:00:00:04\",\"mtu\":9000,\"promisc\":true,\"allmulti\":true,"
                + "\"txQLen\":7,\"sysctl\":{\"net.core.somaxconn\":\"600\",\"net.ipv4.ip_forward\":\"1\"}}}", "MAC=02:00:00:00:00:02");
        assertEquals("02:00:00:00:00:04", c.macText(), "args.cni over everything");
        assertEquals(9000, c.mtu());
        assertTrue(c.promisc());
        assertEquals(Optional.of(true), c.allmulti());
        assertEquals(OptionalInt.of(7), c.txQLen());
        assertEquals("600", c.values().get("net.core.somaxconn"), "args' sysctls merged key by key");
        assertEquals("1", c.values().get("net.ipv4.ip_forward"));
    }

    @Test
    void sysctlKeysFollowGosRules() {
        assertEquals(Path.of("/proc/sys/net/ipv4/conf/eth0.100/arp_filter"), TuningConfig.sysctlFile("net.ipv4.conf.IFNAME.arp_filter", "eth0.100"),
                "the interface name's dots stay (Go HEAD)");
        assertEquals(Path.of("/proc/sys/net/ipv4/conf/eth0/IFNAME"), TuningConfig.sysctlFile("net.ipv4.conf.IFNAME.IFNAME", "eth0"),
                "only the first IFNAME");
        assertEquals(Path.of("/proc/sys/net/core/somaxconn"), TuningConfig.sysctlFile("net/core/somaxconn", "eth0"));
        assertEquals(Path.of("/proc/sys/net/kernel/x"), TuningConfig.sysctlFile("net/../kernel/x", "eth0"), "dots are separators: no way up");
        for (String bad : List.of("kernel.shmmax", "net", "net.", "net.ipv4.conf.IFNAME.x", "vm.swappiness", "/net/x")) {
            String ifName = bad.contains("IFNAME") ? "../../../../kernel" : "eth0";
            if (bad.equals("/net/x")) {
                // a leading slash: Go's filepath.Join keeps it under /proc/sys
                assertEquals(Path.of("/proc/sys/net/x"), TuningConfig.sysctlFile(bad, ifName));
                continue;
            }
            CniException e = assertThrows(CniException.class, () -> TuningConfig.sysctlFile(bad, ifName), bad);
            assertEquals(7, e.code());
            assertTrue(e.msg().startsWith("invalid net sysctl key: \""), e.msg());
        }
        assertEquals("invalid net sysctl key: \"kernel/shmmax\"", error("\"sysctl\":{\"kernel.shmmax\":\"1\"}", "").msg());
    }

    @Test
    void refusalsBeforeAnythingIsChanged() throws IOException {
        assertEquals("Interface name (a/b) contains an invalid character /",
                assertThrows(CniException.class, () -> load("", "", "a/b", NO_ALLOWLIST)).msg());
        CniException e = error("\"mac\":\"c2:b0\"", "");
        assertEquals(7, e.code());
        assertEquals("invalid args c2:b0 for MAC addr: address c2:b0: invalid MAC address", e.msg());
        assertEquals(4, error("", "FOO=1").code());
        e = error("\"mtu\":\"big\"", "");
        assertEquals(6, e.code());
        assertTrue(e.msg().startsWith("failed to load netconf: "), e.msg());
        assertThrows(CniException.class, () -> TuningConfig.rejectDuplicateSysctlKeys(
                "{\"sysctl\":{\"net.core.somaxconn\":\"1\",\"net.core.somaxconn\":\"2\"}}".getBytes(StandardCharsets.UTF_8)));
        TuningConfig.rejectDuplicateSysctlKeys("{\"sysctl\":{\"a\":\"1\"},\"args\":{\"sysctl\":{\"a\":\"1\"}}}".getBytes(StandardCharsets.UTF_8));

        Path allow = Files.createTempFile("jcni-allowlist", ".conf");
        try {
            Files.writeString(allow, "^net\\.core\\.somaxconn$\n\n  ^net\\.ipv4\\.conf\\.IFNAME\\.[a-z_]+$  \n");
            load("\"sysctl\":{\"net.core.somaxconn\":\"1\",\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"}", "", "eth0", allow);
            e = assertThrows(CniException.class, () -> load("\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"}", "", "eth0", allow));
            assertEquals(7, e.code());
            assertEquals("Sysctl net.ipv4.ip_forward is not allowed. Only the following sysctls are allowed: "
                    + "[^net\\.core\\.somaxconn$ ^net\\.ipv4\\.conf\\.IFNAME\\.[a-z_]+$]", e.msg());
        } finally {
            Files.delete(allow);
        }
    }

    @Provide
    Arbitrary<String> keys() {
        return Arbitraries.strings().withChars("net.ipv4/conf.IFNAME_..x/").ofMinLength(1).ofMaxLength(30);
    }

    /** Whatever the key and interface name, an accepted sysctl's file is under /proc/sys/net/: never another subsystem. */
    @Property(tries = 500)
    void anAcceptedKeyNeverLeavesProcSysNet(@ForAll("keys") String key, @ForAll("ifNames") String ifName) {
        try {
            Path file = TuningConfig.sysctlFile(key, ifName);
            assertTrue(file.normalize().toString().startsWith("/proc/sys/net/"), key + " -> " + file);
        } catch (CniException e) {
            assertEquals(7, e.code());
        }
    }

    @Provide
    Arbitrary<String> ifNames() {
        return Arbitraries.strings().withChars("eth0..").ofMinLength(1).ofMaxLength(15);
    }
}
