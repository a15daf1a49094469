package dev.jcni.plugins.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A failed ADD of a veth plugin leaves nothing behind: at each named point of its ADD a failure is
 * injected (in this JVM, through the plugin's package-private hook; IPAM is the packaged
 * host-local), and afterwards {@link Fixture#leftovers} finds nothing. A subclass names the plugin,
 * its configuration and its points (a static {@code points()}).
 */
public abstract class RollbackContract {
    protected final Fixture f = new Fixture();

    @AfterEach
    void cleanUp() {
        f.close();
    }

    /**
     * @param faults the failure-injection hook
     * @return the plugin under test, built with it
     */
    protected abstract Plugin plugin(Consumer<String> faults);

    /** @return a configuration that reaches every point (masquerading, IPAM...) */
    protected abstract String conf();

    @ParameterizedTest
    @MethodSource("points")
    void aFailedAddLeavesNothingBehind(String point) {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        Plugin failing = plugin(p -> {
            if (p.equals(point)) {
                throw new IllegalStateException("injected failure at " + p);
            }
        });
        PluginHarness.Outcome o = Fixture.inProcess(failing, "ADD", env, conf());
        CniException e = o.error();
        assertEquals(999, e.code(), o.toString());
        assertEquals("injected failure at " + point, e.msg());
        assertEquals(List.of(), f.leftovers(ns), "left behind after a failure at " + point);
    }

    @Test
    void theSameAddWithoutAFailureLeavesItsAttachmentAndDelRemovesIt() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        Fixture.inProcess(plugin(Rollback.NO_FAULTS), "ADD", env, conf()).result();
        List<String> made = f.leftovers(ns);
        assertTrue(made.stream().anyMatch(l -> l.startsWith("container link:")), made.toString());
        assertTrue(made.stream().anyMatch(l -> l.startsWith("reservation:")), made.toString());
        assertTrue(made.stream().anyMatch(l -> l.startsWith("iptables:") || l.startsWith("nft:")), made.toString());
        assertEquals(0, Fixture.inProcess(plugin(Rollback.NO_FAULTS), "DEL", env, conf()).exitCode());
        assertEquals(List.of(), f.leftovers(ns));
    }
}
