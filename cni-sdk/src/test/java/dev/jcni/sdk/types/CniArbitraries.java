package dev.jcni.sdk.types;

import dev.jcni.sdk.version.SpecVersions;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** jqwik generators for the CNI data model. */
public final class CniArbitraries {
    private CniArbitraries() {
    }

    /** @return IPv4 and IPv6 addresses, including IPv4-mapped-looking and all-zero ones */
    public static Arbitrary<InetAddress> ips() {
        return Arbitraries.oneOf(ipv4(), ipv6());
    }

    /** @return IPv4 addresses */
    public static Arbitrary<InetAddress> ipv4() {
        return Arbitraries.bytes().array(byte[].class).ofSize(4).map(Ip::fromBytes);
    }

    /** @return IPv6 addresses (never IPv4-mapped), with runs of zero groups */
    public static Arbitrary<InetAddress> ipv6() {
        Arbitrary<Integer> group = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 0xffff)));
        return group.list().ofSize(8).map(gs -> {
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[2 * i] = (byte) (gs.get(i) >> 8);
                b[2 * i + 1] = (byte) (int) gs.get(i);
            }
            if (b[10] == (byte) 0xff && b[11] == (byte) 0xff && allZero(b, 0, 10)) {
                b[0] = 0x20;
            }
            return Ip.fromBytes(b);
        });
    }

    private static boolean allZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** @return prefixes of both families (host bits kept) */
    public static Arbitrary<IpPrefix> prefixes() {
        return ips().flatMap(ip -> Arbitraries.integers().between(0, ip.getAddress().length * 8)
                .map(n -> new IpPrefix(ip, n)));
    }

    /** @return prefixes of one family */
    public static Arbitrary<IpPrefix> prefixes(boolean v4) {
        return (v4 ? ipv4() : ipv6()).flatMap(ip -> Arbitraries.integers().between(0, ip.getAddress().length * 8)
                .map(n -> new IpPrefix(ip, n)));
    }

    static Arbitrary<String> names() {
        return Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(1).ofMaxLength(12);
    }

    static Arbitrary<String> optionalText() {
        return Arbitraries.oneOf(Arbitraries.just(""), Arbitraries.strings().alpha().numeric().withChars(":/.-").ofMaxLength(20));
    }

    /** @return interfaces with every field sometimes set */
    public static Arbitrary<Interface> interfaces() {
        return Combinators.combine(names(), optionalText(), Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(68, 65535)),
                optionalText(), optionalText(), optionalText()).as(Interface::new);
    }

    /**
     * @param interfaceCount how many interfaces the result has
     * @return ip configs, sometimes with interface index and gateway
     */
    public static Arbitrary<IpConfig> ipConfigs(int interfaceCount) {
        Arbitrary<OptionalInt> idx = interfaceCount == 0 ? Arbitraries.just(OptionalInt.empty())
                : Arbitraries.oneOf(Arbitraries.just(OptionalInt.empty()),
                        Arbitraries.integers().between(-1, interfaceCount - 1).map(OptionalInt::of));
        return Arbitraries.of(true, false).flatMap(v4 -> Combinators.combine(idx, prefixes(v4),
                Arbitraries.oneOf(Arbitraries.just(Optional.<InetAddress>empty()), (v4 ? ipv4() : ipv6()).map(Optional::of)))
                .as(IpConfig::new));
    }

    /** @return routes with every field sometimes set */
    public static Arbitrary<Route> routes() {
        Arbitrary<OptionalInt> optInt = Arbitraries.oneOf(Arbitraries.just(OptionalInt.empty()),
                Arbitraries.integers().between(0, 255).map(OptionalInt::of));
        Arbitrary<Integer> smallInt = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 9000));
        return Arbitraries.of(true, false).flatMap(v4 -> Combinators.combine(prefixes(v4),
                Arbitraries.oneOf(Arbitraries.just(Optional.<InetAddress>empty()), (v4 ? ipv4() : ipv6()).map(Optional::of)),
                smallInt, smallInt, smallInt, optInt, optInt).as(Route::new));
    }

    /** @return DNS settings */
    public static Arbitrary<Dns> dns() {
        Arbitrary<List<String>> list = names().list().ofMaxSize(3);
        return Combinators.combine(list, Arbitraries.oneOf(Arbitraries.just(""), names()), list, list).as(Dns::new);
    }

    /** @return results of the current version */
    public static Arbitrary<Result> currentResults() {
        return interfaces().list().ofMaxSize(3).flatMap(itfs -> Combinators.combine(
                ipConfigs(itfs.size()).list().ofMaxSize(4), routes().list().ofMaxSize(4), dns())
                .as((ips, routes, dns) -> new Result(SpecVersions.CURRENT, itfs, ips, routes, dns)));
    }

    /** @return results that have at least one address (convertible to every version) */
    public static Arbitrary<Result> convertibleResults() {
        return currentResults().filter(r -> !r.ips().isEmpty());
    }

    /** @return the seven versions */
    public static Arbitrary<String> versions() {
        return Arbitraries.of(SpecVersions.ALL);
    }
}
