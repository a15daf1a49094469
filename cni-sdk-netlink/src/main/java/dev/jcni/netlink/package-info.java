/**
 * Netlink sockets and the message/attribute codec: {@code nlmsghdr}, {@code rtattr} trees,
 * requests, acknowledgements, dumps and kernel errors.
 */
package dev.jcni.netlink;
