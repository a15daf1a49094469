/** Shared pieces of the reference plugins (launch helpers, ipMasq). One package per plugin below this. */
package dev.jcni.plugins;
