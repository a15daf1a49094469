package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.hostlocal.HostLocal;
import dev.jcni.sdk.runtime.CniConfig;
import dev.jcni.sdk.runtime.RuntimeConf;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.NetConfList;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk during ADD: a small tmpfs, filled to the last byte, as host-local's {@code dataDir} and
 * as the runtime's result cache directory. ADD fails with code 5 (I/O failure) and leaves no partial
 * file: no reservation, no {@code last_reserved_ip}, no temporary file, no cache entry. With room
 * again, the same ADD succeeds.
 */
@KernelTest
class FullDiskIT {
    static final String NET = "jrel-full";

    @TempDir
    Path tmp;
    Path disk;

    @BeforeEach
    void mount() throws IOException {
        disk = Files.createDirectory(tmp.resolve("disk"));
        Kernel.exec("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "jcni-rel-full", disk.toString()).ok();
    }

    @AfterEach
    void unmount() {
        Kernel.exec("umount", disk.toString());
    }

    /** Fills the file system: a filler file written until ENOSPC. */
    static Path fill(Path dir) throws IOException {
        Path filler = dir.resolve("filler");
        byte[] chunk = new byte[4096];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(chunk);
                out.flush();
            }
        } catch (IOException e) {
            assertTrue(String.valueOf(e.getMessage()).contains("No space left"), e.toString());
        }
        // the last byte too
        try (OutputStream out = Files.newOutputStream(filler, java.nio.file.StandardOpenOption.APPEND)) {
            for (int i = 0; i < 4096; i++) {
                out.write(0);
                out.flush();
            }
        } catch (IOException e) {
            // full
        }
        return filler;
    }

    String conf(Path data, String subnet) {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"" + NET + "\",\"type\":\"host-local\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"" + subnet + "\"}]]}}";
    }

    /** Rule: host-local's ADD on a full dataDir fails with code 5 and writes no partial reservation. */
    @Test
    void hostLocalOnAFullDataDirFailsWithCode5AndLeavesNoPartialFile() throws IOException {
        Path data = Files.createDirectory(disk.resolve("data"));
        Files.createDirectory(data.resolve(NET)); // the store exists (an earlier ADD), the disk filled up since
        Path filler = fill(disk);
        String conf = conf(data, "10.247.1.0/24");
        Map<String, String> att = Map.of("CNI_CONTAINERID", "full1", "CNI_NETNS", "/run/netns/jrel-absent", "CNI_IFNAME", "eth0");
        Dist.Run add = Calls.inProcess(new HostLocal(), "ADD", att, conf);
        assertEquals(1, add.exitCode(), add.toString());
        assertEquals(5, add.error().code(), add.toString());
        assertFalse(add.stdout().contains("\tat ") || add.stderr().contains("\tat "), add.toString());
        List<String> left = Store.files(data.resolve(NET)).stream().filter(n -> !n.equals("lock")).toList();
        assertEquals(List.of(), left, "no reservation, no last_reserved_ip, no temporary file");
        Files.delete(filler);
        Dist.Run again = Calls.inProcess(new HostLocal(), "ADD", att, conf);
        assertEquals(0, again.exitCode(), "with room again: " + again);
        assertEquals(1, Store.reservations(data.resolve(NET)).size());
        Calls.figure("full disk", "host-local ADD on a full 64 KiB tmpfs: exit 1, code " + add.error().code() + " (" + add.error().msg()
                + "), no partial file");
    }

    /** Rule: the runtime's ADD with a full cache directory fails with code 5, writes no partial cache entry; DEL then undoes the ADD. */
    @Test
    void theRuntimeOnAFullCacheDirFailsWithCode5AndLeavesNoPartialEntry() throws IOException {
        Calls.requireMode();
        Path cache = Files.createDirectory(disk.resolve("cache"));
        Files.createDirectories(cache.resolve("results"));
        Path filler = fill(disk);
        Path data = tmp.resolve("data");
        NetConfList list = NetConfList.fromJson(("{\"cniVersion\":\"1.1.0\",\"name\":\"" + NET + "\",\"plugins\":[{\"type\":\"host-local\","
                + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"10.247.2.0/24\"}]]}}]}")
                .getBytes(StandardCharsets.UTF_8));
        Network.Runner cni = Calls.runtime(CniConfig.create(List.of(Dist.bin().toString())).withCacheDir(cache).withTimeout(Duration.ofMinutes(2)));
        RuntimeConf rt = RuntimeConf.of("full2", "/run/netns/jrel-absent", "eth0");
        CniException e = assertThrows(CniException.class, () -> cni.addNetworkList(list, rt));
        assertEquals(5, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("cached result"), e.getMessage());
        assertEquals(List.of(), Store.files(cache.resolve("results")), "no partial cache entry");
        assertFalse(Files.exists(cache.resolve(".jcni-tmp")), "no temporary directory");
        // the runtime's answer to a failed ADD: DEL, which needs no cache
        cni.delNetworkList(list, rt);
        assertEquals(Map.of(), Store.reservations(data.resolve(NET)));
        Files.delete(filler);
        cni.addNetworkList(list, rt);
        assertEquals(1, Store.files(cache.resolve("results")).size(), "with room again the entry is written");
        cni.delNetworkList(list, rt);
        Calls.figure("full disk", "runtime ADD with a full 64 KiB tmpfs cache dir: code " + e.code() + ", no partial entry");
    }
}
