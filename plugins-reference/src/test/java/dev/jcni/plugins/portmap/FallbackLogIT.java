package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, "the iptables transaction path swallows every RuntimeException before falling back, without
 * a word in the log": when the {@code iptables-restore} transaction fails, portmap says so on stderr (a
 * warning, shown at the default log level) and goes on one iptables command at a time; the mapping is
 * made all the same, and DEL removes it.
 */
@KernelTest
class FallbackLogIT {
    @TempDir
    Path bin;

    @Test
    void aFailedTransactionIsLoggedAndTheStepByStepWayMakesTheMapping() throws IOException {
        String net = Kernel.uniqueName("jpm-fb-");
        String id = net + "-c";
        Path real = Path.of(Kernel.exec("sh", "-c", "command -v iptables").ok().strip());
        Files.createSymbolicLink(bin.resolve("iptables"), real);
        Path restore = bin.resolve("iptables-restore");
        Files.writeString(restore, "#!/bin/sh\necho 'iptables-restore: refused by the test' >&2\nexit 1\n");
        Files.setPosixFilePermissions(restore, PosixFilePermissions.fromString("rwxr-xr-x"));
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + net + "\",\"type\":\"portmap\",\"backend\":\"iptables\","
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":18181,\"containerPort\":80,\"protocol\":\"tcp\"}]},"
                + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/x\"}],"
                + "\"ips\":[{\"interface\":0,\"address\":\"10.249.7.5/24\"}]}}";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CNI_CONTAINERID", id);
        env.put("CNI_NETNS", "/run/netns/" + net + "-absent");
        env.put("CNI_IFNAME", "eth0");
        env.put("PATH", bin + ":/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("JCNI_WARM", "off");
        Runnable restoreShared = PortmapTraces.captureShared();
        try {
            Dist.Run add = Dist.cni("portmap", "ADD", env, conf);
            assertEquals(0, add.exitCode(), add.toString());
            assertTrue(add.stderr().contains("the iptables-restore transaction failed") && add.stderr().contains("refused by the test")
                    && add.stderr().contains("one iptables command at a time"), "the fall-back is logged: " + add.stderr());
            assertFalse(PortmapTraces.of(net, id).isEmpty(), "the mapping was made step by step");
            Dist.Run del = Dist.cni("portmap", "DEL", env, conf);
            assertEquals(0, del.exitCode(), del.toString());
            assertEquals(List.of(), PortmapTraces.of(net, id));
        } finally {
            PortmapTraces.remove(net, id);
            restoreShared.run();
        }
    }
}
