package dev.jcni.plugins.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The nft objects of macspoofchk are Go's: names, priorities, rules and comments. */
class SpoofCheckTest {
    @Test
    void setupScriptMatchesGosObjects() {
        SpoofCheck sc = new SpoofCheck("ctr1", "eth0");
        assertEquals("cni-br-iface-ctr1-eth0", sc.ifaceChain());
        assertEquals("cni-br-iface-ctr1-eth0-mac", sc.macChain());
        assertEquals("macspoofchk-ctr1-eth0", sc.comment());
        assertEquals("""
                add table bridge nat
                add chain bridge nat PREROUTING { type filter hook prerouting priority -300 ; policy accept ; }
                add chain bridge nat cni-br-iface-ctr1-eth0
                add chain bridge nat cni-br-iface-ctr1-eth0-mac
                flush chain bridge nat cni-br-iface-ctr1-eth0
                flush chain bridge nat cni-br-iface-ctr1-eth0-mac
                add rule bridge nat PREROUTING iifname "veth01234567" jump cni-br-iface-ctr1-eth0 comment "macspoofchk-ctr1-eth0"
                add rule bridge nat cni-br-iface-ctr1-eth0 jump cni-br-iface-ctr1-eth0-mac comment "macspoofchk-ctr1-eth0"
                add rule bridge nat cni-br-iface-ctr1-eth0-mac ether saddr 02:00:00:00:00:01 return comment "macspoofchk-ctr1-eth0"
                add rule bridge nat cni-br-iface-ctr1-eth0-mac drop comment "macspoofchk-ctr1-eth0"
                """, sc.setupScript("veth01234567", "02:00:00:00:00:01"));
    }
}
