/** The system calls cni-sdk-netlink makes, through jcni's own JNI glue (src/main/c/jcni-sys.c). Not API. */
package dev.jcni.netlink.sys;
