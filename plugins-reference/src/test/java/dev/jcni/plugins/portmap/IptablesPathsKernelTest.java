package dev.jcni.plugins.portmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.firewall.Iptables;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.IpPrefix;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two ways the iptables backend changes the table — one {@code iptables-restore} transaction
 * (the usual one) and Go's command-by-command way (the fallback) — make the same state, are
 * idempotent, and their teardowns leave nothing. In-process, on the host's nat table, with a unique
 * network name and no traffic.
 */
@KernelTest
class IptablesPathsKernelTest {
    private String network;
    private String id;
    private SharedState shared;

    @BeforeEach
    void setUp() {
        network = String.format("jpi-%08x", ThreadLocalRandom.current().nextInt());
        id = network + "-c";
        shared = SharedState.capture();
    }

    @AfterEach
    void tearDown() {
        Firewall.removeContainer(network, id);
        shared.restore();
    }

    PortmapConfig config() throws Exception {
        int p = 20000 + ThreadLocalRandom.current().nextInt(9000);
        String json = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + network + "\",\"type\":\"portmap\","
                + "\"conditionsV4\":[\"-m\",\"comment\",\"--comment\",\"two words\"],"
                + "\"runtimeConfig\":{\"portMappings\":[{\"hostPort\":" + p + ",\"containerPort\":80,\"protocol\":\"tcp\"},"
                + "{\"hostPort\":" + p + ",\"containerPort\":53,\"protocol\":\"udp\",\"hostIP\":\"10.254.98.77\"}]}}";
        return PortmapConfig.parse(json.getBytes(StandardCharsets.UTF_8), network,
                new PortmapConfigTest.FakeProbe(true, true), () -> { });
    }

    /**
     * The portmap lines this test's configuration makes: its container's chain and rules, and the
     * shared chains and rules it needs. Other people's containers (and mark bits) in the shared
     * chains, which come and go while this test runs, are left out.
     */
    List<String> mine(boolean v6, PortmapConfig c) {
        java.util.Set<String> shared = new java.util.HashSet<>(List.of("-N " + IptablesRules.TOP_DNAT_CHAIN,
                "-N " + IptablesRules.SETMARK_CHAIN, "-N " + IptablesRules.MASQ_CHAIN,
                Iptables.specLine(IptablesRules.SETMARK_CHAIN, IptablesRules.setMarkRule(c.markMasqBit())),
                Iptables.specLine(IptablesRules.MASQ_CHAIN, IptablesRules.masqRule(c.markMasqBit())),
                Iptables.specLine("POSTROUTING", IptablesRules.masqEntryRule())));
        for (String entry : IptablesRules.TOP_DNAT_ENTRY_CHAINS) {
            shared.add(Iptables.specLine(entry, IptablesRules.topDnatEntryRule()));
        }
        List<String> own = Firewall.containerLines(v6, network, id);
        return Firewall.portmapLines(v6).stream().filter(l -> own.contains(l) || shared.contains(l)).toList();
    }

    static IpPrefix address(boolean v6) {
        return IpPrefix.parse(v6 ? "fd00:dead:beef::5/64" : "10.254.99.5/24");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void bothWaysMakeTheSameStateTwiceOverAndTeardownsLeaveNothing(boolean v6) throws Exception {
        Iptables ipt = Iptables.require(v6);
        PortmapConfig c = config();
        IptablesPortMapper.forwardStepByStep(ipt, c, id, address(v6));
        List<String> goWay = mine(v6, c);
        IptablesPortMapper.forwardStepByStep(ipt, c, id, address(v6));
        assertEquals(goWay, mine(v6, c), "idempotent");
        IptablesPortMapper.forwardInOneTransaction(ipt, c, id, address(v6));
        assertEquals(goWay, mine(v6, c), "the transaction finds everything in place");

        String chain = IptablesRules.dnatChain(network, id);
        ipt.restore(IptablesRules.TABLE, IptablesPortMapper.teardownCommands(ipt.listTable(IptablesRules.TABLE),
                List.of(chain, IptablesRules.oldSnatChain(network, id)), List.of(IptablesRules.TOP_DNAT_CHAIN, IptablesRules.OLD_TOP_SNAT_CHAIN)));
        assertEquals(List.of(), Firewall.containerLines(v6, network, id), "the transaction's teardown");

        IptablesPortMapper.forwardInOneTransaction(ipt, c, id, address(v6));
        assertEquals(goWay, mine(v6, c), "the transaction makes Go's state");
        IptablesPortMapper.forwardInOneTransaction(ipt, c, id, address(v6));
        assertEquals(goWay, mine(v6, c), "a second transaction adds nothing");
        ipt.deleteChainAndJumps(IptablesRules.TABLE, chain, IptablesRules.TOP_DNAT_CHAIN);
        assertEquals(List.of(), Firewall.containerLines(v6, network, id), "the step-by-step teardown");
        assertTrue(Firewall.chainExists(v6, IptablesRules.TOP_DNAT_CHAIN), "shared chains stay");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aTransactionThatMeetsAChainMadeMeanwhileFailsWhole(boolean v6) {
        Iptables ipt = Iptables.require(v6);
        String chain = IptablesRules.dnatChain(network, id);
        List<String> before = Firewall.containerLines(v6, network, id + "x");
        ipt.newChain(IptablesRules.TABLE, chain);
        try {
            ipt.restore(IptablesRules.TABLE, List.of(List.of("-N", IptablesRules.dnatChain(network, id + "x")), List.of("-N", chain)));
            throw new AssertionError("the transaction should fail");
        } catch (Iptables.IptablesException e) {
            assertTrue(e.getMessage().contains("exit status"), e.getMessage());
        }
        assertTrue(!Firewall.chainExists(v6, IptablesRules.dnatChain(network, id + "x")), "nothing of it was applied");
        ipt.deleteChainIfExists(IptablesRules.TABLE, chain);
        assertEquals(before, Firewall.containerLines(v6, network, id + "x"));
        assertEquals(List.of(), Firewall.containerLines(v6, network, id));
    }
}
