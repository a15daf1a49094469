package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** host-local run as real processes, as a runtime execs it. */
class HostLocalProcessTest {
    @TempDir
    Path data;

    @Test
    void addCheckDelAsAProcess() {
        String conf = Configs.subnet("1.0.0", data, "10.1.2.0/24");
        Exec.Run add = Exec.jcni(Exec.env("ADD", "c1", "eth0"), conf);
        assertEquals("10.1.2.2/24", add.result().ips().get(0).address().toString());
        assertEquals(0, Exec.jcni(Exec.env("CHECK", "c1", "eth0"), conf).exit());
        Exec.Run del = Exec.jcni(Exec.env("DEL", "c1", "eth0"), conf);
        assertEquals(0, del.exit(), del.toString());
        assertEquals("", del.stdout());
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(data.resolve(Configs.NET)));
    }

    @Test
    void badInputGivesTheErrorOnStdoutExitOneAndNoState() {
        Exec.Run r = Exec.jcni(Exec.env("ADD", "c1", "eth0"), Configs.subnet("1.0.0", data, "10.1.2.0/33"));
        assertEquals(1, r.exit());
        CniException e = r.error();
        assertEquals(7, e.code());
        assertEquals("invalid CIDR address: 10.1.2.0/33", e.msg());
        assertFalse(r.stdout().contains("Exception"), r.stdout());
        assertEquals(List.of(), Exec.allFiles(data));
        Exec.Run missing = Exec.jcni(Exec.env("ADD", "c1", "eth0"), "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\"}");
        assertEquals(1, missing.exit());
        assertEquals("IPAM config missing 'ipam' key", missing.error().msg());
    }

    @Test
    void withoutCommandPrintsTheAboutText() {
        Exec.Run r = Exec.jcni(Map.of(), "");
        assertEquals(0, r.exit());
        assertEquals("", r.stdout());
        assertTrue(r.stderr().startsWith("CNI host-local plugin (jcni) "), r.stderr());
        assertTrue(r.stderr().contains("CNI protocol versions supported: 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"), r.stderr());
    }

    @Test
    void fiftyConcurrentAddsGetFiftyDistinctAddressesAndFiftyDelsEmptyTheStore() {
        String conf = Configs.subnet("1.0.0", data, "10.1.0.0/24");
        int n = 50;
        List<List<String>> commands = new ArrayList<>();
        List<Map<String, String>> adds = new ArrayList<>();
        List<Map<String, String>> dels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            commands.add(Exec.jcniCommand());
            adds.add(Exec.env("ADD", "ctr" + i, "eth0"));
            dels.add(Exec.env("DEL", "ctr" + i, "eth0"));
        }
        List<Exec.Run> runs = Exec.parallel(commands, adds, conf);
        Set<String> addresses = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Result r = runs.get(i).result();
            String ip = Ip.format(r.ips().get(0).address().address());
            addresses.add(ip);
            assertTrue(Files.exists(data.resolve(Configs.NET).resolve(ip)));
        }
        assertEquals(n, addresses.size(), "no address handed out twice");
        List<String> files = Exec.storeFiles(data.resolve(Configs.NET));
        assertEquals(n + 2, files.size(), files.toString());
        for (Exec.Run r : Exec.parallel(commands, dels, conf)) {
            assertEquals(0, r.exit(), r.toString());
        }
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(data.resolve(Configs.NET)));
    }
}
