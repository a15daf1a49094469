/**
 * The static IPAM plugin: the addresses, routes and DNS it is given (configuration, {@code CNI_ARGS},
 * {@code args}, the {@code ips} capability), nothing reserved. See docs/static.md.
 */
package dev.jcni.plugins.staticipam;
