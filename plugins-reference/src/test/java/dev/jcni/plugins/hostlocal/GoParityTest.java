package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parity with the Go host-local v1.1.1 (/usr/lib/cni/host-local, Debian's containernetworking-plugins):
 * same configuration, same sequence of calls: same addresses, same results, same store bytes; and
 * both plugins sharing one store.
 */
class GoParityTest {
    @TempDir
    Path goData;
    @TempDir
    Path jcniData;

    @BeforeAll
    static void needsTheGoPlugin() {
        dev.jcni.sdk.testsupport.Kernel.assumeGoPlugins();
    }

    record Step(String command, String id, String ifname) {
    }

    static List<Step> steps(String... spec) {
        List<Step> out = new ArrayList<>();
        for (String s : spec) {
            String[] p = s.split(" ");
            out.add(new Step(p[0], p[1], p.length > 2 ? p[2] : "eth0"));
        }
        return out;
    }

    /** Runs the same steps through both plugins (each in its own store) and compares every outcome. */
    void sameOutcomes(BiFunction<String, Path, String> conf, List<Step> steps, String cniArgs) {
        for (Step s : steps) {
            Map<String, String> env = Exec.env(s.command(), s.id(), s.ifname());
            if (!cniArgs.isEmpty()) {
                env.put("CNI_ARGS", cniArgs);
            }
            Exec.Run go = Exec.go(env, conf.apply(s.command(), goData));
            Exec.Run jcni = Exec.jcni(env, conf.apply(s.command(), jcniData));
            assertEquals(go.exit() == 0, jcni.exit() == 0, s + ": go " + go + " / jcni " + jcni);
            if (go.exit() == 0) {
                if (s.command().equals("ADD")) {
                    assertEquals(go.result(), jcni.result(), s.toString());
                } else {
                    assertEquals(go.stdout(), jcni.stdout(), s.toString());
                }
            } else {
                assertEquals(go.error().msg(), jcni.error().msg(), s.toString());
            }
            assertSameStore();
        }
    }

    void assertSameStore() {
        List<String> goFiles = Exec.allFiles(goData);
        List<String> jcniFiles = Exec.allFiles(jcniData);
        if (goFiles.equals(List.of(Configs.NET + "/lock")) && jcniFiles.isEmpty()) {
            return; // documented: a failed ADD, or a DEL, on a network never used creates no store (Go creates dir + lock)
        }
        assertEquals(goFiles, jcniFiles);
        for (String f : goFiles) {
            assertArrayEquals(read(goData.resolve(f)), read(jcniData.resolve(f)), f);
        }
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0"})
    void sameAddressSequenceResultsAndStoreBytesThroughAWrapAndExhaustion(String version) {
        sameOutcomes((cmd, dir) -> Configs.subnet(version, dir, "10.1.2.0/29"),
                steps("ADD c1", "ADD c2", "ADD c3", "DEL c2", "ADD c4", "ADD c5", "ADD c6", "ADD c7", "ADD c1", "DEL c1", "DEL c1",
                        "DEL never"), "");
    }

    @Test
    void sameOnIpv6AndMultiRangeSetsWithBoundsGatewaysRoutesAndDns() throws IOException {
        Path resolv = Files.writeString(jcniData.resolveSibling(jcniData.getFileName() + "-resolv.conf"),
                "domain x.example\nnameserver 10.0.0.53\nsearch a b\noptions ndots:2\n");
        try {
            String ipam = "\"ranges\":[[{\"subnet\":\"10.1.2.0/28\",\"rangeStart\":\"10.1.2.4\",\"rangeEnd\":\"10.1.2.6\",\"gateway\":\"10.1.2.5\"},"
                    + "{\"subnet\":\"10.1.3.0/30\"}],[{\"subnet\":\"2001:db8:1::/125\"}]],"
                    + "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"2001:db8:9::/48\",\"gw\":\"2001:db8:1::1\"}],\"resolvConf\":\"" + resolv + "\"";
            sameOutcomes((cmd, dir) -> Configs.conf("1.0.0", dir, ipam, ""),
                    steps("ADD a", "ADD b", "ADD c", "DEL a", "ADD d", "ADD e", "ADD f", "ADD g", "DEL b", "ADD h", "CHECK h", "CHECK zz",
                            "DEL h", "DEL c"), "");
        } finally {
            Files.delete(resolv);
        }
    }

    @Test
    void sameWithRequestedAddressesFromEverySource() {
        String top = "\"args\":{\"cni\":{\"ips\":[\"10.1.3.9\"]}},\"runtimeConfig\":{\"ips\":[\"2001:db8::9/64\"],"
                + "\"ipRanges\":[[{\"subnet\":\"2001:db8::/64\"}]]}";
        sameOutcomes((cmd, dir) -> Configs.conf("1.0.0", dir, "\"subnet\":\"10.1.2.0/24\",\"ranges\":[[{\"subnet\":\"10.1.3.0/24\"}]]", top),
                steps("ADD a", "ADD b", "DEL a", "ADD c"), "IgnoreUnknown=1;K8S_POD_NAMESPACE=x;IP=10.1.2.77");
    }

    @Test
    void sameErrorTextsForEveryInvalidConfiguration() {
        List<String> ipams = List.of("\"subnet\":\"10.1.2.0/33\"", "\"subnet\":\"10.1.2.5/24\"", "\"subnet\":\"10.1.2.4/31\"",
                "\"subnet\":\"10.1.2.0/24\",\"rangeStart\":\"10.1.3.1\"", "\"subnet\":\"10.1.2.0/24\",\"rangeEnd\":\"foo\"",
                "\"ranges\":[[]]", "\"ranges\":[[{}]]", "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"},{\"subnet\":\"2001:db8::/64\"}]]",
                "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"},{\"subnet\":\"10.1.2.0/26\"}]]",
                "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.2.64/26\"}]]", "",
                "\"subnet\":\"::ffff:10.1.2.0/120\"");
        for (String ipam : ipams) {
            sameOutcomes((cmd, dir) -> Configs.conf("1.0.0", dir, ipam, ""), steps("ADD a"), "");
        }
        sameOutcomes((cmd, dir) -> "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\"}", steps("ADD a"), "");
        sameOutcomes((cmd, dir) -> Configs.conf("0.2.0", dir, "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"10.1.3.0/24\"}]]", ""),
                steps("ADD a"), "");
        sameOutcomes((cmd, dir) -> Configs.subnet("1.0.0", dir, "10.1.2.0/24"), steps("ADD a"), "FOO=bar");
        sameOutcomes((cmd, dir) -> Configs.subnet("1.0.0", dir, "10.1.2.0/24"), steps("ADD a"), "IP=10.1.2.300");
        sameOutcomes((cmd, dir) -> Configs.conf("1.0.0", dir, "\"subnet\":\"10.1.2.0/24\"", "\"runtimeConfig\":{\"ips\":[\"10.1.2.1\"]}"),
                steps("ADD a"), "");
    }

    @Test
    void errorCodesAreSpecCodesWhereGoSays999() {
        Map<String, String> env = Exec.env("ADD", "a", "eth0");
        String bad = Configs.subnet("1.0.0", jcniData, "10.1.2.0/33");
        CniException go = Exec.go(env, bad.replace(jcniData.toString(), goData.toString())).error();
        CniException jcni = Exec.jcni(env, bad).error();
        assertEquals(999, go.code());
        assertEquals(7, jcni.code(), "invalid network configuration (docs/host-local.md)");
        assertEquals(go.msg(), jcni.msg());
    }

    @Test
    void fileModesAreEachSidesDocumentedOnes() {
        Map<String, String> env = Exec.env("ADD", "a", "eth0");
        Exec.go(env, Configs.subnet("1.0.0", goData, "10.1.2.0/24")).result();
        Exec.jcni(env, Configs.subnet("1.0.0", jcniData, "10.1.2.0/24")).result();
        Path go = goData.resolve(Configs.NET);
        Path jcni = jcniData.resolve(Configs.NET);
        assertEquals("rw-r--r--", mode(go.resolve("10.1.2.2")), "Go v1.1.1: 0644 (0600 since v1.4.0)");
        assertEquals("rw-------", mode(jcni.resolve("10.1.2.2")), "jcni: 0600, as Go since v1.4.0");
        assertEquals("rw-r--r--", mode(go.resolve("last_reserved_ip.0")));
        assertEquals("rw-------", mode(jcni.resolve("last_reserved_ip.0")));
        assertEquals(mode(go.resolve("lock")), mode(jcni.resolve("lock")));
        assertEquals("rwxr-x---", mode(jcni.resolve("lock")));
        assertEquals(mode(go), mode(jcni));
        assertEquals("rwxr-xr-x", mode(jcni));
    }

    // ---- one store shared by both ----

    @Test
    void goAddThenJcniDelAndJcniAddThenGoDelLeaveAnEmptyStore() {
        String conf = Configs.conf("1.0.0", jcniData, "\"ranges\":[[{\"subnet\":\"10.1.2.0/24\"}],[{\"subnet\":\"2001:db8::/64\"}]]", "");
        Exec.go(Exec.env("ADD", "g1", "eth0"), conf).result();
        Exec.jcni(Exec.env("ADD", "j1", "eth0"), conf).result();
        assertEquals(0, Exec.jcni(Exec.env("CHECK", "g1", "eth0"), conf).exit(), "jcni finds Go's reservation");
        assertEquals(0, Exec.go(Exec.env("CHECK", "j1", "eth0"), conf).exit(), "Go finds jcni's reservation");
        assertEquals(0, Exec.jcni(Exec.env("DEL", "g1", "eth0"), conf).exit());
        assertEquals(0, Exec.go(Exec.env("DEL", "j1", "eth0"), conf).exit());
        assertEquals(List.of("last_reserved_ip.0", "last_reserved_ip.1", "lock"), Exec.storeFiles(jcniData.resolve(Configs.NET)));
    }

    @Test
    void roundRobinContinuesAcrossImplementations() {
        String conf = Configs.subnet("1.0.0", jcniData, "10.1.2.0/24");
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Exec.Run r = i % 2 == 0 ? Exec.go(Exec.env("ADD", "c" + i, "eth0"), conf) : Exec.jcni(Exec.env("ADD", "c" + i, "eth0"), conf);
            got.add(Ip.format(r.result().ips().get(0).address().address()));
        }
        assertEquals(List.of("10.1.2.2", "10.1.2.3", "10.1.2.4", "10.1.2.5"), got);
        CniException dup = Exec.jcni(Exec.env("ADD", "c0", "eth0"), conf).error();
        assertEquals("failed to allocate for range 0: 10.1.2.2 has been allocated to c0, duplicate allocation is not allowed", dup.msg());
    }

    @Test
    void goAndJcniAddingConcurrentlyIntoOneStoreNeverShareAnAddress() {
        String conf = Configs.subnet("1.0.0", jcniData, "10.1.0.0/24");
        int n = 40;
        List<List<String>> commands = new ArrayList<>();
        List<Map<String, String>> adds = new ArrayList<>();
        List<Map<String, String>> dels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            commands.add(i % 2 == 0 ? List.of(Exec.GO_HOST_LOCAL.toString()) : Exec.jcniCommand());
            adds.add(Exec.env("ADD", "ctr" + i, "eth0"));
            dels.add(Exec.env("DEL", "ctr" + i, "eth0"));
        }
        Set<String> addresses = new HashSet<>();
        for (Exec.Run r : Exec.parallel(commands, adds, conf)) {
            addresses.add(Ip.format(r.result().ips().get(0).address().address()));
        }
        assertEquals(n, addresses.size(), "no address handed out twice");
        assertEquals(n + 2, Exec.storeFiles(jcniData.resolve(Configs.NET)).size());
        // the other implementation deletes each one
        List<List<String>> swapped = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            swapped.add(i % 2 == 1 ? List.of(Exec.GO_HOST_LOCAL.toString()) : Exec.jcniCommand());
        }
        for (Exec.Run r : Exec.parallel(swapped, dels, conf)) {
            assertEquals(0, r.exit(), r.toString());
        }
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(jcniData.resolve(Configs.NET)));
        assertTrue(Exec.allFiles(jcniData).stream().noneMatch(f -> f.contains(Store.TEMP_PREFIX)));
    }
}
