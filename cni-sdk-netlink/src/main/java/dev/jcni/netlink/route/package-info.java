/**
 * Typed kernel operations (Go: vishvananda/netlink): {@link dev.jcni.netlink.route.NetlinkHandle}
 * for links (veth, bridge, vlan, dummy, macvlan), bridge ports and VLANs, addresses, routes and
 * neighbours; {@link dev.jcni.netlink.route.Sysctl} for {@code /proc/sys};
 * {@link dev.jcni.netlink.route.Conntrack} for flushing conntrack entries.
 */
package dev.jcni.netlink.route;
