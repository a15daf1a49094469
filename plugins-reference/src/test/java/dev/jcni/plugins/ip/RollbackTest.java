package dev.jcni.plugins.ip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rollback of a failed ADD runs every undo to the end, also on an interrupted thread. */
class RollbackTest {
    static final System.Logger LOG = System.getLogger(RollbackTest.class.getName());

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    /** Throws a checked exception from a Runnable, as code that hides one (e.g. a sneaky rethrow) does. */
    @SuppressWarnings("unchecked")
    static <E extends Exception> void sneaky(Exception e) throws E {
        throw (E) e;
    }

    @Test
    void anInterruptedAddIsRolledBackCompletelyWithTheFlagClearedAndRestoredAfter() {
        List<String> ran = new ArrayList<>();
        IllegalStateException failure = new IllegalStateException("caller gone");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> Rollback.run(LOG, Rollback.NO_FAULTS, r -> {
            r.made("first", () -> ran.add("first interrupted=" + Thread.currentThread().isInterrupted()));
            r.made("second, which fails with a checked exception", () -> {
                ran.add("second interrupted=" + Thread.currentThread().isInterrupted());
                sneaky(new IOException("disk gone"));
            });
            r.made("third, which sets the flag again", () -> {
                ran.add("third interrupted=" + Thread.currentThread().isInterrupted());
                Thread.currentThread().interrupt();
            });
            // what the daemon does when the caller goes away mid-call
            Thread.currentThread().interrupt();
            throw failure;
        }));
        assertSame(failure, thrown, "the ADD's own failure is what the caller gets");
        assertEquals(List.of("third interrupted=false", "second interrupted=false", "first interrupted=false"), ran,
                "every undo ran, newest first, none with the interrupt flag set");
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
    }
}
