package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Ip;
import dev.jcni.sdk.types.IpPrefix;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The flow of docs/netlink.md's example (a bridge plugin's ADD and DEL), in two temporary namespaces. */
@KernelTest
class PluginFlowKernelTest {
    @Test
    void addThenDel() {
        try (Sandbox containerBox = Sandbox.create(); Sandbox hostBox = Sandbox.create();
             NetNs caller = NetNs.current()) {
            NetNs container = NetNs.get(containerBox.t.path());
            NetNs host = hostBox.ns;
            String hostVeth = LinkSpec.randomVethName();
            try (container; NetlinkHandle c = NetlinkHandle.openAt(container); NetlinkHandle h = hostBox.nl) {
                c.linkAdd(LinkSpec.veth("eth0", hostVeth).withMtu(1450).withPeerNamespace(host));
                Link br = h.ensureBridge(LinkSpec.bridge("cni0").withMtu(1450));
                h.linkSetUp(br.index());
                Link hv = h.linkByName(hostVeth);
                h.linkSetMaster(hv.index(), br.index());
                h.linkSetHairpin(hv.index(), true);
                h.linkSetUp(hv.index());
                h.addrAdd(Address.of(br.index(), IpPrefix.parse("10.22.0.1/16")));

                Link eth0 = c.linkByName("eth0");
                c.addrAdd(Address.of(eth0.index(), IpPrefix.parse("10.22.0.5/16")));
                c.addrAdd(Address.of(eth0.index(), IpPrefix.parse("fd00:22::5/64")));
                c.linkSetUp(eth0.index());
                c.routeAdd(NetlinkRoute.builder().family(Family.V4).gateway(Ip.parse("10.22.0.1")).linkIndex(eth0.index())
                        .build());
                c.settleAddresses("eth0", Duration.ofSeconds(10));
                Sysctl.set(container, "net.ipv4.conf.eth0.arp_notify", "1");
                c.waitOperUp(eth0.index(), Duration.ofSeconds(5));

                JsonNode route = containerBox.ipJson("route", "show", "default").get(0);
                assertEquals("10.22.0.1", route.get("gateway").asText());
                assertEquals("eth0", route.get("dev").asText());
                assertEquals("cni0", hostBox.ipLink(hostVeth).get("master").asText());
                assertTrue(hostBox.ipLink(hostVeth).at("/linkinfo/info_slave_data/hairpin").asBoolean());
                assertEquals("1", containerBox.t.exec("cat", "/proc/sys/net/ipv4/conf/eth0/arp_notify").ok().trim());
                // each side routes to the other through the new links
                assertEquals(eth0.index(), c.routeGet(Ip.parse("10.22.0.1")).get(0).linkIndex());
                assertEquals(br.index(), h.routeGet(Ip.parse("10.22.0.5")).get(0).linkIndex());
                assertEquals("cni0", hostBox.ipJson("route", "get", "10.22.0.5").get(0).get("dev").asText());
                assertTrue(c.addrList(eth0.index(), Family.ALL).stream().filter(Address::isGlobalUnicast).count() == 2);

                // DEL: idempotent
                c.findLinkByName("eth0").ifPresent(l -> c.linkDel(l.index()));
                c.findLinkByName("eth0").ifPresent(l -> c.linkDel(l.index()));
                assertTrue(h.findLinkByName(hostVeth).isEmpty(), "the host end went with it");
            }
            assertTrue(caller.isCurrent());
        }
    }
}
