/**
 * The host-local IPAM plugin: hands out addresses from configured ranges and records each
 * reservation as a file under {@code <dataDir>/<network>}, in the same format as the Go plugin
 * of containernetworking/plugins so that both can share a store. See docs/host-local.md.
 */
package dev.jcni.plugins.hostlocal;
