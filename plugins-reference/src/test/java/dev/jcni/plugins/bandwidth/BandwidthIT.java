package dev.jcni.plugins.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netns.NetNs;
import dev.jcni.plugins.Dist;
import dev.jcni.plugins.bandwidth.BwRig.Impl;
import dev.jcni.sdk.testing.PluginHarness;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged bandwidth plugin on a veth pair of the test (in a namespace standing in for the
 * host): ADD, CHECK, DEL and what they leave; CHECK finding changed state; bad input; rollback of a
 * failed ADD.
 */
@KernelTest
class BandwidthIT {
    static final String BOTH = "\"ingressRate\":8000000,\"ingressBurst\":80000,\"egressRate\":16000000,\"egressBurst\":160000";

    @Test
    void addCheckDelLeaveNothing() {
        try (BwRig rig = new BwRig()) {
            String conf = rig.conf("1.0.0", BOTH);
            Result r = rig.run(Impl.JCNI, "ADD", conf).result();
            Interface ifb = r.interfaces().get(2);
            assertEquals(rig.ifb(), ifb.name());
            assertTrue(ifb.mac().matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}"), ifb.mac());
            assertEquals("", ifb.sandbox());
            assertEquals(List.of(rig.ifb()), rig.ifbs());
            String state = String.join("\n", rig.tcState());
            assertTrue(state.contains("\"rate\":1000000") && state.contains("\"rate\":2000000"), state);
            assertTrue(state.contains("\"to_dev\":\"" + rig.ifb() + "\""), state);

            rig.run(Impl.JCNI, "CHECK", conf).assertQuietSuccess();
            rig.run(Impl.JCNI, "DEL", conf).assertQuietSuccess();
            assertEquals(List.of(), rig.leftovers());
            rig.run(Impl.JCNI, "DEL", conf).assertQuietSuccess();
            // the container gone: DEL still succeeds
            Dist.Run gone = Dist.run(List.of("ip", "netns", "exec", rig.host.name(), Impl.JCNI.exe().toString()),
                    withNetns(rig, "/var/run/netns/jcni-bw-absent"), conf);
            gone.assertQuietSuccess();
        }
    }

    static Map<String, String> withNetns(BwRig rig, String netns) {
        Map<String, String> e = rig.env("DEL");
        e.put("CNI_NETNS", netns);
        return e;
    }

    /** The last column: Go v1.1.1's CHECK on the same state ("passes" where Go does not see the change). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "tbf removed from the ifb|tc qdisc del dev IFB root|Failed to find qdisc|passes",
        "tbf removed from the veth|tc qdisc del dev VETH root|Failed to find qdisc|passes",
        "ingress rate changed|tc qdisc replace dev VETH root handle 1: tbf rate 4mbit burst 10000 latency 25ms|Rate doesn't match"
            + "|Rate doesn't match",
        "ifb deleted|ip link del IFB|get ifb device: Link not found|get ifb device: Link not found",
        "redirect removed|tc qdisc del dev VETH ingress|no redirect of VETH ingress to IFB|passes",
    })
    void checkFindsChangedState(String name, String change, String msg, String go) {
        try (BwRig rig = new BwRig()) {
            String conf = rig.conf("1.0.0", BOTH);
            rig.run(Impl.JCNI, "ADD", conf).result();
            rig.host.exec(change.replace("IFB", rig.ifb()).replace("VETH", rig.hostVeth).split(" ")).ok();
            CniException e = rig.run(Impl.JCNI, "CHECK", conf).error();
            assertEquals(msg.replace("IFB", rig.ifb()).replace("VETH", rig.hostVeth), e.msg());
            assertEquals(999, e.code());
            Dist.Run g = rig.run(Impl.GO, "CHECK", conf);
            if (go.equals("passes")) {
                g.assertQuietSuccess();
            } else {
                assertEquals(go, g.error().msg());
            }
            rig.run(Impl.JCNI, "DEL", conf).assertQuietSuccess();
            assertEquals(List.of(), rig.leftovers());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "rate without burst|\"ingressRate\":1000|7|if rate is set, burst must also be set|go",
        "burst without rate|\"egressBurst\":1000|7|if burst is set, rate must also be set|go",
        "runtimeConfig rate without burst|\"runtimeConfig\":{\"bandwidth\":{\"egressRate\":1000}}|7|if rate is set, burst must also be set|go",
        "burst of 4 GiB|\"ingressRate\":1000,\"ingressBurst\":34359738368|7|burst cannot be more than 4GB|go",
        "negative rate|\"ingressRate\":-1,\"ingressBurst\":1000|6|failed to parse network configuration: json: cannot unmarshal number -1"
            + " into Go struct field BandwidthEntry.ingressRate of type uint64|",
        "rate as a string|\"ingressRate\":\"fast\"|6||",
    })
    void badInputFailsWithTheCodeAndLeavesNothing(String name, String fields, int code, String msg, String goToo) {
        try (BwRig rig = new BwRig()) {
            String conf = rig.conf("1.0.0", fields);
            for (String cmd : List.of("ADD", "DEL")) {
                Dist.Run r = rig.run(Impl.JCNI, cmd, conf);
                CniException e = r.error();
                assertEquals(code, e.code(), r.toString());
                if (msg != null) {
                    assertEquals(msg, e.msg());
                }
                assertFalse(r.stdout().contains("Exception"), r.stdout());
                if ("go".equals(goToo)) {
                    assertEquals(msg, rig.run(Impl.GO, cmd, conf).error().msg(), "Go v1.1.1 says the same");
                }
            }
            assertEquals(List.of(), rig.leftovers());
        }
    }

    @Test
    void limitsWithoutPrevResultOrVethFail() {
        try (BwRig rig = new BwRig()) {
            String noPrev = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + rig.network + "\",\"type\":\"bandwidth\"," + BOTH + "}";
            CniException e = rig.run(Impl.JCNI, "ADD", noPrev).error();
            assertEquals(7, e.code());
            assertEquals("must be called as chained plugin", e.msg());
            // Go v1.1.1 crashes on an ADD without limits and without prevResult; jcni reports it
            String bare = "{\"cniVersion\":\"1.0.0\",\"name\":\"" + rig.network + "\",\"type\":\"bandwidth\"}";
            assertEquals("must be called as chained plugin", rig.run(Impl.JCNI, "ADD", bare).error().msg());

            Map<String, String> env = rig.env("ADD");
            env.put("CNI_IFNAME", "eth9");
            Dist.Run r = Dist.run(List.of("ip", "netns", "exec", rig.host.name(), Impl.JCNI.exe().toString()), env,
                    rig.conf("1.0.0", BOTH));
            assertEquals(999, r.error().code());
            assertTrue(r.error().msg().startsWith("container interface eth9 has no veth peer: "), r.error().msg());
            assertEquals(List.of(), rig.leftovers());
        }
    }

    @Test
    void noLimitsPassThePrevResultThrough() {
        try (BwRig rig = new BwRig()) {
            String conf = rig.conf("1.0.0", "\"ingressRate\":0,\"ingressBurst\":0");
            Result r = rig.run(Impl.JCNI, "ADD", conf).result();
            assertEquals(2, r.interfaces().size());
            assertEquals(List.of(), rig.leftovers());
        }
    }

    /** An ifb of that name exists already: the ifb cannot be made and the veth's tbf, made before, is removed. */
    @Test
    void failedAddRemovesWhatItMade() {
        try (BwRig rig = new BwRig()) {
            rig.host.exec("ip", "link", "add", rig.ifb(), "type", "ifb").ok();
            CniException e = rig.run(Impl.JCNI, "ADD", rig.conf("1.0.0", BOTH)).error();
            assertEquals(999, e.code());
            assertTrue(e.msg().startsWith("adding link: "), e.msg());
            assertEquals(List.of(rig.ifb()), rig.leftovers(), "the veth has no tbf left; the ifb is the test's own");
        }
    }

    /** A failure injected after each piece: nothing is left. */
    @ParameterizedTest
    @ValueSource(strings = {"ingress-tbf", "ifb", "ingress-qdisc", "filter", "egress-tbf"})
    void rollbackAtEachStep(String point) throws Exception {
        try (BwRig rig = new BwRig(); NetNs host = NetNs.get(rig.host.path().toString())) {
            Bandwidth plugin = new Bandwidth(p -> {
                if (p.equals(point)) {
                    throw new IllegalStateException("injected at " + p);
                }
            });
            PluginHarness.Outcome o = host.call(() -> {
                PluginHarness h = PluginHarness.of(plugin);
                for (Map.Entry<String, String> en : rig.env("ADD").entrySet()) {
                    h = h.env(en.getKey(), en.getValue());
                }
                return h.run("ADD", rig.conf("1.0.0", BOTH));
            });
            assertFalse(o.succeeded(), o.stdout());
            assertTrue(o.error().msg().contains("injected at " + point), o.stdout());
            assertEquals(List.of(), rig.leftovers());
        }
    }

    @Test
    void versionsAreGosFrom030AndAnOlderConfigIsRefused() {
        try (BwRig rig = new BwRig()) {
            String v = "{\"cniVersion\":\"1.0.0\"}";
            List<String> go = dev.jcni.sdk.version.PluginInfo.fromJson(
                    rig.run(Impl.GO, "VERSION", v).stdout().getBytes()).supportedVersions();
            List<String> jcni = dev.jcni.sdk.version.PluginInfo.fromJson(
                    rig.run(Impl.JCNI, "VERSION", v).stdout().getBytes()).supportedVersions();
            List<String> goPlus11 = new java.util.ArrayList<>(go);
            goPlus11.add("1.1.0");
            assertEquals(goPlus11, jcni, "Go v1.1.1 predates 1.1.0");
            String old = "{\"cniVersion\":\"0.2.0\",\"name\":\"" + rig.network + "\",\"type\":\"bandwidth\"," + BOTH + "}";
            assertEquals(1, rig.run(Impl.JCNI, "ADD", old).error().code());
            assertEquals(1, rig.run(Impl.GO, "ADD", old).error().code());
            assertEquals(List.of(), rig.leftovers());
        }
    }
}
