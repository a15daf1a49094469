/**
 * Helpers for plugin authors' own tests: run a {@link dev.jcni.sdk.skel.Plugin} in-process
 * with a given environment and stdin, and inspect what it printed.
 */
package dev.jcni.sdk.testing;
