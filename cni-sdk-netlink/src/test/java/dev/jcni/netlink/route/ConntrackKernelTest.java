package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.testsupport.KernelTest;
import org.junit.jupiter.api.Test;

/** Conntrack entries are made and observed with the conntrack tool inside a temporary namespace. */
@KernelTest
class ConntrackKernelTest {

    static void insert(Sandbox s, String... args) {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "conntrack";
        cmd[1] = "-I";
        System.arraycopy(args, 0, cmd, 2, args.length);
        s.t.exec(cmd).ok();
    }

    static String list(Sandbox s, String family) {
        var r = s.t.exec("conntrack", "-L", "-f", family);
        return r.stdout();
    }

    @Test
    void deletesUdpEntriesByDestinationPortPerFamily() {
        try (Sandbox s = Sandbox.create()) {
            insert(s, "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1111", "--dport", "5353", "-t", "100");
            insert(s, "-p", "udp", "-s", "10.0.0.3", "-d", "10.0.0.2", "--sport", "1112", "--dport", "5353", "-t", "100");
            insert(s, "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1113", "--dport", "5354", "-t", "100");
            insert(s, "-p", "tcp", "-s", "10.0.0.1", "-d", "10.0.0.2", "--sport", "1114", "--dport", "5353", "-t", "100",
                    "--state", "ESTABLISHED");
            insert(s, "-p", "udp", "-s", "fd00::1", "-d", "fd00::2", "--sport", "1115", "--dport", "5353", "-t", "100");
            assertTrue(list(s, "ipv4").contains("dport=5353"));

            assertEquals(2, Conntrack.deleteByDstPort(s.ns, Family.V4, Conntrack.PROTO_UDP, 5353));
            String v4 = list(s, "ipv4");
            assertFalse(v4.lines().anyMatch(l -> l.startsWith("udp") && l.contains("dport=5353 ")), v4);
            assertTrue(v4.contains("dport=5354"), v4);
            assertTrue(v4.contains("tcp"), "TCP entries to the port stay: " + v4);
            assertTrue(list(s, "ipv6").contains("dport=5353"), "IPv6 untouched");

            assertEquals(1, s.ns.call(() -> Conntrack.deleteUdpByDstPort(Family.V6, 5353)));
            assertFalse(list(s, "ipv6").contains("dport=5353"));
            assertEquals(0, Conntrack.deleteByDstPort(s.ns, Family.V4, Conntrack.PROTO_UDP, 5353), "idempotent");
        }
    }
}
