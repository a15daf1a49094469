package dev.jcni.plugins.hostlocal;

import dev.jcni.sdk.internal.CallContext;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Route;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * host-local's configuration, validated: Go's {@code LoadIPAMConfig}, with its order of checks and
 * its texts. Keys are matched case-insensitively, as Go's {@code encoding/json} does.
 *
 * <p>Error codes (docs/host-local.md): a JSON value of the wrong type is 6; any other problem with
 * the configuration on stdin is 7; a problem with {@code CNI_ARGS} is 4.
 *
 * @param name the network name (the store's directory name)
 * @param cniVersion the configuration's {@code cniVersion} as written
 * @param dataDir {@code ipam.dataDir}, default {@code /var/lib/cni/networks}
 * @param resolvConf {@code ipam.resolvConf}, when set
 * @param routes {@code ipam.routes}, returned as they are
 * @param rangeSets {@code runtimeConfig.ipRanges}, then the legacy {@code subnet} range, then {@code ranges}
 * @param requestedIps {@code CNI_ARGS IP=}, then {@code args.cni.ips}, then {@code runtimeConfig.ips}
 */
record IpamConfig(String name, String cniVersion, Path dataDir, Optional<Path> resolvConf, List<Route> routes,
                  List<RangeSet> rangeSets, List<InetAddress> requestedIps) {

    IpamConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(cniVersion, "cniVersion");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(resolvConf, "resolvConf");
        routes = List.copyOf(routes);
        rangeSets = List.copyOf(rangeSets);
        requestedIps = List.copyOf(requestedIps);
    }

    /**
     * Loads and validates the configuration.
     *
     * @param conf the configuration from stdin
     * @param cniArgs the raw {@code CNI_ARGS}
     * @param rangesRequired false for GC and STATUS, which runtimes call without {@code runtimeConfig}:
     *     a configuration whose ranges all come from the {@code ipRanges} capability has none then
     * @return the configuration
     * @throws CniException code 6, 7 or 4 with Go's texts
     */
    static IpamConfig load(NetConf conf, String cniArgs, boolean rangesRequired) {
        // 1. decode, as Go's json.Unmarshal does before anything is checked
        Net net = conf.bind(Net.class);
        Optional<IpamKeys> ipam = net.ipam();
        // no lambdas on this path: each one's first link costs a cold call about half a millisecond
        Optional<GoCompat.Cidr> subnet = ipam.isPresent() ? cidr(ipam.get().subnet()) : Optional.empty();
        AddressRange.Spec legacy = spec(subnet, "", "", "");
        List<List<AddressRange.Spec>> ranges = List.of();
        List<Route> routes = List.of();
        String dataDir = "";
        String resolvConf = "";
        if (ipam.isPresent()) {
            IpamKeys i = ipam.get();
            legacy = spec(subnet, i.rangeStart(), i.rangeEnd(), i.gateway());
            ranges = rangeSets(i.ranges());
            routes = routes(i.routes());
            dataDir = i.dataDir();
            resolvConf = i.resolvConf();
        }
        List<List<AddressRange.Spec>> ipRanges = rangeSets(net.runtimeConfig().ipRanges());
        List<Optional<InetAddress>> runtimeIps = requestedIps(net.runtimeConfig().ips());
        List<Optional<InetAddress>> argsIps = requestedIps(net.args().cni().ips());

        // 2. the checks, in Go's order
        if (ipam.isEmpty()) {
            throw invalid("IPAM config missing 'ipam' key");
        }
        List<Optional<InetAddress>> requested = new ArrayList<>();
        Optional<InetAddress> argsIp = cniArgsIp(cniArgs);
        if (argsIp.isPresent()) {
            requested.add(argsIp);
        }
        requested.addAll(argsIps);
        requested.addAll(runtimeIps);
        List<InetAddress> requestedIps = new ArrayList<>();
        for (Optional<InetAddress> r : requested) {
            if (r.isEmpty()) {
                throw invalid("cannot understand ip: IP <nil> not v4 nor v6");
            }
            requestedIps.add(r.get());
        }

        List<List<AddressRange.Spec>> specs = new ArrayList<>(ipRanges);
        if (subnet.isPresent()) {
            specs.add(List.of(legacy));
        }
        specs.addAll(ranges);
        if (specs.isEmpty() && rangesRequired) {
            throw invalid("no IP ranges specified");
        }
        List<RangeSet> sets = new ArrayList<>();
        int v4 = 0;
        int v6 = 0;
        for (int i = 0; i < specs.size(); i++) {
            RangeSet set;
            try {
                set = RangeSet.of(specs.get(i));
            } catch (IllegalArgumentException e) {
                throw invalid("invalid range set " + i + ": " + e.getMessage());
            }
            if (set.isIpv4()) {
                v4++;
            } else {
                v6++;
            }
            sets.add(set);
        }
        if ((v4 > 1 || v6 > 1) && !GoCompat.atLeast030(conf.cniVersion())) {
            throw invalid("CNI version " + conf.cniVersion() + " does not support more than 1 address per family");
        }
        for (int i = 0; i < sets.size(); i++) {
            for (int j = i + 1; j < sets.size(); j++) {
                if (sets.get(i).overlaps(sets.get(j))) {
                    throw invalid("range set " + i + " overlaps with " + j);
                }
            }
        }
        // relative paths name files from the caller's working directory (not the warm daemon's)
        return new IpamConfig(conf.name(), conf.cniVersion(), dataDir.isEmpty() ? Store.DEFAULT_DATA_DIR : CallContext.resolve(dataDir),
                resolvConf.isEmpty() ? Optional.empty() : Optional.of(CallContext.resolve(resolvConf)), routes, sets, requestedIps);
    }

    /**
     * Go's assignment of requested addresses to range sets: each set takes the first requested
     * address (in request order) that lies in one of its ranges. Checked before the store is
     * touched, so that a request that cannot be met leaves nothing behind.
     *
     * @return per range set, the address requested in it
     * @throws CniException code 999: {@code failed to allocate for range <N>: requested ip <ip> is
     *     subnet's gateway} or {@code failed to allocate all requested IPs: <ip> <ip>...}
     */
    List<Optional<InetAddress>> requestedPerSet() {
        Map<String, InetAddress> pending = new LinkedHashMap<>();
        for (InetAddress ip : requestedIps) {
            pending.putIfAbsent(Ip.format(ip), ip);
        }
        List<Optional<InetAddress>> out = new ArrayList<>();
        for (int i = 0; i < rangeSets.size(); i++) {
            RangeSet set = rangeSets.get(i);
            Optional<InetAddress> mine = Optional.empty();
            for (Iterator<InetAddress> it = pending.values().iterator(); it.hasNext(); ) {
                InetAddress ip = it.next();
                Optional<AddressRange> r = set.rangeFor(ip);
                if (r.isPresent()) {
                    it.remove();
                    if (ip.equals(r.get().gateway())) {
                        throw new CniException(ErrorCodes.INTERNAL, "failed to allocate for range " + i + ": requested ip "
                                + Ip.format(ip) + " is subnet's gateway");
                    }
                    mine = Optional.of(ip);
                    break;
                }
            }
            out.add(mine);
        }
        if (!pending.isEmpty()) {
            throw new CniException(ErrorCodes.INTERNAL, "failed to allocate all requested IPs: " + String.join(" ", pending.keySet()));
        }
        return out;
    }

    private static CniException invalid(String msg) {
        return new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, msg);
    }

    /** {@code types.IPNet}: {@code net.ParseCIDR}, host bits kept. */
    private static GoCompat.Cidr cidr(String text) {
        Optional<GoCompat.Cidr> c = GoCompat.parseCidr(text);
        if (c.isEmpty()) {
            throw invalid("invalid CIDR address: " + text);
        }
        return c.get();
    }

    /** {@link #cidr(String)} of a text that may be absent. */
    private static Optional<GoCompat.Cidr> cidr(Optional<String> text) {
        return text.isPresent() ? Optional.of(cidr(text.get())) : Optional.empty();
    }

    /**
     * The keys host-local reads, bound as Go's {@code encoding/json} fills its {@code Net}: case-insensitive
     * names, the last key winning, a wrong JSON type an error naming its path. A null counts as absent.
     *
     * @param ipam {@code ipam}, required
     * @param runtimeConfig {@code runtimeConfig} ({@code ipRanges}, {@code ips} capabilities)
     * @param args {@code args} ({@code args.cni.ips})
     */
    record Net(Optional<IpamKeys> ipam, RuntimeKeys runtimeConfig, ArgsKeys args) {
    }

    /** {@code ipam}: the legacy single range, the range sets, the routes and the store's places. */
    record IpamKeys(Optional<String> subnet, String rangeStart, String rangeEnd, String gateway, List<List<RangeKeys>> ranges,
                    List<Optional<RouteKeys>> routes, String dataDir, String resolvConf) {
    }

    /** One range; a null range has nothing set. */
    record RangeKeys(Optional<String> subnet, String rangeStart, String rangeEnd, String gateway) {
    }

    /** One route of {@code ipam.routes}. */
    record RouteKeys(Optional<String> dst, String gw, int mtu, int advmss, int priority, OptionalInt table, OptionalInt scope) {
    }

    /** {@code runtimeConfig}. */
    record RuntimeKeys(List<List<RangeKeys>> ipRanges, List<String> ips) {
    }

    /** {@code args}. */
    record ArgsKeys(CniKeys cni) {
    }

    /** {@code args.cni}. */
    record CniKeys(List<String> ips) {
    }

    private static AddressRange.Spec spec(Optional<GoCompat.Cidr> subnet, String start, String end, String gateway) {
        return new AddressRange.Spec(subnet, ip(start), ip(end), ip(gateway));
    }

    /** {@code net.IP}: "" is absent. */
    private static Optional<InetAddress> ip(String s) {
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Optional<InetAddress> a = Ip.tryParse(s);
        if (a.isEmpty()) {
            throw invalid("invalid IP address: " + s);
        }
        return a;
    }

    /** {@code []*ip.IP}: {@code <ip>[/<prefix>]}; "" and null are kept as unusable (empty) entries. */
    private static List<Optional<InetAddress>> requestedIps(List<String> ips) {
        List<Optional<InetAddress>> out = new ArrayList<>();
        for (String s : ips) {
            out.add(s.isEmpty() ? Optional.empty()
                    : Optional.of(GoCompat.parseIpMaybePrefix(s).orElseThrow(() -> invalid("invalid IP address " + s))));
        }
        return out;
    }

    private static List<List<AddressRange.Spec>> rangeSets(List<List<RangeKeys>> sets) {
        List<List<AddressRange.Spec>> out = new ArrayList<>();
        for (List<RangeKeys> set : sets) {
            List<AddressRange.Spec> specs = new ArrayList<>();
            for (RangeKeys r : set) {
                specs.add(spec(cidr(r.subnet()), r.rangeStart(), r.rangeEnd(), r.gateway()));
            }
            out.add(specs);
        }
        return out;
    }

    private static List<Route> routes(List<Optional<RouteKeys>> raw) {
        List<Route> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            if (raw.get(i).isEmpty()) {
                continue; // Go: a null *Route, dropped when the result is written
            }
            RouteKeys r = raw.get(i).get();
            if (r.dst().isEmpty()) {
                throw invalid("route " + i + " has no dst");
            }
            GoCompat.Cidr dst = cidr(r.dst().get());
            if (dst.address().getAddress().length * 8 != dst.maskBits()) {
                throw invalid("invalid CIDR address: " + r.dst().get());
            }
            out.add(new Route(new IpPrefix(dst.address(), dst.ones()), ip(r.gw()), r.mtu(), r.advmss(), r.priority(), r.table(),
                    r.scope()));
        }
        return out;
    }

    /**
     * {@code CNI_ARGS} as Go's {@code types.LoadArgs} reads it into host-local's arguments ({@code IP},
     * {@code IgnoreUnknown}).
     *
     * @return the {@code IP=} address, when set
     * @throws CniException code 4: {@code ARGS: invalid pair "<p>"}, {@code ARGS: error parsing value of
     *     pair "<p>": ...}, {@code ARGS: unknown args ["<p>" ...]}
     */
    static Optional<InetAddress> cniArgsIp(String cniArgs) {
        if (cniArgs.isEmpty()) {
            return Optional.empty();
        }
        Optional<InetAddress> ip = Optional.empty();
        boolean ignoreUnknown = false;
        List<String> unknown = new ArrayList<>();
        for (String pair : cniArgs.split(";", -1)) {
            String[] kv = pair.split("=", -1);
            if (kv.length != 2) {
                throw args("ARGS: invalid pair " + GoCompat.quote(pair));
            }
            switch (kv[0]) {
                case "IP" -> ip = kv[1].isEmpty() ? Optional.empty() : Optional.of(GoCompat.parseIpMaybePrefix(kv[1])
                        .orElseThrow(() -> badValue(pair, "invalid IP address " + kv[1])));
                case "IgnoreUnknown" -> {
                    String b = kv[1].toLowerCase(Locale.ROOT);
                    switch (b) {
                        case "1", "true" -> ignoreUnknown = true;
                        case "0", "false" -> ignoreUnknown = false;
                        default -> throw badValue(pair, "boolean unmarshal error: invalid input " + b);
                    }
                }
                default -> unknown.add(pair);
            }
        }
        if (!unknown.isEmpty() && !ignoreUnknown) {
            throw args("ARGS: unknown args " + GoCompat.quoteList(unknown));
        }
        return ip;
    }

    private static CniException badValue(String pair, String why) {
        return args("ARGS: error parsing value of pair " + GoCompat.quote(pair) + ": " + why);
    }

    private static CniException args(String msg) {
        return new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, msg);
    }
}
