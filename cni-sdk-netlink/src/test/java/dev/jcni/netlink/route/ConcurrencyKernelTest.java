package dev.jcni.netlink.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jcni.netlink.Errno;
import dev.jcni.netlink.NetlinkException;
import dev.jcni.netns.NetNs;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@KernelTest
class ConcurrencyKernelTest {
    static final int THREADS = 8;
    static final int LINKS = 5;

    @Test
    void eightThreadsEachInItsOwnNamespaceWithoutCrossTalk() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CyclicBarrier start = new CyclicBarrier(THREADS);
        List<String> names = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            names.add(Kernel.uniqueName("jcnic-"));
        }
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    work(id, names.get(id), start);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            for (int t = 0; t < THREADS; t++) {
                JsonNode addrs = Sandbox.JSON.readTree(Kernel.exec("ip", "-n", names.get(t), "-j", "-4", "addr", "show")
                        .ok());
                Set<String> seen = new TreeSet<>();
                for (JsonNode link : addrs) {
                    for (JsonNode ai : link.get("addr_info")) {
                        seen.add(ai.get("local").asText() + "@" + link.get("ifname").asText());
                    }
                }
                Set<String> expected = new TreeSet<>();
                for (int k = 0; k < LINKS; k++) {
                    expected.add("10." + (100 + t) + "." + k + ".1@a" + k);
                }
                assertEquals(expected, seen, "namespace of thread " + t + " holds exactly its own addresses");
            }
        } finally {
            pool.shutdownNow();
            for (String n : names) {
                Kernel.exec("ip", "netns", "del", n);
            }
        }
    }

    private static void work(int id, String name, CyclicBarrier start) throws Exception {
        try (NetNs host = NetNs.current()) {
            start.await(30, TimeUnit.SECONDS);
            try (NetNs ns = NetNs.create(name)) {
                assertTrue(host.isCurrent());
                boolean enter = id % 2 == 0;
                NetlinkHandle nl = enter ? ns.call(NetlinkHandle::open) : NetlinkHandle.openAt(ns);
                try (nl) {
                    for (int k = 0; k < LINKS; k++) {
                        String a = "a" + k;
                        String b = "b" + k;
                        if (enter) {
                            ns.run(() -> nl.linkAdd(LinkSpec.veth(a, b)));
                        } else {
                            nl.linkAdd(LinkSpec.veth(a, b));
                        }
                        assertTrue(host.isCurrent());
                        int idx = nl.linkByName(a).index();
                        nl.addrAdd(Address.of(idx, IpPrefix.parse("10." + (100 + id) + "." + k + ".1/24")));
                        nl.linkSetUp(idx);
                        assertTrue(host.isCurrent());
                        NetlinkException dup = assertThrows(NetlinkException.class,
                                () -> nl.linkAdd(LinkSpec.veth(a, b)));
                        assertEquals(Errno.EEXIST, dup.errno());
                        assertTrue(host.isCurrent(), "unchanged after a failed operation");
                        assertThrows(IllegalStateException.class, () -> ns.run(() -> {
                            throw new IllegalStateException("fails inside");
                        }));
                        assertTrue(host.isCurrent(), "unchanged after code that threw inside the namespace");
                    }
                    List<Link> links = nl.linkList();
                    assertEquals(1 + 2 * LINKS, links.size(), "lo and this thread's veths only");
                    List<Address> addrs = nl.addrList(0, Family.V4);
                    assertEquals(LINKS, addrs.size());
                    for (Address x : addrs) {
                        assertTrue(x.prefix().toString().startsWith("10." + (100 + id) + "."), x.toString());
                    }
                }
            }
        }
    }
}
