/**
 * The {@code firewall} plugin, a drop-in for Go's chained {@code firewall} meta-plugin: it lets a
 * container's traffic through the host's {@code FORWARD} chain (iptables backend: the shared
 * {@code CNI-FORWARD} chain and the admin chain, or firewalld's zone through D-Bus) and can isolate
 * bridges from each other ({@code ingressPolicy}). The command wrappers it runs are those of
 * {@link dev.jcni.plugins.firewall}. See docs/firewall.md.
 */
package dev.jcni.plugins.firewallplugin;
