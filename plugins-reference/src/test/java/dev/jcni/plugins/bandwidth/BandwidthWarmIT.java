package dev.jcni.plugins.bandwidth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.testsupport.WarmDist;
import dev.jcni.sdk.testsupport.WarmDist.Run;
import dev.jcni.sdk.types.Result;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bandwidth plugin in warm mode (the daemon serves it as the other reference plugins): bad input
 * answers byte for byte as cold; an ADD, CHECK and DEL served warm on a veth the test makes in the
 * host namespace (the daemon's) shape it as a cold ADD does and leave nothing.
 */
@KernelTest
class BandwidthWarmIT {
    @TempDir
    Path dir;

    @Test
    void warmAnswersAsColdAndShapes() throws Exception {
        String hostVeth = Kernel.uniqueName("bww");
        String network = Kernel.uniqueName("bwwarm-");
        String ifb = Bandwidth.ifbName(network, network + "-c");
        try (WarmDist dist = WarmDist.create(dir.resolve("dist"), Map.of("bandwidth", Bandwidth.class.getName()),
                Dist.referenceClassPath()); TestNetns ctr = TestNetns.create()) {
            dist.startDaemon();
            Kernel.exec("ip", "link", "add", hostVeth, "type", "veth", "peer", "name", "eth0", "netns", ctr.name()).ok();
            Kernel.exec("ip", "link", "set", hostVeth, "up").ok();
            Map<String, String> env = new LinkedHashMap<>();
            env.put("CNI_CONTAINERID", network + "-c");
            env.put("CNI_NETNS", ctr.path().toString());
            env.put("CNI_IFNAME", "eth0");
            env.put("CNI_PATH", "/usr/lib/cni");
            String prev = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"" + hostVeth + "\"},{\"name\":\"eth0\","
                    + "\"sandbox\":\"" + ctr.path() + "\"}]}";
            String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"type\":\"bandwidth\","
                    + "\"ingressRate\":8000000,\"ingressBurst\":80000,\"egressRate\":16000000,\"egressBurst\":160000,"
                    + "\"prevResult\":" + prev + "}";
            String bad = conf.replace("\"ingressBurst\":80000,", "");

            Run coldBad = dist.cold("bandwidth", with(env, "ADD"), bytes(bad), dir);
            Run warmBad = dist.warm("bandwidth", with(env, "ADD"), bytes(bad), dir);
            assertTrue(dist.servedWarm(warmBad), warmBad.toString());
            assertEquals(1, coldBad.exitCode(), coldBad.toString());
            assertArrayEquals(coldBad.stdout(), warmBad.stdout(), warmBad.toString());

            Run cold = dist.cold("bandwidth", with(env, "ADD"), bytes(conf), dir);
            assertEquals(0, cold.exitCode(), cold.toString());
            String coldState = state(hostVeth, ifb);
            assertEquals(0, dist.cold("bandwidth", with(env, "DEL"), bytes(conf), dir).exitCode());

            Run warm = dist.warm("bandwidth", with(env, "ADD"), bytes(conf), dir);
            assertTrue(dist.servedWarm(warm), warm.toString());
            assertEquals(0, warm.exitCode(), warm.toString());
            assertEquals(ifb, Result.fromJson(warm.stdout()).interfaces().get(2).name());
            assertEquals(coldState, state(hostVeth, ifb));
            assertEquals(0, dist.warm("bandwidth", with(env, "CHECK"), bytes(conf), dir).exitCode());
            Run del = dist.warm("bandwidth", with(env, "DEL"), bytes(conf), dir);
            assertEquals(0, del.exitCode(), del.toString());
            assertTrue(Kernel.exec("ip", "link", "show", ifb).exitCode() != 0, "the ifb is gone");
            String q = Kernel.exec("tc", "qdisc", "show", "dev", hostVeth).ok();
            assertTrue(!q.contains("tbf") && !q.contains("ingress"), q);
        } finally {
            Kernel.exec("ip", "link", "del", hostVeth);
            Kernel.exec("ip", "link", "del", ifb);
        }
    }

    /** The tc state with the ifindex-dependent parts out. */
    private static String state(String veth, String ifb) {
        return Kernel.exec("tc", "qdisc", "show", "dev", veth).ok() + Kernel.exec("tc", "qdisc", "show", "dev", ifb).ok()
                + Kernel.exec("tc", "filter", "show", "dev", veth, "ingress").ok().replaceAll("index \\d+ ref \\d+ bind \\d+", "");
    }

    private static Map<String, String> with(Map<String, String> env, String command) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("CNI_COMMAND", command);
        e.put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        return e;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
