package dev.jcni.sdk.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.types.CniArbitraries;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Dns;
import dev.jcni.sdk.types.ErrorCodes;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpConfig;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Route;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** Result conversion between the seven versions (cni-spec.md §4). */
class ConversionTest {

    static final List<String> V1 = List.of("1.0.0", "1.1.0");
    static final List<String> V04 = List.of("0.3.0", "0.3.1", "0.4.0");
    static final List<String> V02 = List.of("0.1.0", "0.2.0");

    @Provide
    Arbitrary<Result> results() {
        return CniArbitraries.convertibleResults();
    }

    @Provide
    Arbitrary<Result> anyResults() {
        return CniArbitraries.currentResults();
    }

    @Provide
    Arbitrary<String> versions() {
        return CniArbitraries.versions();
    }

    @Property
    void everyPairOfVersionsConverts(@ForAll("results") Result r, @ForAll("versions") String from, @ForAll("versions") String to) {
        Result atFrom = r.convertTo(from);
        Result atTo = atFrom.convertTo(to);
        assertEquals(to, atTo.cniVersion());
        assertEquals(atTo, Result.fromJson(atTo.toJson()), "what a version's JSON carries survives its round trip");
    }

    @Property
    void v11ToV10ToV11IsIdentity(@ForAll("anyResults") Result r) {
        assertEquals(r, r.convertTo("1.0.0").convertTo("1.1.0"));
    }

    @Property
    void v02ToV04ToV02IsIdentity(@ForAll("results") Result r) {
        Result at02 = r.convertTo("0.2.0");
        assertEquals(at02, at02.convertTo("0.4.0").convertTo("0.2.0"));
        assertEquals(at02, at02.convertTo("1.1.0").convertTo("0.2.0"));
    }

    @Property
    void downThenUpKeepsFirstAddressAndGatewayOfEachFamily(@ForAll("results") Result r, @ForAll("versions") String down) {
        Result back = r.convertTo(down).convertTo("1.1.0");
        for (boolean v4 : new boolean[] {true, false}) {
            Optional<IpConfig> first = r.ips().stream().filter(i -> i.isIpv4() == v4).findFirst();
            Optional<IpConfig> firstBack = back.ips().stream().filter(i -> i.isIpv4() == v4).findFirst();
            assertEquals(first.map(IpConfig::address), firstBack.map(IpConfig::address));
            assertEquals(first.flatMap(IpConfig::gateway), firstBack.flatMap(IpConfig::gateway));
        }
        assertEquals(r.dns(), back.dns(), "dns survives every conversion");
    }

    @Property
    void v1To04DropsOnlyInterfaceMtuSocketPathAndPciId(@ForAll("anyResults") Result r, @ForAll("v04") String to) {
        Result down = r.convertTo(to);
        assertEquals(r.ips(), down.ips());
        assertEquals(r.routes(), down.routes());
        assertEquals(r.dns(), down.dns());
        assertEquals(r.interfaces().size(), down.interfaces().size());
        for (int i = 0; i < r.interfaces().size(); i++) {
            Interface a = r.interfaces().get(i);
            assertEquals(new Interface(a.name(), a.mac(), 0, a.sandbox(), "", ""), down.interfaces().get(i));
        }
    }

    @Provide
    Arbitrary<String> v04() {
        return net.jqwik.api.Arbitraries.of(V04);
    }

    @Property
    void to02KeepsFirstOfEachFamilyAndDstGwRoutesOfThoseFamilies(@ForAll("results") Result r) {
        Result down = r.convertTo("0.2.0");
        assertTrue(down.interfaces().isEmpty());
        assertTrue(down.ips().size() <= 2);
        down.ips().forEach(i -> assertTrue(i.interfaceIndex().isEmpty()));
        for (Route route : down.routes()) {
            assertEquals(route.dstAndGwOnly(), route);
            assertTrue(down.ips().stream().anyMatch(i -> i.isIpv4() == route.dst().isIpv4()));
        }
        long v4Routes = r.routes().stream().filter(x -> x.dst().isIpv4()).count();
        boolean hasV4 = r.ips().stream().anyMatch(IpConfig::isIpv4);
        assertEquals(hasV4 ? v4Routes : 0, down.routes().stream().filter(x -> x.dst().isIpv4()).count());
    }

    @Test
    void to02WithoutAddressesFails() {
        for (String to : List.of("0.1.0", "0.2.0", "")) {
            CniException e = assertThrows(CniException.class, () -> Result.empty().convertTo(to));
            assertEquals("cannot convert: no valid IP addresses", e.msg());
            assertEquals(ErrorCodes.INTERNAL, e.code());
        }
        Result.empty().convertTo("0.3.0");
    }

    @Test
    void unknownVersionHasNoConverter() {
        CniException e = assertThrows(CniException.class, () -> Result.empty().convertTo("0.5.0"));
        assertEquals("no converter for CNI result version 1.1.0 to 0.5.0", e.msg());
    }

    @Test
    void from02RoutesAreFlattenedIp4First() {
        Result r = Result.fromJson("""
                {"cniVersion":"0.2.0","ip6":{"ip":"2001:db8::2/64","gateway":"2001:db8::1","routes":[{"dst":"::/0"}]},
                 "ip4":{"ip":"10.1.2.3/24","gateway":"10.1.2.1","routes":[{"dst":"0.0.0.0/0","gw":"10.1.2.1"}]},
                 "dns":{"nameservers":["8.8.8.8"]}}""".getBytes(StandardCharsets.UTF_8));
        Result up = r.convertTo("0.4.0");
        assertEquals(List.of(IpConfig.of(IpPrefix.parse("10.1.2.3/24"), Ip.parse("10.1.2.1")),
                IpConfig.of(IpPrefix.parse("2001:db8::2/64"), Ip.parse("2001:db8::1"))), up.ips());
        assertEquals(List.of(Route.of(IpPrefix.parse("0.0.0.0/0"), Ip.parse("10.1.2.1")), Route.of(IpPrefix.parse("::/0"))), up.routes());
        assertTrue(up.interfaces().isEmpty());
        assertEquals(List.of("8.8.8.8"), up.dns().nameservers());
    }

    @Test
    void exactJsonPerVersion() {
        Result r = new Result("1.1.0",
                List.of(Interface.host("br0", "aa:bb:cc:dd:ee:ff"), new Interface("eth0", "0a:58:0a:01:02:03", 1450, "/run/netns/x", "/s", "0000:00:01.0")),
                List.of(IpConfig.of(IpPrefix.parse("10.1.2.3/24"), Ip.parse("10.1.2.1")).withInterface(1),
                        new IpConfig(OptionalInt.of(0), IpPrefix.parse("2001:db8::3/64"), Optional.empty())),
                List.of(new Route(IpPrefix.parse("0.0.0.0/0"), Optional.of(Ip.parse("10.1.2.1")), 1400, 1360, 10,
                        OptionalInt.of(0), OptionalInt.of(253))),
                new Dns(List.of("10.1.2.1"), "cluster.local", List.of("a"), List.of("ndots:5")));
        assertEquals("{\"cniVersion\":\"1.1.0\",\"interfaces\":[{\"name\":\"br0\",\"mac\":\"aa:bb:cc:dd:ee:ff\"},"
                + "{\"name\":\"eth0\",\"mac\":\"0a:58:0a:01:02:03\",\"mtu\":1450,\"sandbox\":\"/run/netns/x\",\"socketPath\":\"/s\",\"pciID\":\"0000:00:01.0\"}],"
                + "\"ips\":[{\"interface\":1,\"address\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\"},{\"interface\":0,\"address\":\"2001:db8::3/64\"}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.2.1\",\"mtu\":1400,\"advmss\":1360,\"priority\":10,\"table\":0,\"scope\":253}],"
                + "\"dns\":{\"nameservers\":[\"10.1.2.1\"],\"domain\":\"cluster.local\",\"search\":[\"a\"],\"options\":[\"ndots:5\"]}}",
                json(r));
        assertEquals("{\"cniVersion\":\"0.4.0\",\"interfaces\":[{\"name\":\"br0\",\"mac\":\"aa:bb:cc:dd:ee:ff\"},"
                + "{\"name\":\"eth0\",\"mac\":\"0a:58:0a:01:02:03\",\"sandbox\":\"/run/netns/x\"}],"
                + "\"ips\":[{\"version\":\"4\",\"interface\":1,\"address\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\"},"
                + "{\"version\":\"6\",\"interface\":0,\"address\":\"2001:db8::3/64\"}],"
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.2.1\",\"mtu\":1400,\"advmss\":1360,\"priority\":10,\"table\":0,\"scope\":253}],"
                + "\"dns\":{\"nameservers\":[\"10.1.2.1\"],\"domain\":\"cluster.local\",\"search\":[\"a\"],\"options\":[\"ndots:5\"]}}",
                json(r.convertTo("0.4.0")));
        assertEquals("{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\","
                + "\"routes\":[{\"dst\":\"0.0.0.0/0\",\"gw\":\"10.1.2.1\"}]},\"ip6\":{\"ip\":\"2001:db8::3/64\"},"
                + "\"dns\":{\"nameservers\":[\"10.1.2.1\"],\"domain\":\"cluster.local\",\"search\":[\"a\"],\"options\":[\"ndots:5\"]}}",
                json(r.convertTo("0.2.0")));
    }

    @Test
    void emptyDnsIsOmittedIn1xAndWrittenIn0x() {
        Result r = Result.empty().withIps(List.of(IpConfig.of(IpPrefix.parse("10.0.0.2/8"))));
        assertEquals("{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"10.0.0.2/8\"}]}", json(r));
        assertEquals("{\"cniVersion\":\"0.3.1\",\"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.2/8\"}],\"dns\":{}}", json(r.convertTo("0.3.1")));
        assertEquals("{\"cniVersion\":\"0.1.0\",\"ip4\":{\"ip\":\"10.0.0.2/8\"},\"dns\":{}}", json(r.convertTo("0.1.0")));
    }

    @Test
    void resultWithoutVersionIsRead020() {
        Result r = Result.fromJson("{\"ip4\":{\"ip\":\"10.0.0.2/8\"}}".getBytes(StandardCharsets.UTF_8));
        assertEquals("", r.cniVersion());
        assertEquals(1, r.ips().size());
    }

    @Test
    void decodeErrorsNameTheValue() {
        CniException e = assertThrows(CniException.class, () -> Result.fromJson(
                "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2\"}]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCodes.DECODING_FAILURE, e.code());
        assertEquals("failed to decode result: invalid CIDR address: 10.0.0.2", e.msg());
        e = assertThrows(CniException.class, () -> Result.fromJson(
                "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/8\",\"gateway\":\"x\"}]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("failed to decode result: invalid IP address: x", e.msg());
        e = assertThrows(CniException.class, () -> Result.fromJson("{\"cniVersion\":\"7.0.0\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("failed to decode result: unsupported CNI result version \"7.0.0\"", e.msg());
    }

    static String json(Result r) {
        return new String(r.toJson(), StandardCharsets.UTF_8);
    }
}
