package dev.jcni.plugins.dist;

import dev.jcni.netlink.MessageBuilder;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.types.IpPrefix;
import java.nio.ByteOrder;
import java.util.HexFormat;

/**
 * Run by {@link ForeignArchIT} in another architecture's JVM (under qemu-user): prints, one line
 * each, this JVM's architecture and byte order, an rtnetlink request built in the host's order
 * (the bytes of CodecTest's ifinfo golden), and then, in the network namespace given (entered through
 * the JNI library), each kernel call's outcome: {@code ok ...} or {@code failed ...}. With a link
 * index as a second argument, first the IPv4 addresses of that link and the main table's IPv4
 * routes (dumps).
 */
public final class ForeignArchMain {
    private ForeignArchMain() {
    }

    public static void main(String[] args) {
        System.out.println("arch " + System.getProperty("os.arch") + " " + ByteOrder.nativeOrder());
        byte[] b = new MessageBuilder(16, 0x0405).u8(0).u8(0).u16(1).u32(7).u32(0x1003).u32(0xffffffff)
                .nest(26 | NetlinkMessage.NLA_F_NESTED).attrU16s(2, 0x0006, 100).end().build();
        System.out.println("codec " + HexFormat.of().formatHex(b) + " reads back "
                + NetlinkMessage.parse(b).attributes(16).nested(26).get(2).orElseThrow().u16At(2));
        System.out.flush();
        try (NetNs ns = NetNs.get(args[0]); NetlinkHandle h = NetlinkHandle.openAt(ns)) {
            System.out.println("ok netns " + args[0]); // opened and entered through the JNI library
            if (args.length > 1) {
                int link = Integer.parseInt(args[1]);
                step("addrList " + link, () -> h.addrList(link, 2).stream().map(a -> a.prefix().toString()).sorted().toList());
                step("routeList main", () -> h.routeList(2).stream().map(String::valueOf).sorted().toList());
            }
            Integer lo = step("linkByName lo", () -> h.linkByName("lo").index());
            if (lo == null) {
                return;
            }
            step("linkSetUp lo", () -> {
                h.linkSetUp(lo);
                return (h.linkByName("lo").flags() & 1) != 0 ? "up" : "down";
            });
            step("addrAdd 10.213.0.1/32", () -> {
                h.addrAdd(Address.of(lo, IpPrefix.parse("10.213.0.1/32")));
                return h.addrList(lo, 2).stream().map(a -> a.prefix().toString()).sorted().toList();
            });
        }
    }

    interface Step<T> {
        T run();
    }

    static <T> T step(String what, Step<T> s) {
        try {
            T v = s.run();
            System.out.println("ok " + what + ": " + v);
            return v;
        } catch (RuntimeException e) {
            System.out.println("failed " + what + ": " + e.getMessage());
            return null;
        } finally {
            System.out.flush();
        }
    }
}
