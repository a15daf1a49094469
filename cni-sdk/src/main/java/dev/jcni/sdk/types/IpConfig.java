package dev.jcni.sdk.types;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An address in a result ({@code ips[]}).
 *
 * @param interfaceIndex index into the result's {@code interfaces}, when the address belongs to one
 *     (may be -1 from some plugins; runtimes tolerate it)
 * @param address the address with its prefix length; host bits kept, e.g. {@code 10.1.2.3/24}
 * @param gateway the default gateway for this subnet, if any
 */
public record IpConfig(OptionalInt interfaceIndex, IpPrefix address, Optional<InetAddress> gateway) {

    /** Checks that no component is null. */
    public IpConfig {
        Objects.requireNonNull(interfaceIndex, "interfaceIndex");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(gateway, "gateway");
        if (gateway.isPresent() && Ip.isIpv4(gateway.get()) != address.isIpv4()) {
            throw new IllegalArgumentException("gateway " + Ip.format(gateway.get()) + " is not of the family of " + address);
        }
    }

    /**
     * An address without interface index or gateway.
     *
     * @param address the address
     * @return the config
     */
    public static IpConfig of(IpPrefix address) {
        return new IpConfig(OptionalInt.empty(), address, Optional.empty());
    }

    /**
     * An address with a gateway and no interface index.
     *
     * @param address the address
     * @param gateway the gateway
     * @return the config
     */
    public static IpConfig of(IpPrefix address, InetAddress gateway) {
        return new IpConfig(OptionalInt.empty(), address, Optional.of(gateway));
    }

    /**
     * @param index the index into the result's interfaces
     * @return a copy pointing at another interface
     */
    public IpConfig withInterface(int index) {
        return new IpConfig(OptionalInt.of(index), address, gateway);
    }

    /**
     * @param gw the gateway
     * @return a copy with another gateway
     */
    public IpConfig withGateway(InetAddress gw) {
        return new IpConfig(interfaceIndex, address, Optional.of(gw));
    }

    /** @return true when the address is IPv4 */
    public boolean isIpv4() {
        return address.isIpv4();
    }
}
