/** Examples from docs/: a minimal plugin on the skel. */
package dev.jcni.examples;
