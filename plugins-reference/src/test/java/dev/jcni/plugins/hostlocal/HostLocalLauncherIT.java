package dev.jcni.plugins.hostlocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.types.Ip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** host-local through the packaged launcher (target/cni/bin/host-local), as operators install it. */
class HostLocalLauncherIT {
    @TempDir
    Path data;

    static Map<String, String> attach(String id) {
        return Map.of("CNI_CONTAINERID", id, "CNI_NETNS", "/var/run/netns/jcni-host-local-test-absent", "CNI_IFNAME", "eth0");
    }

    @Test
    void everyVerbThroughTheLauncher() {
        String conf = Configs.subnet("1.1.0", data, "10.1.2.0/24");
        assertEquals("10.1.2.2/24", Dist.cni("host-local", "ADD", attach("c1"), conf).result().ips().get(0).address().toString());
        Dist.cni("host-local", "CHECK", attach("c1"), conf).assertQuietSuccess();
        Dist.cni("host-local", "STATUS", Map.of(), conf).assertQuietSuccess();
        Dist.cni("host-local", "DEL", attach("c1"), conf).assertQuietSuccess();
        Dist.cni("host-local", "ADD", attach("c2"), conf).result();
        Dist.cni("host-local", "GC", Map.of("CNI_PATH", "/opt/cni/bin"),
                Configs.conf("1.1.0", data, "\"subnet\":\"10.1.2.0/24\"", "\"cni.dev/valid-attachments\":[]")).assertQuietSuccess();
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(data.resolve(Configs.NET)));
    }

    @Test
    void fiftyConcurrentAddsThroughTheLauncherGetDistinctAddressesAndDelsEmptyTheStore() {
        String conf = Configs.subnet("1.0.0", data, "10.1.0.0/24");
        int n = 50;
        List<List<String>> commands = new ArrayList<>();
        List<Map<String, String>> adds = new ArrayList<>();
        List<Map<String, String>> dels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            commands.add(List.of(Dist.exe("host-local").toString()));
            adds.add(Exec.env("ADD", "ctr" + i, "eth0"));
            dels.add(Exec.env("DEL", "ctr" + i, "eth0"));
        }
        Set<String> addresses = new HashSet<>();
        for (Exec.Run r : Exec.parallel(commands, adds, conf)) {
            addresses.add(Ip.format(r.result().ips().get(0).address().address()));
        }
        assertEquals(n, addresses.size());
        for (Exec.Run r : Exec.parallel(commands, dels, conf)) {
            assertEquals(0, r.exit(), r.toString());
        }
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(data.resolve(Configs.NET)));
    }

    @Test
    void theLauncherAndGoShareAStore() {
        dev.jcni.sdk.testsupport.Kernel.assumeGoPlugins();
        String conf = Configs.subnet("1.0.0", data, "10.1.2.0/24");
        Exec.go(Exec.env("ADD", "g", "eth0"), conf).result();
        assertEquals("10.1.2.3/24", Dist.cni("host-local", "ADD", attach("j"), conf).result().ips().get(0).address().toString());
        Dist.cni("host-local", "DEL", attach("g"), conf).assertQuietSuccess();
        assertEquals(0, Exec.go(Exec.env("DEL", "j", "eth0"), conf).exit());
        assertEquals(List.of("last_reserved_ip.0", "lock"), Exec.storeFiles(data.resolve(Configs.NET)));
        assertTrue(Dist.cni("host-local", "ADD", attach("x"), conf).stderr().isEmpty(), "a clean run says nothing on stderr");
    }
}
