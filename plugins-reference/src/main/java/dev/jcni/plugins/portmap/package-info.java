/**
 * The portmap reference plugin: host port forwarding for a chained CNI plugin list, with Go's
 * iptables and nftables state so that jcni and Go tear down each other's containers. Not API: the
 * entry point is the {@code portmap} executable (main class {@link dev.jcni.plugins.portmap.Portmap}).
 */
package dev.jcni.plugins.portmap;
