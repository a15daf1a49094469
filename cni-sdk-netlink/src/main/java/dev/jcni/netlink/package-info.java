/**
 * Netlink sockets and the message/attribute codec: {@code nlmsghdr}, {@code rtattr} trees,
 * requests, acknowledgements, dumps and kernel errors ({@link dev.jcni.netlink.NetlinkException}
 * is the root of every kernel exception in jcni).
 */
package dev.jcni.netlink;
