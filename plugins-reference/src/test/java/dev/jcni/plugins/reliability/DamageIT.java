package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.hostlocal.HostLocal;
import dev.jcni.sdk.runtime.CniConfig;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.NetConfList;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Damage to what the plugins and the runtime keep on disk: host-local's store (a reservation file
 * emptied or overwritten with garbage, {@code last_reserved_ip} or the lock file damaged, the store
 * directory replaced by a file, a directory named like an address) and the runtime's result cache (a
 * file truncated, empty, not JSON, of the wrong shape, or unreadable). Each call ends in a coded error
 * or the documented recovery, never a crash (exit 1 with a coded error JSON, or success), and no
 * address ever gets a second owner. Needs no root: host-local runs in-process on a temporary
 * {@code dataDir}; the cache tests exec the packaged host-local through jcni's runtime side.
 */
class DamageIT {
    static final String NET = "jrel-damage";

    @TempDir
    Path tmp;

    String conf(Path data) {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NET + "\",\"type\":\"host-local\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.246.3.0/29\"}]]}}";
    }

    static Map<String, String> attachment(String cid) {
        return Map.of("CNI_CONTAINERID", cid, "CNI_NETNS", "/run/netns/jrel-absent", "CNI_IFNAME", "eth0");
    }

    /** A call that must succeed or fail cleanly: exit 0, or exit 1 with one coded error JSON; no stack trace. */
    static Dist.Run clean(Dist.Run r, String what) {
        String all = r + "";
        assertFalse(r.stdout().contains("\tat ") || r.stderr().contains("\tat "), "no stack trace: " + what + ": " + all);
        if (r.exitCode() != 0) {
            assertEquals(1, r.exitCode(), what + ": " + all);
            CniException e = r.error();
            assertTrue(e.code() > 0 && !e.msg().isBlank(), what + ": " + all);
        }
        return r;
    }

    Dist.Run hostLocal(String verb, String cid, String conf) {
        return clean(Calls.inProcess(new HostLocal(), verb, attachment(cid), conf), verb + " " + cid);
    }

    static String address(Dist.Run add) {
        assertEquals(0, add.exitCode(), add.toString());
        return Ip.format(add.result().ips().get(0).address().address());
    }

    /** Owner per address: {@code address -> content} of every reservation file. */
    static Map<String, String> owners(Path store) {
        return Store.reservations(store);
    }

    /** How host-local's store is damaged after the first container's ADD. */
    enum StoreDamage {
        RESERVATION_EMPTY, RESERVATION_GARBAGE, LAST_RESERVED_EMPTY, LAST_RESERVED_GARBAGE, LOCK_GARBAGE, ADDRESS_IS_A_DIRECTORY
    }

    /**
     * Rule: a damaged store never makes host-local hand out an address that a file still claims, never
     * crashes it, and GC with the live attachments brings the store back to exactly them (the documented
     * recovery for a reservation no container can be found for).
     */
    @ParameterizedTest
    @EnumSource(StoreDamage.class)
    void aDamagedStoreNeverGivesAnAddressASecondOwner(StoreDamage damage) throws IOException {
        Path data = tmp.resolve("data");
        String conf = conf(data);
        Path store = data.resolve(NET);
        String first = address(hostLocal("ADD", "c1", conf));
        switch (damage) {
            case RESERVATION_EMPTY -> Files.write(store.resolve(first), new byte[0]);
            case RESERVATION_GARBAGE -> Files.write(store.resolve(first), new byte[] {0, (byte) 0xff, 'c', '2', '\r', '\n', 0, 'x'});
            case LAST_RESERVED_EMPTY -> Files.write(store.resolve("last_reserved_ip.0"), new byte[0]);
            case LAST_RESERVED_GARBAGE -> Files.write(store.resolve("last_reserved_ip.0"), "10.246.3.999\n\0zz".getBytes(StandardCharsets.UTF_8));
            case LOCK_GARBAGE -> Files.write(store.resolve("lock"), "garbage".getBytes(StandardCharsets.UTF_8));
            case ADDRESS_IS_A_DIRECTORY -> Files.createDirectory(store.resolve("10.246.3.3"));
        }
        // the next containers fill the range: none gets an address that a file claims
        List<String> given = new ArrayList<>(List.of(first));
        for (int i = 2; i <= 7; i++) {
            Dist.Run r = hostLocal("ADD", "c" + i, conf);
            if (r.exitCode() != 0) {
                assertTrue(r.error().msg().contains("no IP addresses available"), r.toString());
                break;
            }
            String a = address(r);
            assertFalse(given.contains(a), damage + ": " + a + " handed out twice: " + given);
            if (damage == StoreDamage.ADDRESS_IS_A_DIRECTORY) {
                assertNotEquals("10.246.3.3", a, "an address whose name is taken by a directory is not handed out");
            }
            given.add(a);
        }
        boolean firstKept = damage != StoreDamage.RESERVATION_EMPTY && damage != StoreDamage.RESERVATION_GARBAGE;
        // CHECK and DEL of the first container: its reservation is either intact or not its own any more
        Dist.Run check = hostLocal("CHECK", "c1", conf);
        assertEquals(firstKept ? 0 : 1, check.exitCode(), check.toString());
        assertEquals(0, hostLocal("DEL", "c1", conf).exitCode());
        // GC with the live attachments (c2..): only theirs stay
        List<String> valid = new ArrayList<>();
        for (int i = 2; i < given.size() + 1; i++) {
            valid.add("{\"containerID\":\"c" + i + "\",\"ifname\":\"eth0\"}");
        }
        String gcConf = conf.substring(0, conf.length() - 1) + ",\"cni.dev/valid-attachments\":[" + String.join(",", valid) + "]}";
        assertEquals(0, clean(Calls.inProcess(new HostLocal(), "GC", Map.of("CNI_PATH", "/nonexistent"), gcConf), "GC").exitCode());
        if (damage == StoreDamage.ADDRESS_IS_A_DIRECTORY) {
            Files.delete(store.resolve("10.246.3.3")); // not a reservation: GC leaves it, the comparison below reads files
        }
        Map<String, String> expected = new TreeMap<>();
        for (int i = 1; i < given.size(); i++) {
            expected.put(given.get(i), Store.key("c" + (i + 1), "eth0"));
        }
        assertEquals(expected, owners(store), damage + ": after GC the store holds exactly the live attachments");
        Calls.figure("store damage " + damage, given.size() + " addresses handed out, 0 twice; GC left exactly the "
                + expected.size() + " live reservations");
    }

    /**
     * Rule: a store directory that is a file fails ADD with a code and creates nothing (DEL succeeds or
     * fails with a code); a lock file that is a directory still locks.
     */
    @Test
    void aStoreThatIsAFileFailsWithACodeAndALockThatIsADirectoryStillLocks() throws IOException {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        Files.write(data.resolve(NET), "garbage".getBytes(StandardCharsets.UTF_8));
        Dist.Run add = hostLocal("ADD", "c1", conf(data));
        assertEquals(1, add.exitCode());
        assertEquals(List.of(NET), Store.files(data));
        Dist.Run del = hostLocal("DEL", "c1", conf(data)); // exit 0, or 1 with a coded error (checked by hostLocal)
        assertEquals(List.of(NET), Store.files(data), del.toString());
        Files.delete(data.resolve(NET));
        Files.createDirectories(data.resolve(NET).resolve("lock"));
        // flock(2) locks a directory as well as a file: the lock still excludes, and ADD works
        // (a lock that cannot be taken at all fails the call with code 5: PluginLockTest)
        Dist.Run locked = hostLocal("ADD", "c1", conf(data));
        assertEquals(0, locked.exitCode(), locked.toString());
        assertEquals(1, Store.reservations(data.resolve(NET)).size());
        assertTrue(Files.isDirectory(data.resolve(NET).resolve("lock")));
    }

    /** How the result cache file of an attachment is damaged. */
    enum CacheDamage { TRUNCATED, EMPTY, NOT_JSON, WRONG_SHAPE, UNREADABLE }

    /**
     * Rule (the result cache, docs/runtime.md): an empty, truncated, non-JSON or unreadable cache file
     * reads as no cache, with a warning: CHECK and DEL go on without {@code prevResult}, DEL releases
     * the address and removes the file, GC succeeds; no call crashes.
     */
    @ParameterizedTest
    @EnumSource(CacheDamage.class)
    void aDamagedResultCacheReadsAsNoCache(CacheDamage damage) throws IOException {
        Calls.requireMode();
        Path data = tmp.resolve("data");
        Path cache = tmp.resolve("cache");
        NetConfList list = NetConfList.fromJson(("{\"cniVersion\":\"1.1.0\",\"name\":\"" + NET + "\",\"plugins\":[{\"type\":\"host-local\","
                + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.246.4.0/24\"}]]}}]}")
                .getBytes(StandardCharsets.UTF_8));
        Network.Runner cni = Calls.runtime(CniConfig.create(List.of(Dist.bin().toString())).withCacheDir(cache).withTimeout(Duration.ofMinutes(2)));
        RuntimeConf rt = RuntimeConf.of("dmg-" + damage.name().toLowerCase(java.util.Locale.ROOT), "/run/netns/jrel-absent", "eth0");
        String ip = Ip.format(cni.addNetworkList(list, rt).ips().get(0).address().address());
        Path file = cache.resolve("results").resolve(NET + "-" + rt.containerId() + "-eth0");
        byte[] good = Files.readAllBytes(file);
        switch (damage) {
            case TRUNCATED -> Files.write(file, java.util.Arrays.copyOf(good, good.length / 2));
            case EMPTY -> Files.write(file, new byte[0]);
            case NOT_JSON -> Files.write(file, new byte[] {'n', 'o', 't', 0, (byte) 0xfe, '{'});
            case WRONG_SHAPE -> Files.writeString(file, "{\"kind\":\"cniCacheV1\",\"result\":{\"cniVersion\":\"1.1.0\",\"ips\":\"x\"}}");
            case UNREADABLE -> {
                Files.delete(file);
                Files.createDirectory(file); // as root, a mode cannot make a file unreadable; a directory cannot be read
            }
        }
        assertEquals(Optional.empty(), cni.getNetworkListCachedResult(list, rt), "reads as no cache");
        cni.checkNetworkList(list, rt); // host-local's CHECK needs no prevResult: the reservation is there
        // another container never gets the address
        RuntimeConf other = RuntimeConf.of(rt.containerId() + "-b", "/run/netns/jrel-absent", "eth0");
        assertNotEquals(ip, Ip.format(cni.addNetworkList(list, other).ips().get(0).address().address()));
        cni.delNetworkList(list, rt);
        cni.delNetworkList(list, other);
        cni.gcNetworkList(list, List.of());
        assertEquals(Map.of(), owners(data.resolve(NET)), "DEL released both addresses");
        assertEquals(List.of(), Store.files(cache.resolve("results")), "DEL removed the damaged entry");
        assertFalse(Files.exists(cache.resolve(".jcni-tmp")));
    }

    /** Rule: the jcni CLI on a damaged cache entry: CHECK and DEL succeed, with a warning and no stack trace. */
    @Test
    void theCliOnAnEmptyCacheFileWarnsAndGoesOn() throws IOException {
        Calls.requireMode();
        Path data = tmp.resolve("data");
        Path cache = tmp.resolve("cache");
        Path confDir = Files.createDirectories(tmp.resolve("net.d"));
        Files.writeString(confDir.resolve("10-dmg.conflist"), "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NET + "\",\"plugins\":[{\"type\":"
                + "\"host-local\",\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.246.5.0/24\"}]]}}]}");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("NETCONFPATH", confDir.toString());
        env.put("CNI_PATH", Dist.bin().toString());
        env.put("CNI_CONTAINERID", "dmg-cli");
        List<String> base = List.of(Dist.exe("jcni").toString(), "--cache-dir", cache.toString());
        Dist.Run add = Dist.run(concat(base, "add", NET, "/run/netns/jrel-absent"), Calls.env(env), "");
        assertEquals(0, add.exitCode(), add.toString());
        Path file;
        try (var s = Files.list(cache.resolve("results"))) {
            file = s.findFirst().orElseThrow();
        }
        Files.write(file, new byte[0]);
        for (String verb : List.of("check", "del")) {
            Dist.Run r = Dist.run(concat(base, verb, NET, "/run/netns/jrel-absent"), Calls.env(env), "");
            assertEquals(0, r.exitCode(), verb + ": " + r);
            assertFalse(r.stderr().contains("\tat "), r.toString());
            assertTrue(r.stderr().contains("empty"), "a warning names the damage: " + r);
        }
        assertEquals(Map.of(), owners(data.resolve(NET)));
        assertEquals(List.of(), Store.files(cache.resolve("results")));
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
