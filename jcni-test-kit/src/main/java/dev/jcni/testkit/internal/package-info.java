/** {@code jcni conformance}, provided to the CLI in cni-sdk through its internal ServiceLoader interface. Not API. */
package dev.jcni.testkit.internal;
