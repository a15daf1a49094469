package dev.jcni.sdk.types;

/**
 * The {@code bandwidth} capability: rates in bit/s, bursts in bits; 0 = not set.
 *
 * @param ingressRate ingress rate
 * @param ingressBurst ingress burst
 * @param egressRate egress rate
 * @param egressBurst egress burst
 */
public record Bandwidth(long ingressRate, long ingressBurst, long egressRate, long egressBurst) {
}
