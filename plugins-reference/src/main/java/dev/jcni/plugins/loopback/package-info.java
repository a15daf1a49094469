/** The loopback plugin: the container's {@code lo} up on ADD, down on DEL. See docs/loopback.md. */
package dev.jcni.plugins.loopback;
