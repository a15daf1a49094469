package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testing.PluginHarness.Outcome;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.CniException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * portmap's ADD leaves nothing when it fails midway, as the other plugins' ADDs: the forwarding of
 * the family already done is removed. In-process, on the host's nat table and nft tables, with a
 * unique network name and container id and no traffic.
 */
@KernelTest
class PortmapRollbackKernelTest {
    private String network;
    private String id;
    private SharedState shared;

    @BeforeEach
    void setUp() {
        network = String.format("jpr-%08x", ThreadLocalRandom.current().nextInt());
        id = network + "-c";
        shared = SharedState.capture();
    }

    @AfterEach
    void tearDown() {
        Firewall.removeContainer(network, id);
        shared.restore();
    }

    String conf(String backend) {
        int port = 20000 + ThreadLocalRandom.current().nextInt(9000);
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"type\":\"portmap\",\"backend\":\"" + backend + "\","
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + port + ",\"containerPort\":80,\"protocol\":\"tcp\"},"
                + "{\"hostPort\":" + port + ",\"containerPort\":53,\"protocol\":\"udp\"}]},"
                + "\"prevResult\":{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth0\",\"sandbox\":\"/run/netns/" + id + "\"}],"
                + "\"ips\":[{\"address\":\"10.254.97.5/24\",\"interface\":0},{\"address\":\"fd00:dead:97::5/64\",\"interface\":0}]}}";
    }

    Outcome add(String backend, Consumer<String> faults) {
        return PluginHarness.of(new Portmap(new PortmapConfigTest.FakeProbe(true, true), faults))
                .attachment(id, "/run/netns/" + id, "eth0").run("ADD", conf(backend));
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void aFailureAfterTheFirstFamilyLeavesNothing(String backend) {
        List<String> seen = new java.util.ArrayList<>();
        Outcome o = add(backend, point -> {
            seen.add(point);
            if (point.equals("forwarded-v4")) {
                // the v4 forwarding exists now: the ADD must take it away again
                assertFalse(Firewall.traces(network, id).isEmpty(), "the v4 forwarding was made");
                throw new CniException(999, "injected failure at " + point);
            }
        });
        assertEquals(1, o.exitCode(), o.toString());
        assertEquals("injected failure at forwarded-v4", o.error().msg());
        assertEquals(List.of("forwarded-v4"), seen);
        assertEquals(List.of(), Firewall.traces(network, id), "nothing of the failed ADD is left");
    }

    @ParameterizedTest
    @ValueSource(strings = {"iptables", "nftables"})
    void aFailureAfterTheLastFamilyLeavesNothing(String backend) {
        Outcome o = add(backend, point -> {
            if (point.equals("forwarded-v6")) {
                throw new CniException(999, "injected failure at " + point);
            }
        });
        assertEquals(1, o.exitCode(), o.toString());
        assertEquals(List.of(), Firewall.traces(network, id), "nothing of the failed ADD is left");
    }
}
