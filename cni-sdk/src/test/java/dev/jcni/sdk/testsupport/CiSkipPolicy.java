package dev.jcni.sdk.testsupport;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.TestAbortedException;

/**
 * Under {@code CI=true}, a test may be skipped only because the kernel lacks a feature
 * ({@link MissingKernelFeature}, raised by {@link Kernel#skipMissingFeature} on the kernel's
 * EOPNOTSUPP): any other skip (a failed assumption in a test or in a {@code @BeforeAll} /
 * {@code @BeforeEach}, e.g. the Go reference plugins missing) fails the test, so that nothing
 * vanishes from CI. Outside CI it changes nothing.
 *
 * <p>Registered for every test class of the build through JUnit's extension auto-detection
 * ({@code META-INF/services}, enabled in the parent pom); {@code @Disabled} and the other conditions
 * are switched off in CI by the {@code ci} profile, and .ci/check-skips.sh checks the reports.
 */
public final class CiSkipPolicy implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /**
     * @param ci whether {@code CI=true}
     * @param test the test's name
     * @param t what the test (or its set-up) threw
     * @return what to throw: a failure in place of a skip CI does not allow, else {@code t}
     */
    static Throwable judge(boolean ci, String test, Throwable t) {
        if (ci && t instanceof TestAbortedException && !(t instanceof MissingKernelFeature)) {
            AssertionError e = new AssertionError("CI=true allows no skip but a missing kernel feature; " + test + " was skipped: "
                    + t.getMessage());
            e.initCause(t);
            return e;
        }
        return t;
    }

    private static Throwable judge(ExtensionContext context, Throwable t) {
        return judge(Kernel.inCi(), context.getDisplayName(), t);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw judge(context, throwable);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw judge(context, throwable);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable throwable) throws Throwable {
        throw judge(context, throwable);
    }
}
