/**
 * What the bridge and ptp plugins share, the equivalent of Go's {@code plugins/pkg/ip} and
 * {@code plugins/pkg/ipam} helpers: the veth pair ({@link dev.jcni.plugins.ip.Veth}), configuring the
 * container interface from a result ({@link dev.jcni.plugins.ip.IfaceConfig}), IP forwarding
 * ({@link dev.jcni.plugins.ip.Forwarding}), deleting the container link
 * ({@link dev.jcni.plugins.ip.Links}), the CHECK validators ({@link dev.jcni.plugins.ip.Validate}),
 * IPAM delegation with Go's error codes ({@link dev.jcni.plugins.ip.Ipam}) and the error
 * helpers ({@link dev.jcni.plugins.ip.Errors}).
 *
 * <p>Nothing here touches the kernel when its class loads: the native library is loaded by the first netlink call.
 */
package dev.jcni.plugins.ip;
