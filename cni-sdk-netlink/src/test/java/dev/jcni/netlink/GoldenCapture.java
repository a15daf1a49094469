package dev.jcni.netlink;

import dev.jcni.netns.NetNs;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Captures real kernel replies once, as hex (one datagram per line), into
 * src/test/resources/golden. Not a test: run it as root when the golden files need renewing:
 * {@code java -cp <test classpath> dev.jcni.netlink.GoldenCapture cni-sdk-netlink/src/test/resources/golden}.
 * The namespace is set up with iproute2 so that the capture does not depend on the code under test.
 */
public final class GoldenCapture {
    private GoldenCapture() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "cni-sdk-netlink/src/test/resources/golden");
        Files.createDirectories(dir);
        try (TestNetns t = TestNetns.create(); NetNs ns = NetNs.get(t.path())) {
            String n = t.name();
            String[][] setup = {
                {"ip", "-n", n, "link", "add", "eth0", "mtu", "1450", "address", "0a:58:0a:01:02:03", "type", "veth",
                    "peer", "name", "veth0123abcd"},
                {"ip", "-n", n, "link", "add", "br0", "type", "bridge"},
                {"ip", "-n", n, "link", "set", "veth0123abcd", "master", "br0"},
                {"ip", "-n", n, "link", "set", "veth0123abcd", "type", "bridge_slave", "hairpin", "on", "learning", "off"},
                {"ip", "-n", n, "link", "set", "eth0", "up"},
                {"ip", "-n", n, "link", "set", "veth0123abcd", "up"},
                {"ip", "-n", n, "link", "set", "br0", "up"},
                {"ip", "-n", n, "addr", "add", "10.1.2.3/24", "dev", "eth0"},
                {"ip", "-n", n, "addr", "add", "fd00::3/64", "dev", "eth0", "nodad"},
                {"ip", "-n", n, "route", "add", "10.9.0.0/16", "via", "10.1.2.1", "metric", "100", "mtu", "1400",
                    "advmss", "1360"},
                {"ip", "-n", n, "route", "add", "fd00:40::/64", "nexthop", "via", "fd00::1", "dev", "eth0",
                    "nexthop", "via", "fd00::2", "dev", "eth0"},
                {"ip", "-n", n, "neigh", "add", "10.1.2.9", "lladdr", "02:42:ac:11:00:09", "dev", "eth0", "nud",
                    "permanent"},
                {"ip", "netns", "exec", n, "conntrack", "-I", "-p", "udp", "-s", "10.0.0.1", "-d", "10.0.0.2",
                    "--sport", "1111", "--dport", "5353", "-t", "100"},
            };
            for (String[] cmd : setup) {
                Kernel.exec(cmd).ok();
            }
            ns.run(() -> {
                capture(dir.resolve("link-dump.hex"), NetlinkSocket.NETLINK_ROUTE, s -> s.dump(
                        new MessageBuilder(18, 0).u8(0).u8(0).u16(0).u32(0).u32(0).u32(0).attrU32(29, 8), "dump"));
                capture(dir.resolve("addr-dump.hex"), NetlinkSocket.NETLINK_ROUTE, s -> s.dump(
                        new MessageBuilder(22, 0).u8(0).u8(0).u8(0).u8(0).u32(0), "dump"));
                capture(dir.resolve("route-dump.hex"), NetlinkSocket.NETLINK_ROUTE, s -> s.dump(
                        new MessageBuilder(26, 0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0), "dump"));
                capture(dir.resolve("neigh-dump.hex"), NetlinkSocket.NETLINK_ROUTE, s -> s.dump(
                        new MessageBuilder(30, 0).u8(2).u8(0).u16(0).u32(0).u16(0).u8(0).u8(0), "dump"));
                capture(dir.resolve("route-get-local.hex"), NetlinkSocket.NETLINK_ROUTE, s -> s.request(
                        new MessageBuilder(26, 0).u8(2).u8(32).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0)
                                .attr(1, new byte[] {10, 1, 2, 3}), "get"));
                capture(dir.resolve("error-extack.hex"), NetlinkSocket.NETLINK_ROUTE, s -> {
                    try {
                        s.request(new MessageBuilder(19, 0).u8(0).u8(0).u16(0).u32(2).u32(0).u32(0).attrU32(4, 10),
                                "mtu 10");
                    } catch (NetlinkException expected) {
                        System.out.println("error: " + expected.getMessage());
                    }
                });
                capture(dir.resolve("conntrack-dump.hex"), NetlinkSocket.NETLINK_NETFILTER, s -> s.dump(
                        new MessageBuilder((1 << 8) | 1, 0).u8(2).u8(0).u16(0), "ct dump"));
            });
        }
    }

    interface Exchange {
        void run(NetlinkSocket s);
    }

    static void capture(Path file, int protocol, Exchange ex) throws IOException {
        List<String> lines = new ArrayList<>();
        try (NetlinkSocket s = NetlinkSocket.openTapped(protocol, b -> lines.add(HexFormat.of().formatHex(b)))) {
            ex.run(s);
        }
        Files.write(file, lines);
        System.out.println(file + ": " + lines.size() + " datagram(s)");
    }
}
