package dev.jcni.plugins.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jcni.plugins.ip.Rollback;
import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.CniException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** tuning's failed ADD puts back every sysctl and link attribute it changed and leaves no saved file. */
@KernelTest
class TuningRollbackIT {
    final Rig rig = new Rig();

    @AfterEach
    void cleanUp() {
        rig.close();
    }

    PluginHarness.Outcome add(Consumer<String> faults) {
        PluginHarness h = PluginHarness.of(new Tuning(TuningConfigTest.NO_ALLOWLIST, faults));
        for (Map.Entry<String, String> e : rig.env().entrySet()) {
            h = h.env(e.getKey(), e.getValue());
        }
        return h.run("ADD", rig.conf("1.0.0", TuningIT.ALL));
    }

    @ParameterizedTest
    @ValueSource(strings = {"saved", "sysctl", "mac", "promisc", "mtu", "allmulti", "txqlen", "result"})
    void aFailedAddLeavesEverythingAsItWas(String point) {
        List<String> before = rig.state();
        CniException e = add(p -> {
            if (p.equals(point)) {
                throw new IllegalStateException("injected failure at " + p);
            }
        }).error();
        assertEquals(999, e.code());
        assertEquals("injected failure at " + point, e.msg());
        assertEquals(before, rig.state(), "after a failure at " + point);
        assertEquals(List.of(), rig.files());
    }

    @Test
    void theSameAddWithoutAFailureChangesEverything() {
        List<String> before = rig.state();
        add(Rollback.NO_FAULTS).result();
        List<String> after = rig.state();
        for (int i = 0; i < 6; i++) {
            assertNotEquals(before.get(i), after.get(i), "changed: " + after.get(i));
        }
        assertEquals(1, rig.files().size());
    }
}
