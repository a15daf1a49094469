package dev.jcni.plugins.staticipam;

import dev.jcni.plugins.hostlocal.GoCompat;
import dev.jcni.sdk.types.CniArgs;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Dns;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.NetConf;
import dev.jcni.sdk.types.Route;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The static IPAM plugin's configuration, validated: Go's {@code LoadIPAMConfig} of
 * plugins/ipam/static, in its order, with its texts.
 *
 * <p>Where the addresses come from, each source replacing or extending the one before: the
 * {@code ipam.addresses} of the configuration; {@code CNI_ARGS IP=} (comma-separated CIDRs, added),
 * with {@code GATEWAY=} (comma-separated addresses, each set as the gateway of every {@code IP=}
 * address whose subnet holds it); {@code args.cni.ips} (replaces all of them, gateways included);
 * {@code runtimeConfig.ips}, the {@code ips} capability (replaces all of them again).
 *
 * <p>Error codes: a JSON value of the wrong type, or a text that is not an IP address where one is
 * required by type ({@code gateway}, a route), is 6; any other problem with the configuration is 7;
 * a problem with {@code CNI_ARGS} is 4.
 *
 * @param cniVersion the configuration's {@code cniVersion} as written
 * @param addresses the addresses, in order
 * @param routes {@code ipam.routes}, as they are
 * @param dns {@code ipam.dns}
 */
public record StaticConfig(String cniVersion, List<StaticAddress> addresses, List<Route> routes, Dns dns) {

    /** The {@code CNI_ARGS} keys static reads ({@code IgnoreUnknown} aside). */
    static final Set<String> CNI_ARGS_KEYS = Set.of("IP", "GATEWAY");

    /**
     * One address of the result.
     *
     * @param address the address with its prefix length (host bits kept)
     * @param gateway its gateway, when one is set
     */
    public record StaticAddress(IpPrefix address, Optional<InetAddress> gateway) {
        /** Checks that no component is null. */
        public StaticAddress {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(gateway, "gateway");
        }
    }

    /** Copies the lists. */
    public StaticConfig {
        Objects.requireNonNull(cniVersion, "cniVersion");
        addresses = List.copyOf(addresses);
        routes = List.copyOf(routes);
        Objects.requireNonNull(dns, "dns");
    }

    /** The keys static reads from the configuration (Go's {@code Net}). */
    record Net(Optional<IpamKeys> ipam, RuntimeKeys runtimeConfig, ArgsKeys args) {
    }

    /** {@code ipam}. */
    record IpamKeys(List<Optional<Route>> routes, List<AddressKeys> addresses, Dns dns) {
    }

    /** One of {@code ipam.addresses}. */
    record AddressKeys(String address, Optional<InetAddress> gateway) {
    }

    /** {@code runtimeConfig}. */
    record RuntimeKeys(List<String> ips) {
    }

    /** {@code args}. */
    record ArgsKeys(CniKeys cni) {
    }

    /** {@code args.cni}. */
    record CniKeys(List<String> ips) {
    }

    /** An address before validation: a configured one is parsed last, as in Go. */
    private record Pending(String text, Optional<GoCompat.Cidr> cidr, Optional<InetAddress> gateway) {
    }

    /**
     * Loads and validates the configuration.
     *
     * @param conf the configuration from stdin
     * @param cniArgs {@code CNI_ARGS} parsed
     * @return the configuration
     * @throws CniException code 6, 7 or 4 with Go's texts
     */
    public static StaticConfig load(NetConf conf, CniArgs cniArgs) {
        Net net = conf.bind(Net.class);
        if (net.ipam().isEmpty()) {
            throw invalid("IPAM config missing 'ipam' key");
        }
        IpamKeys ipam = net.ipam().get();
        List<Pending> pending = new ArrayList<>();
        for (AddressKeys a : ipam.addresses()) {
            pending.add(new Pending(a.address(), Optional.empty(), a.gateway()));
        }

        if (!cniArgs.pairs().isEmpty()) {
            try {
                cniArgs.checkKnown(CNI_ARGS_KEYS);
            } catch (IllegalArgumentException e) {
                throw new CniException(ErrorCodes.INVALID_ENVIRONMENT_VARIABLES, e.getMessage());
            }
            Optional<String> ip = cniArgs.get("IP").filter(s -> !s.isEmpty());
            if (ip.isPresent()) {
                for (String item : ip.get().split(",", -1)) {
                    String text = GoCompat.trimSpace(item);
                    GoCompat.Cidr c = GoCompat.parseCidr(text).orElseThrow(() ->
                            invalid("the 'ip' field is expected to be in CIDR notation, got: '" + text + "'"));
                    pending.add(new Pending(text, Optional.of(c), Optional.empty()));
                }
            }
            Optional<String> gw = cniArgs.get("GATEWAY").filter(s -> !s.isEmpty());
            if (gw.isPresent()) {
                for (String item : gw.get().split(",", -1)) {
                    InetAddress g = Ip.tryParse(GoCompat.trimSpace(item)).orElseThrow(() -> invalid("invalid gateway address: " + item));
                    // only the addresses parsed so far (those of IP=) can hold it: configured ones are parsed below
                    for (int i = 0; i < pending.size(); i++) {
                        Pending p = pending.get(i);
                        if (p.cidr().isPresent() && contains(p.cidr().get(), g)) {
                            pending.set(i, new Pending(p.text(), p.cidr(), Optional.of(g)));
                        }
                    }
                }
            }
        }

        if (!net.args().cni().ips().isEmpty()) {
            pending = replacing(net.args().cni().ips());
        }
        if (!net.runtimeConfig().ips().isEmpty()) {
            pending = replacing(net.runtimeConfig().ips());
        }

        List<StaticAddress> addresses = new ArrayList<>();
        int v4 = 0;
        int v6 = 0;
        for (Pending p : pending) {
            GoCompat.Cidr c = p.cidr().orElseGet(() -> GoCompat.parseCidr(p.text()).orElseThrow(() ->
                    invalid("the 'address' field is expected to be in CIDR notation, got: '" + p.text() + "'")));
            IpPrefix prefix = prefix(c, p.text());
            if (prefix.isIpv4()) {
                v4++;
            } else {
                v6++;
            }
            addresses.add(new StaticAddress(prefix, p.gateway()));
        }
        if ((v4 > 1 || v6 > 1) && !GoCompat.atLeast030(conf.cniVersion())) {
            throw invalid("CNI version " + conf.cniVersion() + " does not support more than 1 address per family");
        }
        List<Route> routes = new ArrayList<>();
        for (Optional<Route> r : ipam.routes()) {
            r.ifPresent(routes::add); // Go: a null route is dropped when the result is written
        }
        return new StaticConfig(conf.cniVersion(), addresses, routes, ipam.dns());
    }

    /** {@code args.cni.ips} or {@code runtimeConfig.ips}: the addresses, without gateways. */
    private static List<Pending> replacing(List<String> ips) {
        List<Pending> out = new ArrayList<>();
        for (String s : ips) {
            GoCompat.Cidr c = GoCompat.parseCidr(s).orElseThrow(() ->
                    invalid("an entry in the 'ips' field is NOT in CIDR notation, got: '" + s + "'"));
            out.add(new Pending(s, Optional.of(c), Optional.empty()));
        }
        return out;
    }

    /**
     * The address and prefix length; an IPv4 address written in IPv6 form ({@code ::ffff:10.1.2.3/120}),
     * whose mask is an IPv6 one, is refused (Go builds a result that mixes the two).
     */
    private static IpPrefix prefix(GoCompat.Cidr c, String text) {
        if (c.address().getAddress().length * 8 != c.maskBits()) {
            throw invalid("invalid address " + text + ": an IPv4 address with an IPv6 prefix length");
        }
        return new IpPrefix(c.address(), c.ones());
    }

    /** Go's {@code IPNet.Contains} over the subnet of an address. */
    static boolean contains(GoCompat.Cidr c, InetAddress ip) {
        if (c.address().getAddress().length != ip.getAddress().length) {
            return false;
        }
        return new IpPrefix(c.address(), Math.min(c.ones(), c.address().getAddress().length * 8)).contains(ip);
    }

    private static CniException invalid(String msg) {
        return new CniException(ErrorCodes.INVALID_NETWORK_CONFIG, msg);
    }
}
