package dev.jcni.sdk.types;

import java.util.Arrays;

/**
 * A hardware address: 6-byte EUI-48 (Ethernet), 8-byte EUI-64 or 20-byte IP over InfiniBand,
 * parsed with the rules of Go's {@code net.ParseMAC} and formatted lowercase with colons.
 * Immutable.
 */
public final class MacAddress {
    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Parses {@code 00:00:5e:00:53:01}, {@code 00-00-5e-00-53-01} or {@code 0000.5e00.5301}
     * (and the 8- and 20-byte forms of each).
     *
     * @param text the text
     * @return the address
     * @throws IllegalArgumentException {@code address <text>: invalid MAC address} as Go says it
     */
    public static MacAddress parse(String text) {
        byte[] b = parseOrNull(text);
        if (b == null) {
            throw new IllegalArgumentException("address " + text + ": invalid MAC address");
        }
        return new MacAddress(b);
    }

    /**
     * Wraps bytes (copied).
     *
     * @param bytes 6, 8 or 20 bytes
     * @return the address
     */
    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6 && bytes.length != 8 && bytes.length != 20) {
            throw new IllegalArgumentException("a MAC address has 6, 8 or 20 bytes, not " + bytes.length);
        }
        return new MacAddress(bytes.clone());
    }

    /**
     * @return a copy of the bytes
     */
    public byte[] bytes() {
        return bytes.clone();
    }

    private static byte[] parseOrNull(String s) {
        if (s == null || s.length() < 14) {
            return null;
        }
        if (s.charAt(2) == ':' || s.charAt(2) == '-') {
            if ((s.length() + 1) % 3 != 0) {
                return null;
            }
            int n = (s.length() + 1) / 3;
            if (n != 6 && n != 8 && n != 20) {
                return null;
            }
            byte[] out = new byte[n];
            char sep = s.charAt(2);
            for (int i = 0, x = 0; i < n; i++, x += 3) {
                int v = hexByte(s, x);
                if (v < 0 || (i < n - 1 && s.charAt(x + 2) != sep)) {
                    return null;
                }
                out[i] = (byte) v;
            }
            return out;
        }
        if (s.charAt(4) == '.') {
            if ((s.length() + 1) % 5 != 0) {
                return null;
            }
            int n = 2 * (s.length() + 1) / 5;
            if (n != 6 && n != 8 && n != 20) {
                return null;
            }
            byte[] out = new byte[n];
            for (int i = 0, x = 0; i < n; i += 2, x += 5) {
                int hi = hexByte(s, x);
                int lo = hexByte(s, x + 2);
                if (hi < 0 || lo < 0 || (i < n - 2 && s.charAt(x + 4) != '.')) {
                    return null;
                }
                out[i] = (byte) hi;
                out[i + 1] = (byte) lo;
            }
            return out;
        }
        return null;
    }

    private static int hexByte(String s, int at) {
        if (at + 2 > s.length()) {
            return -1;
        }
        int hi = hex(s.charAt(at));
        int lo = hex(s.charAt(at + 1));
        return hi < 0 || lo < 0 ? -1 : (hi << 4) | lo;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /**
     * @return lowercase hex bytes joined by colons, e.g. {@code 0a:58:0a:01:02:03}
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }
}
