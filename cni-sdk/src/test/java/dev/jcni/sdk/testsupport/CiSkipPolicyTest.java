package dev.jcni.sdk.testsupport;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The CI skip rule: only a missing kernel feature, found by the kernel's EOPNOTSUPP, may skip under CI=true. */
class CiSkipPolicyTest {
    @Test
    void underCiAnySkipButAMissingKernelFeatureFails() {
        TestAbortedException goMissing = new TestAbortedException("the Go reference plugins are not installed");
        Throwable judged = CiSkipPolicy.judge(true, "parity", goMissing);
        assertInstanceOf(AssertionError.class, judged);
        assertTrue(judged.getMessage().contains("parity was skipped: the Go reference plugins are not installed"), judged.getMessage());

        MissingKernelFeature feature = assertThrows(MissingKernelFeature.class,
                () -> Kernel.skipMissingFeature("bridge vlan_filtering", "RTNETLINK answers: Operation not supported"));
        assertSame(feature, CiSkipPolicy.judge(true, "vlan", feature));
    }

    @Test
    void outsideCiASkipStaysASkip() {
        TestAbortedException goMissing = new TestAbortedException("no Go plugins");
        assertSame(goMissing, CiSkipPolicy.judge(false, "parity", goMissing));
    }

    @Test
    void aProbeThatFailsForAnotherReasonIsNotAMissingFeature() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> Kernel.skipMissingFeature("bridge vlan_filtering", "RTNETLINK answers: Operation not permitted"));
        assertTrue(e.getMessage().contains("something else than EOPNOTSUPP"), e.getMessage());
        assertThrows(MissingKernelFeature.class, () -> Kernel.skipMissingFeature("dummy links", "RTM_NEWLINK: EOPNOTSUPP (Operation not supported)"));
    }
}
