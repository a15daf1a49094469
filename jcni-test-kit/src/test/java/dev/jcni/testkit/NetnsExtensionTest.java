package dev.jcni.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testsupport.KernelTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/** The namespace fixture: made per parameter, loopback up, removed when the test ends. */
@KernelTest
@ExtendWith(NetnsExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetnsExtensionTest {
    static final List<Path> seen = new ArrayList<>();

    @Test
    @Order(1)
    void eachParameterIsAFreshNamespaceWithLoopbackUp(TempNetns a, TempNetns b) {
        seen.add(a.path());
        seen.add(b.path());
        assertNotEquals(a.path(), b.path());
        assertNotEquals(a.containerId(), b.containerId());
        assertTrue(a.exists() && b.exists());
        TempNetns.Snapshot s = a.snapshot();
        assertEquals(List.of("lo up"), s.links());
        assertTrue(s.addresses().contains("lo 127.0.0.1/8"), s.toString());
        assertEquals(a.path().toString(), a.harness(Path.of("/bin/true")).environment().get("CNI_NETNS"));
    }

    @Test
    @Order(2)
    void theyAreGoneAfterTheTest() {
        assertEquals(2, seen.size());
        for (Path p : seen) {
            assertFalse(Files.exists(p), p + " must be removed");
        }
    }

    /** Run by {@link #noJUnitWarningAboutTheRemoval} through the launcher, not by surefire (a nested class). */
    @ExtendWith(NetnsExtension.class)
    static class Sample {
        @Test
        void usesANamespace(TempNetns ns) {
            assertTrue(ns.exists());
        }
    }

    @Test
    @Order(3)
    void noJUnitWarningAboutTheRemoval() {
        // JUnit 5.13+ warns, through java.util.logging, about a store value that is a CloseableResource
        // and not an AutoCloseable
        List<String> warnings = new ArrayList<>();
        Logger junit = Logger.getLogger("org.junit");
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                    warnings.add(r.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        junit.addHandler(handler);
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        try {
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(Sample.class)).build(), summary);
        } finally {
            junit.removeHandler(handler);
        }
        assertEquals(1, summary.getSummary().getTestsSucceededCount(), () -> summary.getSummary().getFailures().toString());
        assertEquals(List.of(), warnings);
    }

    @AfterAll
    static void nothingLeft() {
        for (Path p : seen) {
            assertFalse(Files.exists(p));
        }
    }
}
