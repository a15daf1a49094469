package dev.jcni.sdk.testsupport;

import org.opentest4j.TestAbortedException;

/** The skip of a test whose kernel feature is missing (see {@link Kernel#skipMissingFeature}); the only skip CI allows. */
public final class MissingKernelFeature extends TestAbortedException {
    private static final long serialVersionUID = 1L;

    MissingKernelFeature(String message) {
        super(message);
    }
}
