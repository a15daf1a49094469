package dev.jcni.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.version.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The shape of an ADD result for one spec version, checked on the JSON itself (not through jcni's
 * lenient types): the keys of that version's result, CIDR addresses, interface indexes in range, the
 * {@code version} field of 0.3.x/0.4.0 IPs.
 */
final class ResultShape {
    private ResultShape() {
    }

    private static final Set<String> LEGACY_KEYS = Set.of("cniVersion", "ip4", "ip6", "dns");
    private static final Set<String> CURRENT_KEYS = Set.of("cniVersion", "interfaces", "ips", "routes", "dns");

    /**
     * @param stdout what ADD printed
     * @param version the requested version
     * @return what is wrong, empty when the result is valid for the version
     */
    static List<String> problems(String stdout, String version) {
        List<String> p = new ArrayList<>();
        JsonNode r = Conformance.strict(stdout);
        if (r == null || !r.isObject()) {
            p.add("stdout is not one JSON object");
            return p;
        }
        if (!r.path("cniVersion").asText("").equals(version)) {
            p.add("cniVersion is " + r.path("cniVersion") + ", expected \"" + version + "\"");
        }
        boolean legacy = !Version.greaterThanOrEqualTo(version, "0.3.0");
        Set<String> keys = legacy ? LEGACY_KEYS : CURRENT_KEYS;
        r.fieldNames().forEachRemaining(k -> {
            if (!keys.contains(k)) {
                p.add("key \"" + k + "\" is not part of a " + version + " result");
            }
        });
        if (legacy) {
            for (String fam : List.of("ip4", "ip6")) {
                JsonNode ip = r.get(fam);
                if (ip == null) {
                    continue;
                }
                String where = fam;
                cidr(ip.get("ip"), where + ".ip", fam.equals("ip4"), true, p);
                address(ip.get("gateway"), where + ".gateway", p);
                routes(ip.get("routes"), where + ".routes", p);
            }
        } else {
            int interfaces = 0;
            JsonNode ifs = r.get("interfaces");
            if (ifs != null) {
                if (!ifs.isArray()) {
                    p.add("interfaces is not an array");
                } else {
                    interfaces = ifs.size();
                    for (int i = 0; i < ifs.size(); i++) {
                        if (!ifs.get(i).path("name").isTextual() || ifs.get(i).path("name").asText().isEmpty()) {
                            p.add("interfaces[" + i + "] has no name");
                        }
                    }
                }
            }
            JsonNode ips = r.get("ips");
            if (ips != null) {
                if (!ips.isArray()) {
                    p.add("ips is not an array");
                } else {
                    for (int i = 0; i < ips.size(); i++) {
                        JsonNode ip = ips.get(i);
                        String where = "ips[" + i + "]";
                        Boolean v4 = cidr(ip.get("address"), where + ".address", null, true, p);
                        address(ip.get("gateway"), where + ".gateway", p);
                        JsonNode idx = ip.get("interface");
                        if (idx != null && (!idx.isIntegralNumber() || idx.asInt() < 0 || idx.asInt() >= interfaces)) {
                            p.add(where + ".interface " + idx + " is not an index of interfaces (" + interfaces + ")");
                        }
                        if (!Version.greaterThanOrEqualTo(version, "1.0.0")) {
                            String want = v4 == null ? null : v4 ? "4" : "6";
                            String got = ip.path("version").asText("");
                            if (want != null && !want.equals(got)) {
                                p.add(where + ".version is \"" + got + "\", a " + version + " result needs \"" + want + "\"");
                            }
                        }
                    }
                }
            }
            routes(r.get("routes"), "routes", p);
        }
        JsonNode dns = r.get("dns");
        if (dns != null && !dns.isObject()) {
            p.add("dns is not an object");
        }
        return p;
    }

    private static void routes(JsonNode routes, String where, List<String> p) {
        if (routes == null) {
            return;
        }
        if (!routes.isArray()) {
            p.add(where + " is not an array");
            return;
        }
        for (int i = 0; i < routes.size(); i++) {
            cidr(routes.get(i).get("dst"), where + "[" + i + "].dst", null, true, p);
            address(routes.get(i).get("gw"), where + "[" + i + "].gw", p);
        }
    }

    /** @return true for IPv4, false for IPv6, null when absent or invalid */
    private static Boolean cidr(JsonNode n, String where, Boolean wantV4, boolean required, List<String> p) {
        if (n == null || n.isNull()) {
            if (required) {
                p.add(where + " is missing");
            }
            return null;
        }
        try {
            IpPrefix prefix = IpPrefix.parse(n.asText());
            if (!n.isTextual() || !n.asText().contains("/")) {
                throw new IllegalArgumentException("not in CIDR notation");
            }
            if (wantV4 != null && prefix.isIpv4() != wantV4) {
                p.add(where + " " + n + " is of the wrong family");
            }
            return prefix.isIpv4();
        } catch (RuntimeException e) {
            p.add(where + " " + n + " is not an address/prefix");
            return null;
        }
    }

    private static void address(JsonNode n, String where, List<String> p) {
        if (n == null || n.isNull()) {
            return;
        }
        String s = n.asText("");
        if (!n.isTextual() || s.contains("/") || !(s.contains(".") || s.contains(":"))) {
            p.add(where + " " + n + " is not an IP address");
            return;
        }
        try {
            IpPrefix.parse(s + (s.contains(":") ? "/128" : "/32"));
        } catch (RuntimeException e) {
            p.add(where + " " + n + " is not an IP address");
        }
    }
}
