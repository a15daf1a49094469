package dev.jcni.netlink.route;

/**
 * The bridge-port settings of a link enslaved to a bridge ({@code IFLA_BRPORT_*}).
 *
 * @param state STP port state (0 disabled .. 3 forwarding)
 * @param hairpin hairpin mode ({@code IFLA_BRPORT_MODE})
 * @param learning MAC learning
 * @param isolated port isolation
 */
public record BridgePort(int state, boolean hairpin, boolean learning, boolean isolated) {
}
