/**
 * Running CNI plugins as processes: lookup in {@code CNI_PATH}, execution with deadlines,
 * result and error parsing, and delegation (IPAM) for plugin authors.
 * The Go equivalent is {@code github.com/containernetworking/cni/pkg/invoke}.
 */
package dev.jcni.sdk.invoke;
