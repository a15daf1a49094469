package dev.jcni.plugins.bridge;

import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.ip.Parity;
import dev.jcni.plugins.ip.Parity.Impl;
import dev.jcni.sdk.testsupport.KernelTest;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jcni's bridge against Go's v1.1.1 (/usr/lib/cni/bridge) on a table of configurations: equal
 * results (MACs and veth names masked), container state, host state, host-local store and firewall
 * lines; and each implementation's DEL cleans up the other's ADD.
 *
 * <p>Not in the table because v1.1.1 lacks them (jcni follows HEAD, see docs/bridge.md):
 * {@code portIsolation}, {@code vlanTrunk}, {@code preserveDefaultVlan}, {@code disableContainerInterface},
 * {@code ipMasqBackend: nftables}, cniVersion 1.1.0. Differences that v1.1.1 shows and the
 * comparison masks: the veth queue length (v1.1.1 forces 0, HEAD keeps the kernel default), and
 * {@code keep_addr_on_down} (HEAD sets it; sysctls are not compared).
 */
@KernelTest
class BridgeParityIT {
    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("gateway, default gateway, dual stack, ipMasq (1.0.0)", (Function<Fixture, String>) f ->
                        f.conf("1.0.0", "bridge", "\"isGateway\":true,\"isDefaultGateway\":true,\"ipMasq\":true", f.ipamDual(null))),
                Arguments.of("gateway, hairpin, mtu 1400 (0.4.0)", (Function<Fixture, String>) f ->
                        f.conf("0.4.0", "bridge", "\"isGateway\":true,\"hairpinMode\":true,\"mtu\":1400", f.ipam4())),
                Arguments.of("no gateway, IPAM routes (0.3.1)", (Function<Fixture, String>) f ->
                        f.conf("0.3.1", "bridge", "", f.ipamDual("[{\"dst\":\"192.0.2.128/25\"}]"))),
                Arguments.of("L2 with a promiscuous bridge (1.0.0)", (Function<Fixture, String>) f ->
                        f.conf("1.0.0", "bridge", "\"promiscMode\":true", null)),
                Arguments.of("macspoofchk, runtimeConfig mac, dns (1.0.0)", (Function<Fixture, String>) f ->
                        f.conf("1.0.0", "bridge", "\"macspoofchk\":true,\"runtimeConfig\":{\"mac\":\"02:42:0a:00:00:09\"},"
                                + "\"dns\":{\"nameservers\":[\"10.9.9.9\"]}", f.ipam4())),
                Arguments.of("enabledad, dual stack (1.0.0)", (Function<Fixture, String>) f ->
                        f.conf("1.0.0", "bridge", "\"enabledad\":true,\"isGateway\":true", f.ipamDual(null))),
                Arguments.of("dual stack as 0.2.0 (ip4/ip6 result)", (Function<Fixture, String>) f ->
                        f.conf("0.2.0", "bridge", "\"isDefaultGateway\":true", f.ipamDual(null))),
                Arguments.of("IPv6 only, default gateway (1.0.0)", (Function<Fixture, String>) f ->
                        f.conf("1.0.0", "bridge", "\"isDefaultGateway\":true", "{\"type\":\"host-local\",\"dataDir\":\"" + f.dataDir
                                + "\",\"ranges\":[[{\"subnet\":\"" + f.subnet6 + "\"}]]}")),
                Arguments.of("IPAM's default route with a gateway wins over isDefaultGateway (1.0.0)", (Function<Fixture, String>) f ->
                        f.conf("1.0.0", "bridge", "\"isDefaultGateway\":true", f.ipamDual("[{\"dst\":\"0.0.0.0/0\",\"gw\":\""
                                + f.prefix4 + "254\"}]"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void sameAsGo(String name, Function<Fixture, String> config) {
        compare(Impl.JCNI, config);
    }

    /** The same table with jcni's host-local under jcni's plugin: what an operator who replaces every plugin gets. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void wholeJcniStackSameAsGo(String name, Function<Fixture, String> config) {
        compare(Impl.JCNI_STACK, config);
    }

    static void compare(Impl jcniImpl, Function<Fixture, String> config) {
        Parity.compareWithGo(jcniImpl, "bridge", config);
    }
}
