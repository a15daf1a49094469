package dev.jcni.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A configuration list's last plugin is the one under test; the plugins before it are its chain. */
class ChainTest {
    @Test
    void aListGivesTheLastPluginWithTheListsNameAndVersion() {
        try (Chain c = Chain.of("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"ptp\"},"
                + "{\"type\":\"mine\",\"k\":1}]}", List.of("/nonexistent"))) {
            assertTrue(c.isChained());
            assertEquals("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"mine\",\"k\":1}", c.config());
        }
    }

    @Test
    void aPlainConfigurationHasNoChainAndPassesThrough() {
        String conf = "{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"mine\"}";
        try (Chain c = Chain.of(conf, List.of())) {
            assertFalse(c.isChained());
            assertEquals(conf, c.config());
            assertEquals(conf, c.add("c", "/run/netns/x", "eth0"));
        }
    }

    @Test
    void aListOfOnePluginHasNoChain() {
        try (Chain c = Chain.of("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"mine\"}]}", List.of())) {
            assertFalse(c.isChained());
            assertEquals("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"type\":\"mine\"}", c.config());
        }
    }

    @Test
    void badConfigurationsAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Chain.of("[1]", List.of())).getMessage()
                .contains("not a JSON object"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Chain.of("{\"plugins\":[]}", List.of())).getMessage()
                .contains("last in \"plugins\""));
    }
}
