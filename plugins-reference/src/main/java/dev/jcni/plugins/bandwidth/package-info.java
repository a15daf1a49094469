/**
 * The bandwidth plugin: a drop-in for Go's {@code bandwidth} (plugins/meta/bandwidth), shaping a
 * container's traffic with tc through netlink. See docs/bandwidth.md.
 */
package dev.jcni.plugins.bandwidth;
