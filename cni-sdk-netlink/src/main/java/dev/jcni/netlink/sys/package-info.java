/** The libc binding: the only jnr-ffi code in the project. Not API. */
package dev.jcni.netlink.sys;
