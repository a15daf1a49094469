package dev.jcni.plugins.ptp;

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
 * jcni's ptp against Go's v1.1.1 (/usr/lib/cni/ptp) on a table of configurations: equal
 * results (MACs and veth names masked), container state, host state, host-local store and firewall
 * lines; and each implementation's DEL cleans up the other's ADD.
 *
 * <p>v1.1.1 has no {@code ipMasqBackend} (nftables) and rejects cniVersion 1.1.0; its IPv6 DAD wait
 * was 10 s and ignored (HEAD: 5 s, errors returned); sysctls are not compared.
 */
@KernelTest
class PtpParityIT {
    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("dual stack, ipMasq, default route (1.0.0)", (Function<Fixture, String>) f ->
                        f.conf("1.0.0", "ptp", "\"ipMasq\":true", f.ipamDual("[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"::/0\"}]"))),
                Arguments.of("mtu 1400 (0.3.1)", (Function<Fixture, String>) f -> f.conf("0.3.1", "ptp", "\"mtu\":1400", f.ipam4())),
                Arguments.of("dns override (0.4.0)", (Function<Fixture, String>) f ->
                        f.conf("0.4.0", "ptp", "\"dns\":{\"nameservers\":[\"10.9.9.9\"],\"domain\":\"x\"}", f.ipam4())),
                Arguments.of("IPv6 only (1.0.0)", (Function<Fixture, String>) f ->
                        f.conf("1.0.0", "ptp", "", "{\"type\":\"host-local\",\"dataDir\":\"" + f.dataDir
                                + "\",\"ranges\":[[{\"subnet\":\"" + f.subnet6 + "\"}]]}")),
                Arguments.of("dual stack as 0.2.0 (ip4/ip6 result)", (Function<Fixture, String>) f ->
                        f.conf("0.2.0", "ptp", "\"ipMasq\":true", f.ipamDual(null))));
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
        Parity.compareWithGo(jcniImpl, "ptp", config);
    }
}
