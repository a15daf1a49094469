package dev.jcni.sdk.types;

import java.util.Objects;

/**
 * An interface in a result ({@code interfaces[]}). Empty strings and a zero MTU mean "not set"
 * and are left out of the JSON, as in Go.
 *
 * @param name the interface name (always written)
 * @param mac the hardware address text, "" when unknown
 * @param mtu the MTU (1.1.0), 0 when not set
 * @param sandbox the namespace path for container interfaces, "" for host interfaces
 * @param socketPath the path of a socket for the interface (1.1.0, e.g. vhost-user), "" when not set
 * @param pciID the PCI address of a device-backed interface (1.1.0), "" when not set
 */
public record Interface(String name, String mac, int mtu, String sandbox, String socketPath, String pciID) {

    /** Checks that no component is null. */
    public Interface {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(sandbox, "sandbox");
        Objects.requireNonNull(socketPath, "socketPath");
        Objects.requireNonNull(pciID, "pciID");
    }

    /**
     * A host-side interface.
     *
     * @param name the name
     * @param mac the MAC text, or ""
     * @return the interface
     */
    public static Interface host(String name, String mac) {
        return new Interface(name, mac, 0, "", "", "");
    }

    /**
     * A container-side interface.
     *
     * @param name the name
     * @param mac the MAC text, or ""
     * @param sandbox the namespace path
     * @return the interface
     */
    public static Interface container(String name, String mac, String sandbox) {
        return new Interface(name, mac, 0, sandbox, "", "");
    }

    /**
     * @param newMac the MAC text
     * @return a copy with another MAC
     */
    public Interface withMac(String newMac) {
        return new Interface(name, newMac, mtu, sandbox, socketPath, pciID);
    }

    /**
     * @param newMtu the MTU
     * @return a copy with another MTU
     */
    public Interface withMtu(int newMtu) {
        return new Interface(name, mac, newMtu, sandbox, socketPath, pciID);
    }
}
