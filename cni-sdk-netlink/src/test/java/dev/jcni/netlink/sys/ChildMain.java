package dev.jcni.netlink.sys;

import dev.jcni.netlink.Attributes;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.MessageBuilder;
import dev.jcni.netlink.NetlinkMessage;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.Route;
import dev.jcni.netlink.route.Sysctl;
import dev.jcni.sdk.types.IpPrefix;

/** Runs in a child JVM for the loading tests; prints its findings on stdout. */
public final class ChildMain {
    private ChildMain() {
    }

    /**
     * Code running inside a namespace closes the descriptor NetNs.run saved to return with (the
     * newest descriptor of the original namespace): returning must fail, and the JVM must halt.
     */
    static void restoreFail(String name) {
        try (dev.jcni.netns.NetNs target = dev.jcni.netns.NetNs.create(name)) {
            String hostNs;
            try {
                hostNs = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/thread-self/ns/net"))
                        .toString();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            target.run(() -> {
                int newest = -1;
                java.io.File[] fds = new java.io.File("/proc/self/fd").listFiles();
                for (java.io.File f : fds) {
                    try {
                        if (java.nio.file.Files.readSymbolicLink(f.toPath()).toString().equals(hostNs)) {
                            newest = Math.max(newest, Integer.parseInt(f.getName()));
                        }
                    } catch (java.io.IOException | NumberFormatException ignored) {
                        // not a descriptor of interest
                    }
                }
                System.out.println("closing " + newest);
                System.out.flush();
                Sys.close(newest);
            });
            System.out.println("after: still running");
        }
    }

    public static void main(String[] args) {
        if (args[0].equals("lazy")) {
            // everything that does not talk to the kernel
            byte[] b = new MessageBuilder(16, 0).attrString(3, "eth0").build();
            Attributes a = NetlinkMessage.parse(b).attributes(0);
            System.out.println("codec " + a.string(3).orElseThrow() + " " + Errno.describe(Errno.EPERM));
            System.out.println("spec " + LinkSpec.veth("eth0", "veth01234567").withMtu(1400));
            System.out.println("route " + Route.builder().dst(IpPrefix.parse("10.0.0.0/8")).build());
            System.out.println("addr " + Address.of(2, IpPrefix.parse("10.0.0.1/8")));
            System.out.println("sysctl " + Sysctl.normalize("net.ipv4.ip_forward"));
            System.out.println("loaded " + Sys.isLoaded());
            printMapping();
            return;
        }
        if (args[0].equals("restore-fail")) {
            restoreFail(args[1]);
            return;
        }
        // "load": the first kernel call
        System.out.println("pid " + (Sys.getpid() == ProcessHandle.current().pid()));
        System.out.println("loaded " + Sys.isLoaded());
        printMapping();
    }

    /** Where the JNI library was mapped from (an unpacked copy is deleted right after loading). */
    private static void printMapping() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/maps"))) {
                if ((line.contains("jcni-sys")) && line.contains("/")) {
                    System.out.println("mapped " + line.substring(line.indexOf('/')));
                    break;
                }
            }
        } catch (java.io.IOException e) {
            System.out.println("maps " + e);
        }
    }
}
