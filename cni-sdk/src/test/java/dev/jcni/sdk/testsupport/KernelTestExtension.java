package dev.jcni.sdk.testsupport;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips (or, in CI, fails) kernel tests when not running as root. See {@link KernelTest}. */
public final class KernelTestExtension implements BeforeAllCallback, BeforeEachCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        check(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        check(context);
    }

    private static void check(ExtensionContext context) {
        if (Kernel.isRoot()) {
            return;
        }
        String reason = "kernel test " + context.getDisplayName() + " needs root (running as uid " + Kernel.uid() + ")";
        if (Kernel.inCi()) {
            throw new AssertionError(reason + "; CI=true forbids skipping kernel tests");
        }
        Assumptions.abort(reason);
    }
}
