package dev.jcni.netlink.bench;

import dev.jcni.netlink.NetlinkSocket;
import dev.jcni.netlink.route.Address;
import dev.jcni.netlink.route.LinkSpec;
import dev.jcni.netlink.route.NetlinkHandle;
import dev.jcni.netlink.sys.Sys;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.types.IpPrefix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Benchmark (not a test; run as root with cni-sdk-netlink/bench/run.sh):
 * <ol>
 *   <li>first-call cost, each in a fresh JVM: loading jcni's JNI library, then the first
 *       netlink round trip (open a socket, dump the links); mode {@code first-median [runs]} only this;</li>
 *   <li>steady state: create a veth pair, look it up, add an address, delete the pair, in a
 *       temporary namespace, as ops/s; and the same through {@code ip} for comparison.</li>
 * </ol>
 */
public final class VethBenchmark {
    private VethBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "all";
        switch (mode) {
            case "first":
                first();
                break;
            case "first-median":
                firstInChildren(args.length > 1 ? Integer.parseInt(args[1]) : 11);
                break;
            case "steady":
                steady(args.length > 1 ? Integer.parseInt(args[1]) : 10);
                break;
            default:
                firstInChildren(args.length > 1 ? Integer.parseInt(args[1]) : 7);
                steady(10);
                ipComparison(100);
        }
    }

    /** Prints "first <load ms> <round trip ms>". */
    static void first() {
        long t0 = System.nanoTime();
        Sys.load();
        long t1 = System.nanoTime();
        try (NetlinkSocket s = NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE);
             NetlinkHandle h = NetlinkHandle.open()) {
            h.linkList();
        }
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "first %.1f %.1f%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }

    static void firstInChildren(int runs) throws Exception {
        List<double[]> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long spawn = System.nanoTime();
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), VethBenchmark.class.getName(), "first")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            double wall = (System.nanoTime() - spawn) / 1e6;
            String[] f = out.substring(out.lastIndexOf("first ")).split(" ");
            results.add(new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2]), wall});
        }
        System.out.printf(Locale.ROOT, "first call, median of %d fresh JVMs: library load %.1f ms, first netlink "
                + "round trip %.1f ms, together %.1f ms (whole process, JVM start to exit: %.0f ms)%n", runs,
                median(results, 0), median(results, 1), median(results, 0) + median(results, 1), median(results, 2));
    }

    static double median(List<double[]> rs, int k) {
        List<Double> v = new ArrayList<>();
        for (double[] r : rs) {
            v.add(r[k]);
        }
        Collections.sort(v);
        return v.get(v.size() / 2);
    }

    static void steady(int seconds) throws Exception {
        String name = "jcnib-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        try (NetNs ns = NetNs.create(name); NetlinkHandle nl = NetlinkHandle.openAt(ns)) {
            long warmEnd = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                once(nl, new long[4]);
            }
            long n = 0;
            long[] steps = new long[4];
            long start = System.nanoTime();
            long end = start + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                once(nl, steps);
                n++;
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "steady state: %d x (veth pair create + lookup + address add + delete) "
                    + "in %.1f s = %.0f ops/s (%.2f ms each: create %.2f, lookup %.2f, address %.2f, delete %.2f)%n",
                    n, secs, n / secs, secs * 1000 / n, steps[0] / 1e6 / n, steps[1] / 1e6 / n, steps[2] / 1e6 / n,
                    steps[3] / 1e6 / n);
        } finally {
            NetNs.delete(name);
        }
    }

    static void once(NetlinkHandle nl, long[] steps) {
        long t0 = System.nanoTime();
        nl.linkAdd(LinkSpec.veth("bench0", "bench1").withMtu(1450));
        long t1 = System.nanoTime();
        int idx = nl.linkByName("bench0").index();
        long t2 = System.nanoTime();
        nl.addrAdd(Address.of(idx, IpPrefix.parse("10.99.0.1/24")));
        long t3 = System.nanoTime();
        nl.linkDel(idx);
        long t4 = System.nanoTime();
        steps[0] += t1 - t0;
        steps[1] += t2 - t1;
        steps[2] += t3 - t2;
        steps[3] += t4 - t3;
    }

    static void ipComparison(int iterations) throws Exception {
        String name = "jcnib-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        exec("ip", "netns", "add", name);
        try {
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                exec("ip", "-n", name, "link", "add", "bench0", "mtu", "1450", "type", "veth", "peer", "name", "bench1");
                exec("ip", "-n", name, "addr", "add", "10.99.0.1/24", "dev", "bench0");
                exec("ip", "-n", name, "link", "del", "bench0");
            }
            double secs = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "for comparison, the same through 3 execs of ip: %.0f ops/s (%.2f ms each)%n",
                    iterations / secs, secs * 1000 / iterations);
        } finally {
            exec("ip", "netns", "del", name);
        }
    }

    static void exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("failed: " + String.join(" ", cmd));
        }
    }
}
