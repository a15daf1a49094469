package dev.jcni.plugins.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jcni's tuning against Go's v1.1.1 ({@code /usr/lib/cni/tuning}) on a table of configurations:
 * the same result, the same link and sysctls after ADD, CHECK passing on both, the same link after DEL
 * (Go does not restore sysctls, jcni does: after DEL only the link attributes are compared), and each
 * one's DEL restores the other's ADD through the shared file. v1.1.1 has no {@code txQLen}, and its
 * CHECK does not replace {@code IFNAME} in a sysctl key (it fails on such a configuration): Go's CHECK
 * runs only on configurations without one.
 */
@KernelTest
class TuningParityIT {
    @BeforeEach
    void goPlugins() {
        Kernel.assumeGoPlugins();
    }

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("everything v1.1.1 has (1.0.0)", "1.0.0", "\"sysctl\":{\"net.core.somaxconn\":\"512\","
                        + "\"net.ipv4.conf.IFNAME.arp_filter\":\"1\"},\"mac\":\"c2:b0:57:49:47:f1\",\"mtu\":1300,\"promisc\":true,\"allmulti\":true"),
                Arguments.of("sysctls only (0.4.0)", "0.4.0", "\"sysctl\":{\"net.ipv4.conf.IFNAME.rp_filter\":\"2\",\"net.core.somaxconn\":\"1024\"}"),
                Arguments.of("allmulti off, mtu (0.3.1)", "0.3.1", "\"allmulti\":false,\"mtu\":9000"),
                Arguments.of("args.cni override (1.0.0)", "1.0.0", "\"mtu\":1300,\"sysctl\":{\"net.core.somaxconn\":\"600\"},\"args\":{\"cni\":{\"mtu\":1280,\"promisc\":true,"
                        + "\"mac\":\"02:11:22:33:44:55\",\"sysctl\":{\"net.core.somaxconn\":\"700\"}}}"),
                Arguments.of("mac capability (1.0.0)", "1.0.0", "\"runtimeConfig\":{\"mac\":\"02:11:22:33:44:66\"}"));
    }

    record Outcome(Result result, List<String> afterAdd, List<String> linkAfterDel) {
    }

    static Dist.Run run(boolean go, String command, Rig rig, String conf) {
        return go ? Fixture.go("tuning", command, rig.env(), conf) : Fixture.jcni("tuning", command, rig.env(), conf);
    }

    static Outcome outcome(boolean go, String version, String fields) {
        try (Rig rig = new Rig()) {
            String conf = rig.conf(version, fields);
            Dist.Run add = run(go, "ADD", rig, conf);
            assertEquals(0, add.exitCode(), add.stdout());
            Result r = add.result();
            List<String> afterAdd = rig.state();
            // v1.1.1's CHECK does not replace IFNAME (it looks for .../conf/IFNAME/...): fixed after it
            if (!version.startsWith("0.3") && !(go && fields.contains("IFNAME"))) {
                run(go, "CHECK", rig, Fixture.withPrev(conf, r)).assertQuietSuccess();
            }
            run(go, "DEL", rig, conf).assertQuietSuccess();
            assertEquals(List.of(), rig.files(), (go ? "Go" : "jcni") + " DEL removes its file");
            r = r.withInterfaces(r.interfaces().stream().map(i -> new Interface(i.name(), i.mac().equals(rig.mac) ? "ORIGINAL" : i.mac(),
                    i.mtu(), i.sandbox().equals(rig.ns.path().toString()) ? "NETNS" : i.sandbox(), i.socketPath(), i.pciID())).toList());
            return new Outcome(r, afterAdd.stream().map(l -> l.replace(rig.mac, "ORIGINAL")).toList(),
                    rig.state().subList(0, 4).stream().map(l -> l.replace(rig.mac, "ORIGINAL")).toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void sameAsGo(String name, String version, String fields) {
        Outcome go = outcome(true, version, fields);
        Outcome jcni = outcome(false, version, fields);
        assertEquals(go.result(), jcni.result(), "result");
        assertEquals(go.afterAdd(), jcni.afterAdd(), "link and sysctls after ADD");
        assertEquals(go.linkAfterDel(), jcni.linkAfterDel(), "link after DEL");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void eachDelRestoresTheOthersAdd(String name, String version, String fields) {
        for (boolean goAdds : new boolean[] {true, false}) {
            try (Rig rig = new Rig()) {
                List<String> before = rig.state().subList(0, 4);
                String conf = rig.conf(version, fields);
                assertEquals(0, run(goAdds, "ADD", rig, conf).exitCode());
                if (fields.contains("mtu") || fields.contains("mac")) {
                    assertNotEquals(before, rig.state().subList(0, 4));
                }
                run(!goAdds, "DEL", rig, conf).assertQuietSuccess();
                assertEquals(before, rig.state().subList(0, 4), (goAdds ? "Go ADD, jcni DEL" : "jcni ADD, Go DEL") + ": the link as before");
                assertEquals(List.of(), rig.files());
            }
        }
    }
}
