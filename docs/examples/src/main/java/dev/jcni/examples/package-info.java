/** Examples from docs/: a do-nothing plugin on the skel and a chained plugin with its own config record. */
package dev.jcni.examples;
