package dev.jcni.plugins.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.ip.Fixture;
import dev.jcni.plugins.ip.State;
import dev.jcni.plugins.ip.Traffic;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import dev.jcni.sdk.types.CniException;
import dev.jcni.sdk.types.Interface;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import dev.jcni.sdk.types.Result;
import dev.jcni.sdk.types.Route;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The packaged bridge plugin on the kernel, one option at a time, in namespaces and on a bridge of its own. */
@KernelTest
class BridgeIT {
    final Fixture f = new Fixture();

    @AfterEach
    void cleanUp() {
        f.close();
    }

    @Test
    void l3DualStackWithDefaultGatewayAddCheckDel() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.1.0", "bridge", "\"isDefaultGateway\":true", f.ipamDual(null));
        Result r = Fixture.jcni("bridge", "ADD", env, conf).result();
        List<Interface> ifs = r.interfaces();
        assertEquals(3, ifs.size());
        assertEquals(f.bridge, ifs.get(0).name());
        assertTrue(ifs.get(1).name().matches("veth[0-9a-f]{8}"), ifs.get(1).name());
        assertEquals("", ifs.get(1).sandbox());
        assertEquals("eth0", ifs.get(2).name());
        assertEquals(ns.path().toString(), ifs.get(2).sandbox());
        // Go pins the bridge's own address (read before the port joined): it does not become the port's
        assertNotEquals(ifs.get(1).mac(), ifs.get(0).mac(), "the bridge keeps its own MAC, not its port's");
        assertEquals(ifs.get(0).mac(), Kernel.exec("cat", "/sys/class/net/" + f.bridge + "/address").ok().trim());
        assertEquals(2, r.ips().size());
        assertEquals(IpPrefix.parse(f.prefix4 + "2/24"), r.ips().get(0).address());
        assertEquals(Ip.parse(f.prefix4 + "1"), r.ips().get(0).gateway().orElseThrow());
        assertEquals(2, r.ips().get(0).interfaceIndex().getAsInt());
        assertEquals(IpPrefix.parse(f.prefix6 + "2/64"), r.ips().get(1).address());
        assertEquals(List.of(Route.of(IpPrefix.parse("0.0.0.0/0"), Ip.parse(f.prefix4 + "1")),
                Route.of(IpPrefix.parse("::/0"), Ip.parse(f.prefix6 + "1"))), r.routes());

        List<String> cont = State.container(ns);
        assertTrue(cont.contains("addr eth0 inet " + f.prefix4 + "2/24 brd " + f.prefix4 + "255 scope global eth0"), cont.toString());
        assertTrue(cont.contains("route default via " + f.prefix4 + "1 dev eth0"), cont.toString());
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("route6 default via " + f.prefix6 + "1 dev eth0")), cont.toString());
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("link eth0: <BROADCAST,MULTICAST,UP,LOWER_UP>")), cont.toString());
        List<String> host = State.bridge(f.bridge);
        assertTrue(host.contains("bridge addr " + f.bridge + " inet " + f.prefix4 + "1/24 brd " + f.prefix4 + "255 scope global "
                + f.bridge), host.toString());
        assertTrue(host.stream().anyMatch(l -> l.startsWith("bridge addr " + f.bridge + " inet6 " + f.prefix6 + "1/64")), host.toString());
        assertTrue(host.stream().anyMatch(l -> l.startsWith("port mtu 1500 state UP hairpin off isolated off")), host.toString());
        assertEquals("0", ns.exec("sysctl", "-n", "net.ipv6.conf.eth0.accept_dad").ok().trim());
        assertEquals("1", ns.exec("sysctl", "-n", "net.ipv4.conf.eth0.arp_notify").ok().trim());
        assertEquals("1", ns.exec("sysctl", "-n", "net.ipv6.conf.eth0.keep_addr_on_down").ok().trim());
        assertEquals("1", Kernel.exec("sysctl", "-n", "net.ipv4.ip_forward").ok().trim());
        assertTrue(f.store().containsKey(f.prefix4 + "2"));

        Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(conf, r)).assertQuietSuccess();
        // CHECK notices a missing address
        ns.exec("ip", "addr", "del", f.prefix4 + "2/24", "dev", "eth0").ok();
        CniException e = Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(conf, r)).error();
        assertEquals("Failed to match addr " + f.prefix4 + "2/24 on interface eth0", e.msg());

        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
        assertFalse(ns.exec("ip", "link", "show", "eth0").exitCode() == 0, "eth0 is gone");
        assertFalse(f.store().containsKey(f.prefix4 + "2"), "the address is released");
        assertEquals(List.of(), State.bridge(f.bridge).stream().filter(l -> l.startsWith("port")).toList(), "no port is left");
        assertEquals(ifs.get(0).mac(), Kernel.exec("cat", "/sys/class/net/" + f.bridge + "/address").ok().trim(),
                "the pinned bridge MAC stays when ports come and go");
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void hairpinIsolationAndMtuOnThePortAndBothEnds() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "bridge", "\"hairpinMode\":true,\"portIsolation\":true,\"mtu\":1400", f.ipam4());
        Fixture.jcni("bridge", "ADD", env, conf).result();
        List<String> host = State.bridge(f.bridge);
        assertTrue(host.contains("bridge mtu 1400 promiscuity 0 vlan_filtering 0 state UP"), host.toString());
        assertTrue(host.contains("port mtu 1400 state UP hairpin on isolated on name vethX"), host.toString());
        assertTrue(State.container(ns).stream().anyMatch(l -> l.startsWith("link eth0:") && l.contains("mtu 1400")));
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void promiscuousBridge() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "bridge", "\"promiscMode\":true", f.ipam4());
        Result r = Fixture.jcni("bridge", "ADD", env, conf).result();
        assertTrue(State.bridge(f.bridge).get(0).contains("promiscuity 1"), State.bridge(f.bridge).toString());
        Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(conf, r)).assertQuietSuccess();
        String other = conf.replace("\"promiscMode\":true", "\"promiscMode\":false");
        assertTrue(Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(other, r)).error().msg()
                .startsWith("Bridge interface " + f.bridge + " configured Promisc Mode false doesn't match current state: true"));
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void aForeignBridgeAddressIsAnErrorUnlessForceAddress() {
        Kernel.exec("ip", "link", "add", f.bridge, "type", "bridge").ok();
        Kernel.exec("ip", "addr", "add", f.prefix4 + "99/24", "dev", f.bridge).ok();
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "bridge", "\"isGateway\":true", f.ipam4());
        Dist.Run run = Fixture.jcni("bridge", "ADD", env, conf);
        CniException e = run.error();
        assertEquals(999, e.code());
        assertEquals("failed to set bridge addr: \"" + f.bridge + "\" already has an IP address different from " + f.prefix4 + "1/24",
                e.msg());
        assertEquals(List.of(), f.store().keySet().stream().filter(k -> k.startsWith("10.")).toList(), "IPAM released");
        assertTrue(ns.exec("ip", "link", "show", "eth0").exitCode() != 0, "beyond Go: the veth made by the failed ADD is gone");

        String forced = f.conf("1.0.0", "bridge", "\"isGateway\":true,\"forceAddress\":true", f.ipam4());
        Fixture.jcni("bridge", "ADD", env, forced).result();
        List<String> addrs = State.bridge(f.bridge).stream().filter(l -> l.startsWith("bridge addr") && l.contains(" inet ")).toList();
        assertEquals(List.of("bridge addr " + f.bridge + " inet " + f.prefix4 + "1/24 brd " + f.prefix4 + "255 scope global " + f.bridge),
                addrs);
        Fixture.jcni("bridge", "DEL", env, forced).assertQuietSuccess();
    }

    @Test
    void enabledadTurnsOnDadInTheContainer() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "bridge", "\"enabledad\":true", f.ipamDual(null));
        Fixture.jcni("bridge", "ADD", env, conf).result();
        assertEquals("1", ns.exec("sysctl", "-n", "net.ipv6.conf.eth0.accept_dad").ok().trim());
        assertEquals("1", ns.exec("sysctl", "-n", "net.ipv6.conf.eth0.enhanced_dad").ok().trim());
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void macspoofchkRulesAreGosAndGoAway() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "bridge", "\"macspoofchk\":true", f.ipam4());
        Result r = Fixture.jcni("bridge", "ADD", env, conf).result();
        String mac = r.interfaces().get(2).mac();
        String veth = r.interfaces().get(1).name();
        List<String> nft = f.nftLines();
        assertTrue(nft.contains("iifname \"" + veth + "\" jump cni-br-iface-c1-eth0 comment \"macspoofchk-c1-eth0\""), nft.toString());
        assertTrue(nft.contains("ether saddr " + mac + " return comment \"macspoofchk-c1-eth0\""), nft.toString());
        assertTrue(nft.contains("drop comment \"macspoofchk-c1-eth0\""), nft.toString());
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
        assertEquals(List.of(), f.nftLines());
    }

    @Test
    void ipMasqWithEachBackendAndDelWithoutNetnsRemovesIt() {
        for (String backend : List.of("iptables", "nftables")) {
            TestNetns ns = f.netns();
            String cid = "c-" + backend;
            Map<String, String> env = f.env(cid, ns, "eth0");
            String conf = f.conf("1.0.0", "bridge", "\"ipMasq\":true,\"ipMasqBackend\":\"" + backend + "\"", f.ipam4());
            Fixture.jcni("bridge", "ADD", env, conf).result();
            List<String> rules = backend.equals("iptables") ? f.iptablesLines() : f.nftLines();
            assertFalse(rules.isEmpty(), backend);
            assertTrue(String.join("\n", rules).contains("MASQUERADE") || String.join("\n", rules).contains("masquerade"), rules.toString());
            // beyond Go (plugins#810): DEL without a netns still removes the rules
            Map<String, String> noNs = new LinkedHashMap<>(env);
            noNs.put("CNI_NETNS", "");
            Fixture.jcni("bridge", "DEL", noNs, conf).assertQuietSuccess();
            assertEquals(List.of(), f.iptablesLines(), backend);
            assertEquals(List.of(), f.nftLines(), backend);
            assertTrue(f.store().keySet().stream().noneMatch(k -> k.startsWith("10.")), "released");
            Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
        }
    }

    @Test
    void l2ModeLeavesTheContainerUpWithoutAddresses() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "bridge", "", null);
        Result r = Fixture.jcni("bridge", "ADD", env, conf).result();
        assertEquals(3, r.interfaces().size());
        assertTrue(r.ips().isEmpty());
        List<String> cont = State.container(ns);
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("link eth0: <BROADCAST,MULTICAST,UP,LOWER_UP>")), cont.toString());
        assertTrue(cont.stream().noneMatch(l -> l.startsWith("addr eth0")), cont.toString());
        CniException e = Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(conf, r)).error();
        assertEquals("no plugin name provided", e.msg(), "as Go: CHECK always asks IPAM, so L2 CHECK fails");
        CniException old = Fixture.jcni("bridge", "ADD", f.env("c2", f.netns(), "eth0"), f.conf("0.2.0", "bridge", "", null)).error();
        assertEquals("cannot convert: no valid IP addresses", old.msg());
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void disableContainerInterfaceLeavesItDown() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "bridge", "\"disableContainerInterface\":true", null);
        Fixture.jcni("bridge", "ADD", env, conf).result();
        List<String> cont = State.container(ns);
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("link eth0: <BROADCAST,MULTICAST>")), cont.toString());
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void containerMacFromCniArgsArgsAndRuntimeConfig() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        env.put("CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=x;MAC=02:11:22:33:44:01");
        String conf = f.conf("1.0.0", "bridge", "", f.ipam4());
        assertEquals("02:11:22:33:44:01", Fixture.jcni("bridge", "ADD", env, conf).result().interfaces().get(2).mac());
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
        String rc = f.conf("1.0.0", "bridge", "\"args\":{\"cni\":{\"mac\":\"02:11:22:33:44:02\"}},"
                + "\"runtimeConfig\":{\"mac\":\"02:11:22:33:44:03\"}", f.ipam4());
        Result r = Fixture.jcni("bridge", "ADD", env, rc).result();
        assertEquals("02:11:22:33:44:03", r.interfaces().get(2).mac());
        assertTrue(ns.exec("ip", "link", "show", "eth0").ok().contains("02:11:22:33:44:03"));
        Fixture.jcni("bridge", "DEL", env, rc).assertQuietSuccess();
    }

    @Test
    void vlanNeedsBridgeVlanFiltering() {
        VlanSupport.require();
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.0.0", "bridge", "\"vlan\":100,\"isGateway\":true", f.ipam4());
        Result r = Fixture.jcni("bridge", "ADD", env, conf).result();
        assertEquals(4, r.interfaces().size());
        assertEquals(f.bridge + ".100", r.interfaces().get(3).name());
        String vlans = Kernel.exec("bridge", "vlan", "show").ok();
        assertTrue(vlans.contains("100 PVID Egress Untagged"), vlans);
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
        Kernel.exec("ip", "link", "del", f.bridge + ".100");
    }

    @Test
    void statusAndGcDelegateToIpamAndGcDropsStaleMasquerading() {
        TestNetns a = f.netns();
        TestNetns b = f.netns();
        Map<String, String> ea = f.env("ca", a, "eth0");
        Map<String, String> eb = f.env("cb", b, "eth0");
        String conf = f.conf("1.1.0", "bridge", "\"ipMasq\":true,\"ipMasqBackend\":\"iptables\"", f.ipam4());
        Result ra = Fixture.jcni("bridge", "ADD", ea, conf).result();
        Result rb = Fixture.jcni("bridge", "ADD", eb, conf).result();
        assertEquals(2, f.iptablesLines().stream().filter(l -> l.contains("POSTROUTING")).count());
        String gc = f.conf("1.1.0", "bridge", "\"ipMasq\":true,\"cni.dev/valid-attachments\":[{\"containerID\":\"ca\",\"ifname\":\"eth0\"}]",
                f.ipam4());
        Fixture.jcni("bridge", "GC", Map.of("CNI_PATH", f.cniPath), gc).assertQuietSuccess();
        List<String> left = f.iptablesLines();
        assertTrue(left.stream().anyMatch(l -> l.contains("id: \\\"ca\\\"")), left.toString());
        assertTrue(left.stream().noneMatch(l -> l.contains("id: \\\"cb\\\"")), left.toString());
        String ipA = Ip.format(ra.ips().get(0).address().address());
        String ipB = Ip.format(rb.ips().get(0).address().address());
        assertTrue(f.store().containsKey(ipA), "IPAM keeps the valid attachment's address");
        assertFalse(f.store().containsKey(ipB), "IPAM GC (jcni's host-local) released the stale one");
        Fixture.jcni("bridge", "STATUS", Map.of("CNI_PATH", f.cniPath), gc).assertQuietSuccess();
        Fixture.jcni("bridge", "STATUS", Map.of("CNI_PATH", f.cniPath), f.conf("1.1.0", "bridge", "\"vlan\":9999", null))
                .assertQuietSuccess();
        CniException down = Fixture.jcni("bridge", "STATUS", Map.of("CNI_PATH", f.cniPath),
                f.conf("1.1.0", "bridge", "", "{\"type\":\"host-local\",\"dataDir\":\"/proc/version/x\",\"subnet\":\"" + f.subnet4 + "\"}"))
                .error();
        assertEquals(50, down.code(), "IPAM's STATUS code passes through: " + down.msg());
        Fixture.jcni("bridge", "DEL", ea, conf).assertQuietSuccess();
        Fixture.jcni("bridge", "DEL", eb, conf).assertQuietSuccess();
    }

    @Test
    void aSecondAddOnATakenInterfaceFailsAndKeepsTheFirst() {
        TestNetns ns = f.netns();
        String conf = f.conf("1.1.0", "bridge", "", f.ipam4());
        Map<String, String> e1 = f.env("c1", ns, "eth0");
        Result first = Fixture.jcni("bridge", "ADD", e1, conf).result();
        CniException e = Fixture.jcni("bridge", "ADD", f.env("c2", ns, "eth0"), conf).error();
        assertEquals(999, e.code());
        assertTrue(e.msg().matches("container veth name \\(\"eth0\"\\) peer provided \\(\"veth[0-9a-f]{8}\"\\) already exists"), e.msg());
        assertEquals(0, ns.exec("ip", "link", "show", "eth0").exitCode(), "the first attachment's eth0 stays");
        assertEquals(1, f.store().keySet().stream().filter(k -> k.startsWith("10.")).count(), "the failed ADD took no address");
        Fixture.jcni("bridge", "CHECK", e1, Fixture.withPrev(conf, first)).assertQuietSuccess();
        Fixture.jcni("bridge", "DEL", e1, conf).assertQuietSuccess();
    }

    @Test
    void checkSaysWhatDiffers() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.1.0", "bridge", "", f.ipam4());
        Result r = Fixture.jcni("bridge", "ADD", env, conf).result();
        List<Interface> ifs = new java.util.ArrayList<>(r.interfaces());
        ifs.set(2, ifs.get(2).withMac("02:00:00:00:00:99"));
        CniException mac = Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(conf, r.withInterfaces(ifs))).error();
        assertEquals("Interface eth0 Mac 02:00:00:00:00:99 doesn't match container Mac: " + r.interfaces().get(2).mac(), mac.msg());
        ifs = new java.util.ArrayList<>(r.interfaces());
        ifs.set(2, Interface.container("eth0", "", "/run/netns/elsewhere"));
        CniException sandbox = Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(conf, r.withInterfaces(ifs))).error();
        assertEquals("Sandbox in prevResult  doesn't match configured netns: " + ns.path(), sandbox.msg());
        ifs = new java.util.ArrayList<>(r.interfaces());
        ifs.remove(1);
        CniException veth = Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(conf, r.withInterfaces(ifs))).error();
        assertEquals("CNI veth created for bridge " + f.bridge + " was not found", veth.msg());
        CniException none = Fixture.jcni("bridge", "CHECK", env, conf).error();
        assertEquals("Required prevResult missing", none.msg());
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void ipamRoutesKeepPriorityScopeAndTableAndTakeTheGatewayOfTheirFamily() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        String conf = f.conf("1.1.0", "bridge", "\"isGateway\":true", f.ipamDual("[{\"dst\":\"198.51.100.0/24\",\"priority\":77},"
                + "{\"dst\":\"203.0.113.0/24\",\"table\":100},{\"dst\":\"2001:db8:7::/48\"}]"));
        Result r = Fixture.jcni("bridge", "ADD", env, conf).result();
        assertEquals(77, r.routes().get(0).priority());
        List<String> cont = State.container(ns);
        assertTrue(cont.contains("route 198.51.100.0/24 via " + f.prefix4 + "1 dev eth0 metric 77"), cont.toString());
        assertTrue(cont.stream().anyMatch(l -> l.startsWith("route6 2001:db8:7::/48 via " + f.prefix6 + "1 dev eth0")), cont.toString());
        String t100 = ns.exec("ip", "route", "show", "table", "100").ok();
        assertTrue(t100.contains("203.0.113.0/24 via " + f.prefix4 + "1 dev eth0"), t100);
        Fixture.jcni("bridge", "CHECK", env, Fixture.withPrev(conf, r)).assertQuietSuccess();
        Fixture.jcni("bridge", "DEL", env, conf).assertQuietSuccess();
    }

    @Test
    void vlanTrunkAndPreserveDefaultVlanNeedBridgeVlanFiltering() {
        VlanSupport.require();
        TestNetns a = f.netns();
        String trunk = f.conf("1.1.0", "bridge", "\"vlanTrunk\":[{\"minID\":20,\"maxID\":21}]", f.ipam4());
        Result r = Fixture.jcni("bridge", "ADD", f.env("ca", a, "eth0"), trunk).result();
        String vlans = Kernel.exec("bridge", "vlan", "show", "dev", r.interfaces().get(1).name()).ok();
        assertTrue(vlans.contains("1 PVID Egress Untagged") && vlans.contains("20") && vlans.contains("21"), vlans);
        TestNetns b = f.netns();
        String keep = f.conf("1.1.0", "bridge", "\"vlan\":30,\"preserveDefaultVlan\":true", f.ipam4());
        Result rb = Fixture.jcni("bridge", "ADD", f.env("cb", b, "eth0"), keep).result();
        String vb = Kernel.exec("bridge", "vlan", "show", "dev", rb.interfaces().get(1).name()).ok();
        assertTrue(vb.contains("30 PVID Egress Untagged") && vb.contains(" 1"), vb);
        Fixture.jcni("bridge", "DEL", f.env("ca", a, "eth0"), trunk).assertQuietSuccess();
        Fixture.jcni("bridge", "DEL", f.env("cb", b, "eth0"), keep).assertQuietSuccess();
    }

    @Test
    void dnsComesFromIpamUnlessTheConfigurationSetsIt() throws Exception {
        java.nio.file.Path resolv = f.dataDir.resolve("resolv.conf");
        java.nio.file.Files.writeString(resolv, "nameserver 10.53.0.1\nsearch ipam.example\n");
        String ipam = "{\"type\":\"host-local\",\"dataDir\":\"" + f.dataDir + "\",\"resolvConf\":\"" + resolv + "\",\"subnet\":\""
                + f.subnet4 + "\"}";
        TestNetns a = f.netns();
        String fromIpam = f.conf("1.1.0", "bridge", "", ipam);
        Result r = Fixture.jcni("bridge", "ADD", f.env("ca", a, "eth0"), fromIpam).result();
        assertEquals(List.of("10.53.0.1"), r.dns().nameservers(), "HEAD: IPAM's DNS (v1.1.1 dropped it)");
        assertEquals(List.of("ipam.example"), r.dns().search());
        TestNetns b = f.netns();
        String own = f.conf("1.1.0", "bridge", "\"dns\":{\"nameservers\":[\"10.53.0.9\"]}", ipam);
        Result rb = Fixture.jcni("bridge", "ADD", f.env("cb", b, "eth0"), own).result();
        assertEquals(List.of("10.53.0.9"), rb.dns().nameservers());
        assertEquals(List.of(), rb.dns().search(), "the configuration's dns replaces IPAM's as a whole");
        Fixture.jcni("bridge", "DEL", f.env("ca", a, "eth0"), fromIpam).assertQuietSuccess();
        Fixture.jcni("bridge", "DEL", f.env("cb", b, "eth0"), own).assertQuietSuccess();
    }

    @Test
    void aLinkOfTheBridgesNameThatIsNoBridge() {
        Kernel.exec("ip", "link", "add", f.bridge, "type", "veth", "peer", "name", f.bridge + "p").ok();
        try {
            TestNetns ns = f.netns();
            CniException e = Fixture.jcni("bridge", "ADD", f.env("c1", ns, "eth0"), f.conf("1.1.0", "bridge", "", f.ipam4())).error();
            assertEquals("failed to create bridge \"" + f.bridge + "\": \"" + f.bridge + "\" already exists but is not a bridge", e.msg());
            assertTrue(ns.exec("ip", "link", "show", "eth0").exitCode() != 0);
            assertTrue(f.store().keySet().stream().noneMatch(k -> k.startsWith("10.")));
        } finally {
            Kernel.exec("ip", "link", "del", f.bridge);
        }
    }

    @Test
    void badInputLeavesNothingBehind() {
        TestNetns ns = f.netns();
        Map<String, String> env = f.env("c1", ns, "eth0");
        for (String fields : List.of("\"vlan\":5000", "\"hairpinMode\":true,\"promiscMode\":true", "\"mtu\":\"x\"",
                "\"vlanTrunk\":[{\"minID\":3}]", "\"args\":{\"cni\":{\"mac\":\"nope\"}}")) {
            Dist.Run run = Fixture.jcni("bridge", "ADD", env, f.conf("1.0.0", "bridge", fields, f.ipam4()));
            assertEquals(1, run.exitCode(), fields);
            assertTrue(run.error().code() == 7 || run.error().code() == 6, fields + ": " + run.stdout());
            assertFalse(f.bridgeExists(), fields);
        }
        // a netns that does not exist: refused before the bridge is made (Go makes the bridge first)
        Map<String, String> gone = new LinkedHashMap<>(env);
        gone.put("CNI_NETNS", "/run/netns/jcni-no-such-ns");
        CniException e = Fixture.jcni("bridge", "ADD", gone, f.conf("1.0.0", "bridge", "", f.ipam4())).error();
        assertEquals(999, e.code());
        assertTrue(e.msg().startsWith("failed to open netns \"/run/netns/jcni-no-such-ns\""), e.msg());
        assertFalse(f.bridgeExists());
        assertTrue(f.store().keySet().stream().noneMatch(k -> k.startsWith("10.")));
        // an IPAM plugin that is not there: the veth made before IPAM is removed again
        CniException ipam = Fixture.jcni("bridge", "ADD", env, f.conf("1.0.0", "bridge", "", "{\"type\":\"no-such-ipam\"}")).error();
        assertEquals(999, ipam.code());
        assertEquals("failed to find plugin \"no-such-ipam\" in path [" + Dist.bin() + "]", ipam.msg());
        assertTrue(ns.exec("ip", "link", "show", "eth0").exitCode() != 0);
        // missing CNI_NETNS on ADD
        Map<String, String> noNs = new LinkedHashMap<>(env);
        noNs.remove("CNI_NETNS");
        assertEquals(4, Fixture.jcni("bridge", "ADD", noNs, f.conf("1.0.0", "bridge", "", f.ipam4())).error().code());
        // DEL of something never added
        Fixture.jcni("bridge", "DEL", f.env("never", ns, "eth1"), f.conf("1.0.0", "bridge", "\"ipMasq\":true", f.ipam4()))
                .assertQuietSuccess();
    }

    @Test
    void twoContainersReachEachOtherAndTheGateway() throws Exception {
        TestNetns a = f.netns();
        TestNetns b = f.netns();
        String conf = f.conf("1.0.0", "bridge", "\"isGateway\":true", f.ipam4());
        Result ra = Fixture.jcni("bridge", "ADD", f.env("ca", a, "eth0"), conf).result();
        Result rb = Fixture.jcni("bridge", "ADD", f.env("cb", b, "eth0"), conf).result();
        java.net.InetAddress ipA = ra.ips().get(0).address().address();
        java.net.InetAddress ipB = rb.ips().get(0).address().address();
        assertTrue(Traffic.ping(a, ipB), "a pings b");
        assertTrue(Traffic.ping(b, ipA), "b pings a");
        assertTrue(Traffic.ping(a, Ip.parse(f.prefix4 + "1")), "a pings its gateway on the bridge");
        assertTrue(Traffic.tcp(a, b, ipB), "a reaches a TCP listener in b");
        Fixture.jcni("bridge", "DEL", f.env("ca", a, "eth0"), conf).assertQuietSuccess();
        Fixture.jcni("bridge", "DEL", f.env("cb", b, "eth0"), conf).assertQuietSuccess();
    }
}
