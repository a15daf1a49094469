/**
 * The plugin author's kit: a temporary network namespace per test ({@link dev.jcni.testkit.TempNetns},
 * {@link dev.jcni.testkit.NetnsExtension} for JUnit 5) and a check of a plugin against the CNI
 * specification's rules ({@link dev.jcni.testkit.Conformance}, as JUnit dynamic tests through
 * {@link dev.jcni.testkit.ConformanceTests}, or {@code jcni conformance}). Needs root. See docs/testing.md.
 */
package dev.jcni.testkit;
