/** The {@code macvlan} plugin, a drop-in for Go's. See docs/macvlan.md. */
package dev.jcni.plugins.macvlan;
