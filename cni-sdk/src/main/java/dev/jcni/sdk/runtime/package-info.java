/**
 * The runtime side of CNI: loading network configuration lists, running them against a
 * network namespace (ADD, CHECK, DEL, GC, STATUS), and the result cache.
 * The Go equivalent is {@code github.com/containernetworking/cni/libcni}.
 */
package dev.jcni.sdk.runtime;
