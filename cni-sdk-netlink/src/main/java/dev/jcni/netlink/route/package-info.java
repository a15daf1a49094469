/** Typed rtnetlink operations: links, addresses, routes, neighbours, bridge VLANs; sysctl. */
package dev.jcni.netlink.route;
