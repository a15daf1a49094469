/**
 * Firewall plumbing shared by the reference plugins: the {@code iptables}/{@code ip6tables} and
 * {@code nft} command wrappers, Go-compatible chain and comment names. Not API.
 */
package dev.jcni.plugins.firewall;
