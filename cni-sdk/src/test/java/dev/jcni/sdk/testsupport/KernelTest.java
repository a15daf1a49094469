package dev.jcni.sdk.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that touches the kernel (namespaces, links, firewall) and needs root.
 *
 * <p>Not root: the test is skipped with a visible reason. Not root and {@code CI=true}: the test
 * fails, so nothing hides in CI. Kernel features this machine lacks are skipped through
 * {@link Kernel#skipMissingFeature(String, String)} on the kernel's EOPNOTSUPP (allowed in CI too; see {@link CiSkipPolicy}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("kernel")
@ExtendWith(KernelTestExtension.class)
public @interface KernelTest {
}
