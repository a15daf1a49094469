package dev.jcni.plugins.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.bandwidth.BwRig.Impl;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * jcni's bandwidth against Go's v1.1.1 (/usr/lib/cni/bandwidth) on a table of configurations, each
 * on a veth pair made by the test: the same result (the ifb's MAC masked) and the same tc state as
 * iproute2 shows it (qdiscs and filters of the host veth, the ifb link and its qdisc); each one's
 * CHECK passes on the other's state; each one's DEL after the other's ADD removes the ifb.
 */
@KernelTest
class BandwidthParityIT {

    static Result normalise(Result r) {
        List<Interface> ifs = new ArrayList<>();
        for (Interface i : r.interfaces()) {
            ifs.add(i.withMac(i.mac().isEmpty() ? "" : "MAC"));
        }
        return r.withInterfaces(ifs);
    }

    record Snapshot(Result result, List<String> tc) {
    }

    static Snapshot add(BwRig rig, Impl impl, String conf) {
        Dist.Run r = rig.run(impl, "ADD", conf);
        return new Snapshot(normalise(r.result()), rig.tcState());
    }

    /** CHECK exists from 0.4.0 on. */
    static void check(BwRig rig, Impl impl, String conf, String version) {
        if (!version.startsWith("0.3")) {
            rig.run(impl, "CHECK", conf).assertQuietSuccess();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ingress and egress (1.0.0)|1.0.0|\"ingressRate\":8000000,\"ingressBurst\":80000,\"egressRate\":16000000,\"egressBurst\":160000",
        "ingress only (0.4.0)|0.4.0|\"ingressRate\":1000000,\"ingressBurst\":50000",
        "egress only (0.3.1)|0.3.1|\"egressRate\":123456789,\"egressBurst\":987654",
        "runtimeConfig capability (1.0.0)|1.0.0|\"runtimeConfig\":{\"bandwidth\":{\"ingressRate\":2000000,\"ingressBurst\":40000,"
            + "\"egressRate\":3000000,\"egressBurst\":60000}}",
        "top-level keys win over runtimeConfig (1.0.0)|1.0.0|\"ingressRate\":4000000,\"ingressBurst\":40000,"
            + "\"runtimeConfig\":{\"bandwidth\":{\"egressRate\":3000000,\"egressBurst\":60000}}",
        "rate above 32 bits of bytes (1.0.0)|1.0.0|\"ingressRate\":40000000000,\"ingressBurst\":8000000",
        "no limits: prevResult unchanged (1.0.0)|1.0.0|\"runtimeConfig\":{\"bandwidth\":{}}",
    })
    void sameResultAndTcStateAsGo(String name, String version, String fields) {
        Snapshot go;
        Snapshot jcni;
        try (BwRig rig = new BwRig()) {
            String conf = rig.conf(version, fields);
            go = add(rig, Impl.GO, conf);
            check(rig, Impl.JCNI, conf, version);
            rig.run(Impl.JCNI, "DEL", conf).assertQuietSuccess();
            assertEquals(List.of(), rig.leftovers(), "jcni's DEL after Go's ADD");

            jcni = add(rig, Impl.JCNI, conf);
            check(rig, Impl.GO, conf, version);
            check(rig, Impl.JCNI, conf, version);
            rig.run(Impl.GO, "DEL", conf).assertQuietSuccess();
            assertTrue(rig.ifbs().isEmpty(), "Go's DEL after jcni's ADD removes the ifb: " + rig.ifbs());
        }
        assertEquals(go.result(), jcni.result(), name);
        assertEquals(go.tc(), jcni.tc(), name);
    }
}
