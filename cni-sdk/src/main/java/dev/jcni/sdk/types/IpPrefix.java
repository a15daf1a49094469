package dev.jcni.sdk.types;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IP address with a prefix length, such as {@code 10.1.2.3/24} or {@code 2001:db8::5/64}.
 *
 * <p>The host bits are kept: {@code 10.1.2.3/24} is an interface address in the network
 * {@code 10.1.2.0/24}, as in CNI results. {@link #network()} gives the masked prefix.
 *
 * @param address the address, IPv4 or IPv6
 * @param prefixLength 0..32 for IPv4, 0..128 for IPv6
 */
public record IpPrefix(InetAddress address, int prefixLength) {

    /**
     * Checks the prefix length against the address family.
     *
     * @param address the address
     * @param prefixLength the prefix length
     */
    public IpPrefix {
        Objects.requireNonNull(address, "address");
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("invalid prefix length " + prefixLength + " for " + Ip.format(address));
        }
    }

    /**
     * Parses {@code <ip>/<length>} as Go's {@code net.ParseCIDR} does (but keeps the host bits).
     *
     * @param text the text
     * @return the prefix
     * @throws IllegalArgumentException {@code invalid CIDR address: <text>} when it does not parse
     */
    public static IpPrefix parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR address: " + text);
        }
        InetAddress ip = Ip.tryParse(text.substring(0, slash)).orElse(null);
        String len = text.substring(slash + 1);
        if (ip == null || len.isEmpty() || len.length() > 3 || !allDigits(len)
                || (len.length() > 1 && len.charAt(0) == '0')) {
            throw new IllegalArgumentException("invalid CIDR address: " + text);
        }
        int n = Integer.parseInt(len);
        if (n > ip.getAddress().length * 8) {
            throw new IllegalArgumentException("invalid CIDR address: " + text);
        }
        return new IpPrefix(ip, n);
    }

    /**
     * A host prefix: /32 for IPv4, /128 for IPv6.
     *
     * @param address the address
     * @return the single-address prefix
     */
    public static IpPrefix host(InetAddress address) {
        return new IpPrefix(address, address.getAddress().length * 8);
    }

    /**
     * @return true when the address is IPv4
     */
    public boolean isIpv4() {
        return Ip.isIpv4(address);
    }

    /**
     * @return the number of address bits: 32 or 128
     */
    public int bits() {
        return address.getAddress().length * 8;
    }

    /**
     * @return this prefix with the host bits cleared, e.g. {@code 10.1.2.0/24} for {@code 10.1.2.3/24}
     */
    public IpPrefix network() {
        return new IpPrefix(sameFamily(mask(address.getAddress(), prefixLength, false)), prefixLength);
    }

    /** Builds an address of this prefix's family: an IPv6 network never turns into IPv4. */
    private InetAddress sameFamily(byte[] bytes) {
        if (bytes.length == 4) {
            return Ip.fromBytes(bytes);
        }
        try {
            return java.net.Inet6Address.getByAddress(null, bytes, (java.net.NetworkInterface) null);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * @return the last address of the network (the IPv4 broadcast address)
     */
    public InetAddress lastAddress() {
        return sameFamily(mask(address.getAddress(), prefixLength, true));
    }

    /**
     * @return the netmask as an address, e.g. {@code 255.255.255.0} for /24
     */
    public InetAddress netmask() {
        byte[] b = new byte[address.getAddress().length];
        for (int i = 0; i < prefixLength; i++) {
            b[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return sameFamily(b);
    }

    /**
     * Tells whether an address lies in this prefix's network.
     *
     * @param ip the address
     * @return true when {@code ip} is of the same family and shares the first {@code prefixLength} bits
     */
    public boolean contains(InetAddress ip) {
        byte[] a = address.getAddress();
        byte[] b = ip.getAddress();
        if (a.length != b.length) {
            return false;
        }
        return java.util.Arrays.equals(mask(a, prefixLength, false), mask(b, prefixLength, false));
    }

    /**
     * Tells whether two networks share any address.
     *
     * @param other another prefix
     * @return true when one network contains the other's network address
     */
    public boolean overlaps(IpPrefix other) {
        return contains(other.address) || other.contains(address);
    }

    /**
     * @return the address as an unsigned number (for address arithmetic)
     */
    public BigInteger addressValue() {
        return new BigInteger(1, address.getAddress());
    }

    private static byte[] mask(byte[] in, int prefix, boolean setHostBits) {
        byte[] out = in.clone();
        for (int i = 0; i < out.length * 8; i++) {
            if (i >= prefix) {
                if (setHostBits) {
                    out[i / 8] |= (byte) (0x80 >>> (i % 8));
                } else {
                    out[i / 8] &= (byte) ~(0x80 >>> (i % 8));
                }
            }
        }
        return out;
    }

    /**
     * @return {@code <address>/<prefixLength>} with the address in Go's canonical text
     */
    @Override
    public String toString() {
        return Ip.format(address) + "/" + prefixLength;
    }

    /** ASCII digits only (a loop, not a stream: a cold plugin links each lambda it meets). */
    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
