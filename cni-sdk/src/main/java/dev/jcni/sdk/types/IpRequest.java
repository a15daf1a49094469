package dev.jcni.sdk.types;

import java.net.InetAddress;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A requested address from the {@code ips} capability, {@code args.cni.ips} or CNI_ARGS {@code IP=}:
 * {@code <ip>} or {@code <ip>/<prefix>}.
 *
 * @param address the address
 * @param prefixLength the prefix length when one was given
 */
public record IpRequest(InetAddress address, OptionalInt prefixLength) {

    /** Checks that no component is null. */
    public IpRequest {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(prefixLength, "prefixLength");
    }

    /**
     * Parses {@code <ip>[/<prefix>]}.
     *
     * @param text the text
     * @return the request
     * @throws IllegalArgumentException {@code invalid IP address: <text>} or {@code invalid CIDR address: <text>}
     */
    public static IpRequest parse(String text) {
        if (text.indexOf('/') >= 0) {
            IpPrefix p = IpPrefix.parse(text);
            return new IpRequest(p.address(), OptionalInt.of(p.prefixLength()));
        }
        return new IpRequest(Ip.parse(text), OptionalInt.empty());
    }

    /** @return {@code <ip>} or {@code <ip>/<prefix>} */
    @Override
    public String toString() {
        return Ip.format(address) + (prefixLength.isPresent() ? "/" + prefixLength.getAsInt() : "");
    }
}
