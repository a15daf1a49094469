package dev.jcni.plugins.ip;

import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel state as text lines, normalised so that two implementations can be compared: MACs, random
 * veth names, interface indexes and address lifetimes are masked, and so is an address's
 * {@code tentative} flag (IPv6 duplicate address detection still running: when the snapshot is taken
 * decides it, not the plugin); link-local IPv6 (derived from MACs) is left out.
 */
public final class State {
    private State() {
    }

    public static String normalise(String line) {
        return line.replaceAll("veth[0-9a-f]{8}", "vethX")
                .replaceAll("([0-9a-f]{2}:){5}[0-9a-f]{2}", "MAC")
                .replaceAll("@if\\d+", "").replaceAll("@vethX", "").replaceAll("link-netnsid \\d+", "")
                .replaceAll("link-netns \\S+", "").replaceAll("^\\d+: ", "")
                .replaceAll("\\\\\\s+valid_lft.*$", "").replaceAll(" tentative\\b", "").replaceAll("\\s+", " ").trim();
    }

    private static List<String> lines(Kernel.ExecResult r, String... drop) {
        List<String> out = new ArrayList<>();
        for (String l : r.ok().lines().toList()) {
            boolean skip = l.isBlank();
            for (String d : drop) {
                skip |= l.contains(d);
            }
            if (!skip) {
                out.add(normalise(l));
            }
        }
        return out;
    }

    /**
     * @param ns the container namespace
     * @return links (name, flags, mtu, state), addresses and routes of both families
     */
    public static List<String> container(TestNetns ns) {
        List<String> out = new ArrayList<>();
        for (String l : lines(ns.exec("ip", "-o", "link", "show"))) {
            // the queue length is masked: v1.1.1 forces 0 on veths, HEAD (and jcni) keep the kernel default
            out.add("link " + l.replaceAll(" qlen \\d+", "").replace(" \\", "\\").replaceAll("link/ether MAC brd MAC", "link/ether").replaceAll("qdisc \\S+ ", ""));
        }
        out.addAll(prefix("addr ", lines(ns.exec("ip", "-o", "addr", "show"), " fe80:", " lo ")));
        out.addAll(prefix("route ", lines(ns.exec("ip", "-4", "route", "show"))));
        out.addAll(prefix("route6 ", lines(ns.exec("ip", "-6", "route", "show"), "fe80::")));
        return out;
    }

    /**
     * The host side of a bridge network: the bridge's addresses, MTU and promiscuity, its ports'
     * MTU, state and flags.
     *
     * @param bridge the bridge
     * @return the lines, empty when the bridge does not exist
     */
    public static List<String> bridge(String bridge) {
        List<String> out = new ArrayList<>();
        Kernel.ExecResult link = Kernel.exec("ip", "-d", "-o", "link", "show", "dev", bridge);
        if (link.exitCode() != 0) {
            return out;
        }
        String l = link.stdout();
        out.add("bridge mtu " + word(l, "mtu") + " promiscuity " + word(l, "promiscuity") + " vlan_filtering " + word(l, "vlan_filtering")
                + " state " + word(l, "state"));
        out.addAll(prefix("bridge addr ", lines(Kernel.exec("ip", "-o", "addr", "show", "dev", bridge), " fe80:")));
        for (String p : Kernel.exec("ip", "-d", "-o", "link", "show", "master", bridge).ok().lines().toList()) {
            out.add("port mtu " + word(p, "mtu") + " state " + word(p, "state") + " hairpin " + word(p, "hairpin") + " isolated "
                    + word(p, "isolated") + " name " + normalise(word(p, ":")));
        }
        return out;
    }

    /**
     * Host routes and addresses that mention a prefix (ptp's host side).
     *
     * @param prefixes e.g. {@code 10.1.2.} and {@code fd00:12::}
     * @return the lines
     */
    public static List<String> hostRoutesAndAddrs(String... prefixes) {
        List<String> out = new ArrayList<>();
        List<String> all = new ArrayList<>();
        all.addAll(prefix("route ", lines(Kernel.exec("ip", "-4", "route", "show"))));
        all.addAll(prefix("route6 ", lines(Kernel.exec("ip", "-6", "route", "show"))));
        all.addAll(prefix("addr ", lines(Kernel.exec("ip", "-o", "addr", "show"))));
        for (String l : all) {
            for (String p : prefixes) {
                if (l.contains(p)) {
                    out.add(l);
                    break;
                }
            }
        }
        return out;
    }

    /** @return every host link name that looks like a jcni/Go veth */
    public static List<String> hostVeths() {
        List<String> out = new ArrayList<>();
        for (String l : Kernel.exec("ip", "-o", "link", "show", "type", "veth").ok().lines().toList()) {
            String name = l.split(": ")[1].split("@")[0];
            out.add(name);
        }
        return out;
    }

    static String word(String line, String key) {
        if (key.equals(":")) {
            String[] parts = line.split(": ");
            return parts.length > 1 ? parts[1].split("@")[0] : "";
        }
        String[] w = line.trim().split("\\s+");
        for (int i = 0; i < w.length - 1; i++) {
            if (w[i].equals(key)) {
                return w[i + 1];
            }
        }
        return "-";
    }

    private static List<String> prefix(String p, List<String> ls) {
        List<String> out = new ArrayList<>();
        for (String l : ls) {
            out.add(p + l);
        }
        return out;
    }
}
