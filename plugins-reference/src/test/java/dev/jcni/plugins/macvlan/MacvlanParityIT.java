package dev.jcni.plugins.macvlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.macvlan.MvRig.Impl;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Result;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * jcni's macvlan against Go's v1.1.1 (/usr/lib/cni/macvlan), both with Go's host-local, in a host
 * namespace of the test whose master is a veth end of the test: for the same configuration each
 * prints the same result (MACs masked where the kernel picks them) and leaves the same container
 * (link kind, mode, MTU, MAC, addresses, routes); CHECK passes; DEL leaves nothing, and each DELs
 * what the other ADDed.
 */
@KernelTest
class MacvlanParityIT {
    private MvRig rig;

    @BeforeEach
    void setUp() {
        Kernel.assumeGoPlugins();
        rig = new MvRig();
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    /** A named case: the configuration and CNI_ARGS. */
    private record Case(String conf, String cniArgs) {
    }

    private Case of(String which) {
        return switch (which) {
            case "bridge-ipam-runtime-mac" -> new Case(rig.conf("1.0.0", "\"master\":\"m0\",\"mtu\":1400,"
                    + "\"runtimeConfig\":{\"mac\":\"0a:58:0a:00:00:07\"}", rig.ipam(false)), "");
            case "private-l2-args-mac" -> new Case(rig.conf("1.0.0", "\"master\":\"m0\",\"mode\":\"private\"", null),
                    "IgnoreUnknown=1;MAC=0a:58:0a:00:00:08");
            case "vepa-dual-stack" -> new Case(rig.conf("0.4.0", "\"master\":\"m0\",\"mode\":\"vepa\",\"mac\":\"0a:58:0a:00:00:09\"",
                    rig.ipam(true)), "");
            case "passthru-v0.3.1" -> new Case(rig.conf("0.3.1", "\"master\":\"m0\",\"mode\":\"passthru\"", rig.ipam(false)), "");
            case "default-route-master" -> new Case(rig.conf("1.0.0", "\"dns\":{\"nameservers\":[\"10.0.0.53\"]}", rig.ipam(false)), "");
            default -> throw new AssertionError(which);
        };
    }

    /** MACs the kernel picks differ run to run; the kernel's link-local address is not the plugin's doing. */
    private static List<String> mask(List<String> lines, boolean fixedMac) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.contains(" fe80::") && (l.startsWith("route local") || l.startsWith("addr"))) {
                continue; // the kernel's link-local address and its local route: there or not yet, as its DAD goes
            }
            String s = l.replace(" tentative", "");
            if (s.startsWith("link eth0")) {
                // v1.1.1 creates the device with txqueuelen 0; Go HEAD and jcni leave the kernel's default
                s = s.replaceAll(" qlen \\d+", "").replaceAll("\\s+", " ");
            }
            if (!fixedMac) {
                s = s.replaceAll("([0-9a-f]{2}:){5}[0-9a-f]{2}", "MAC").replaceAll("fe80::[0-9a-f:]+", "fe80::X");
            }
            out.add(s);
        }
        return out;
    }

    /** The sandbox is each run's own namespace; a MAC the kernel picked is masked. */
    private static Result mask(Result r, boolean fixedMac) {
        return r.withInterfaces(r.interfaces().stream().map(i -> new Interface(i.name(), fixedMac || i.mac().isEmpty() ? i.mac() : "MAC",
                i.mtu(), i.sandbox().isEmpty() ? "" : "NETNS", i.socketPath(), i.pciID())).toList());
    }

    private record Trace(Result result, List<String> container) {
    }

    private Trace trace(Impl impl, Case c, boolean fixedMac) {
        TestNetns ctr = rig.netns();
        Result r = rig.run(impl, "ADD", ctr, c.cniArgs(), c.conf()).result();
        List<String> state = mask(MvRig.container(ctr), fixedMac);
        if (!c.conf().contains("\"0.3.1\"")) {
            String withPrev = c.conf().substring(0, c.conf().length() - 1) + ",\"prevResult\":" + toJson(r) + "}";
            rig.run(impl, "CHECK", ctr, c.cniArgs(), withPrev).assertQuietSuccess();
        }
        rig.run(impl, "DEL", ctr, c.cniArgs(), c.conf()).assertQuietSuccess();
        rig.run(impl, "DEL", ctr, c.cniArgs(), c.conf()).assertQuietSuccess();
        assertTrue(ctr.exec("ip", "link", "show", "eth0").exitCode() != 0, impl + ": eth0 is gone");
        assertEquals(2, rig.host.exec("ip", "-o", "link", "show").ok().lines().filter(l -> !l.contains(" lo:")).count(),
                impl + ": only m0 and its peer in the host: " + rig.host.exec("ip", "-o", "link", "show").ok());
        assertTrue(r.interfaces().get(0).sandbox().equals(ctr.path().toString()), r.toString());
        // both implementations start from an empty store, so host-local gives both the same addresses
        Kernel.exec("rm", "-rf", rig.dataDir.resolve(rig.network).toString()).ok();
        return new Trace(mask(r, fixedMac), state);
    }

    private static String toJson(Result r) {
        return new String(r.toJson(), java.nio.charset.StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bridge-ipam-runtime-mac", "private-l2-args-mac", "vepa-dual-stack", "passthru-v0.3.1", "default-route-master"})
    void sameResultAndContainerAsGo(String which) {
        if (which.equals("default-route-master")) {
            rig.host.exec("ip", "route", "add", "default", "dev", "m0").ok();
        }
        Case c = of(which);
        boolean fixedMac = c.conf().contains("0a:58") || c.cniArgs().contains("MAC=");
        Trace go = trace(Impl.GO, c, fixedMac);
        Trace jcni = trace(Impl.JCNI, c, fixedMac);
        assertEquals(go.result(), jcni.result(), "result");
        assertEquals(go.container(), jcni.container(), "container");
        assertTrue(jcni.container().stream().anyMatch(l -> l.startsWith("link eth0@") && l.contains("macvlan mode "
                + (which.startsWith("private") ? "private" : which.startsWith("vepa") ? "vepa" : which.startsWith("passthru") ? "passthru" : "bridge"))),
                jcni.container().toString());
        Interface i = jcni.result().interfaces().get(0);
        assertEquals("eth0", i.name());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bridge-ipam-runtime-mac"})
    void eachDeletesWhatTheOtherMade(String which) {
        Case c = of(which);
        for (Impl adder : Impl.values()) {
            Impl other = adder == Impl.GO ? Impl.JCNI : Impl.GO;
            TestNetns ctr = rig.netns();
            Dist.Run add = rig.run(adder, "ADD", ctr, "", c.conf());
            String withPrev = c.conf().substring(0, c.conf().length() - 1) + ",\"prevResult\":" + toJson(add.result()) + "}";
            rig.run(other, "CHECK", ctr, "", withPrev).assertQuietSuccess();
            rig.run(other, "DEL", ctr, "", c.conf()).assertQuietSuccess();
            assertTrue(ctr.exec("ip", "link", "show", "eth0").exitCode() != 0, adder + " ADD, " + other + " DEL");
            assertTrue(Kernel.exec("sh", "-c", "ls " + rig.dataDir + "/" + rig.network + " 2>/dev/null | grep -c '^10\\.' || true").ok().trim()
                    .equals("0"), "reservation released");
        }
    }
}
