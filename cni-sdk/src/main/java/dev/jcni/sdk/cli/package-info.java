/** The {@code jcni} command line tool (the equivalent of Go's cnitool). Not API. */
package dev.jcni.sdk.cli;
