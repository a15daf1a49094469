package dev.jcni.plugins.firewall;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Attachment;
import dev.jcni.sdk.types.IpPrefix;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** ipMasq rules as the Go plugins write them, in the host's nat table, removed again after each test. */
@KernelTest
class IpMasqTest {
    final String net = Kernel.uniqueName("jcnit");
    final String cid = Kernel.uniqueName("ctr");
    final List<IpPrefix> ips = List.of(IpPrefix.parse("10.213.7.9/24"), IpPrefix.parse("fd00:213::9/64"));

    @AfterEach
    void cleanUp() {
        IpMasq.teardownIptablesByName(net, cid);
        IpMasq.teardownIptablesByName(net, "other");
        IpMasq.teardownNftables(net, "eth0", cid);
        IpMasq.teardownNftables(net, "eth0", "other");
        dropEmptyMasqueradeTable();
    }

    /** The shared table stays after a teardown (as with Go); a test that made it removes it when unused. */
    static void dropEmptyMasqueradeTable() {
        Kernel.ExecResult r = Kernel.exec("nft", "list", "chain", "inet", IpMasq.NFT_TABLE, IpMasq.NFT_CHAIN);
        if (r.exitCode() == 0 && !r.stdout().contains(" masquerade comment")) {
            Kernel.exec("nft", "delete", "table", "inet", IpMasq.NFT_TABLE);
        }
    }

    static String nat(String cmd) {
        return Kernel.exec(cmd, "-t", "nat", "-S").ok();
    }

    @Test
    void iptablesRulesAreGosLineForLine() {
        IpMasq.setup(Optional.of("iptables"), ips, net, "eth0", cid);
        String chain = Names.chainName(net, cid);
        String comment = "--comment \"name: \\\"" + net + "\\\" id: \\\"" + cid + "\\\"\"";
        String v4 = nat("iptables");
        assertTrue(v4.contains("-A POSTROUTING -s 10.213.7.9/32 -m comment " + comment + " -j " + chain + "\n"), v4);
        assertTrue(v4.contains("-A " + chain + " -d 10.213.7.0/24 -m comment " + comment + " -j ACCEPT\n"), v4);
        assertTrue(v4.contains("-A " + chain + " ! -d 224.0.0.0/4 -m comment " + comment + " -j MASQUERADE\n"), v4);
        String v6 = nat("ip6tables");
        assertTrue(v6.contains("-A POSTROUTING -s fd00:213::9/128 -m comment " + comment + " -j " + chain + "\n"), v6);
        assertTrue(v6.contains("-A " + chain + " ! -d ff00::/8 -m comment " + comment + " -j MASQUERADE\n"), v6);
        IpMasq.setup(Optional.of("iptables"), ips, net, "eth0", cid);
        assertEquals(1, nat("iptables").lines().filter(l -> l.startsWith("-A POSTROUTING") && l.endsWith(chain)).count(),
                "setup twice adds nothing");

        IpMasq.teardown(ips, net, "eth0", cid);
        assertFalse(nat("iptables").contains(chain));
        assertFalse(nat("ip6tables").contains(chain));
    }

    @Test
    void nftablesRulesAreCommentedWithGosHashes() {
        IpMasq.setup(Optional.of("nftables"), ips, net, "eth0", cid);
        String chain = Kernel.exec("nft", "list", "chain", "inet", IpMasq.NFT_TABLE, IpMasq.NFT_CHAIN).ok();
        String comment = IpMasq.instanceComment(net, "eth0", cid);
        assertTrue(comment.startsWith(IpMasq.networkHash(net) + "-"));
        assertTrue(comment.endsWith(", net: " + net + ", if: eth0, id: " + cid), comment);
        assertTrue(chain.contains("ip saddr 10.213.7.9 ip daddr != 10.213.7.0/24 masquerade comment \"" + comment + "\""), chain);
        assertTrue(chain.contains("ip6 saddr fd00:213::9 ip6 daddr != fd00:213::/64 masquerade comment \"" + comment + "\""), chain);
        String post = Kernel.exec("nft", "list", "chain", "inet", IpMasq.NFT_TABLE, "postrouting").ok();
        assertTrue(post.contains("type nat hook postrouting priority srcnat"), post);
        assertTrue(post.contains("goto masq_checks"), post);

        IpMasq.setup(Optional.of("nftables"), ips, net, "eth0", cid);
        String again = Kernel.exec("nft", "list", "chain", "inet", IpMasq.NFT_TABLE, IpMasq.NFT_CHAIN).ok();
        assertEquals(2, again.lines().filter(l -> l.contains(comment)).count(), "stale rules of the attachment are replaced");

        IpMasq.teardown(ips, net, "eth0", cid);
        assertFalse(Kernel.exec("nft", "list", "chain", "inet", IpMasq.NFT_TABLE, IpMasq.NFT_CHAIN).ok().contains(cid));
    }

    @Test
    void gcRemovesOnlyAttachmentsNotInTheValidSet() {
        List<IpPrefix> otherIps = List.of(IpPrefix.parse("10.213.7.10/24"));
        for (String backend : List.of("iptables", "nftables")) {
            IpMasq.setup(Optional.of(backend), ips, net, "eth0", cid);
            IpMasq.setup(Optional.of(backend), otherIps, net, "eth0", "other");
        }
        IpMasq.gc(net, List.of(new Attachment(cid, "eth0")));
        String v4 = nat("iptables");
        assertTrue(v4.contains(Names.chainName(net, cid)));
        assertFalse(v4.contains(Names.chainName(net, "other")), v4);
        String nft = Kernel.exec("nft", "list", "chain", "inet", IpMasq.NFT_TABLE, IpMasq.NFT_CHAIN).ok();
        assertTrue(nft.contains("id: " + cid));
        assertFalse(nft.contains("id: other"), nft);
    }

    @Test
    void unknownBackendIsRejected() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> IpMasq.setup(Optional.of("pf"), ips, net, "eth0", cid));
        assertEquals("unknown ipmasq backend \"pf\"", e.getMessage());
    }

    @Test
    void automaticChoiceIsIptablesWhenItWorks() {
        assertEquals("iptables", IpMasq.defaultBackend());
    }
}
