/**
 * Warm mode: the node daemon that serves the calls of every plugin of a jcni distribution in one
 * long-running JVM, and the hand-over from {@code jcni-shim} (C, a resource of this package built at
 * package time). Not API; see docs/operators.md ("Warm mode") for operating it and
 * {@link dev.jcni.sdk.warm.Daemon} for the design.
 */
package dev.jcni.sdk.warm;
