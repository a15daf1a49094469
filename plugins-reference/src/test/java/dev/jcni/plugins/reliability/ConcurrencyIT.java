package dev.jcni.plugins.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.plugins.Dist;
import dev.jcni.plugins.hostlocal.HostLocal;
import dev.jcni.sdk.types.Ip;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * host-local under concurrency, through the packaged executable (cold, or warm with
 * {@code -Djcni.test.warm=true}; see {@link Calls}): parallel ADDs on one range never hand out an
 * address twice and never fail, and mixed ADD/DEL traffic from parallel workers leaves the store
 * holding exactly the live attachments. Needs no root (the store is a temporary directory).
 */
class ConcurrencyIT {
    static final String NET = "jrel-conc";

    @TempDir
    Path data;

    @BeforeEach
    void mode() {
        Calls.requireMode();
    }

    String conf(String subnet) {
        return "{\"cniVersion\":\"1.0.0\",\"name\":\"" + NET + "\",\"type\":\"bridge\",\"ipam\":{\"type\":\"host-local\","
                + "\"dataDir\":\"" + data + "\",\"ranges\":[[{\"subnet\":\"" + subnet + "\"}]]}}";
    }

    static Map<String, String> attachment(String cid, String ifName) {
        return Map.of("CNI_CONTAINERID", cid, "CNI_NETNS", "/run/netns/jrel-absent", "CNI_IFNAME", ifName);
    }

    /**
     * Rule: concurrent ADDs on one range (separate processes, one flock on the store) get distinct
     * addresses, and none fails.
     */
    @Test
    void parallelAddProcessesOnOneRangeGetDistinctAddressesAndNoError() {
        int n = Calls.size("parallelAdds", 200, 200);
        String conf = conf("10.243.0.0/24");
        List<Dist.Run> runs = new ArrayList<>();
        Calls.Served served = Calls.served();
        long ms = Calls.millis(() -> {
            List<Dist.Started> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                started.add(Calls.start("host-local", "ADD", attachment("par" + i, "eth0"), conf));
            }
            for (Dist.Started s : started) {
                runs.add(s.finish());
            }
        });
        Map<String, String> addressOf = new TreeMap<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Dist.Run r = runs.get(i);
            if (r.exitCode() != 0) {
                errors.add("par" + i + ": " + r.stdout() + r.stderr());
                continue;
            }
            addressOf.put("par" + i, Ip.format(r.result().ips().get(0).address().address()));
        }
        Set<String> distinct = new HashSet<>(addressOf.values());
        int duplicates = addressOf.size() - distinct.size();
        Calls.figure("parallel ADD", n + " host-local ADD processes at once (" + Calls.mode() + "): " + errors.size()
                + " errors, " + duplicates + " duplicate addresses, " + ms + " ms wall");
        assertEquals(List.of(), errors);
        served.expect(n, n + " host-local ADDs");
        assertEquals(0, duplicates, "duplicate addresses: " + addressOf);
        Map<String, String> expected = new TreeMap<>();
        addressOf.forEach((cid, ip) -> expected.put(ip, Store.key(cid, "eth0")));
        Path dir = data.resolve(NET);
        assertEquals(expected, Store.reservations(dir), "the store holds exactly the answered reservations");
        assertEquals(List.of(), Store.temporaryFiles(dir));
    }

    /** How one mixed-traffic test runs its calls. */
    enum Mode { IN_PROCESS, EXEC }

    /**
     * Rule: after any interleaving of ADDs and DELs from parallel workers (DELs of live and of gone
     * attachments alike), the store holds exactly one reservation per live attachment and nothing else.
     * In-process (the skel on 20 threads of one JVM, as the warm-mode daemon runs calls) at the full
     * 1,000 operations; through the executable at a CI size (1,000 in the soak run).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Mode.class)
    void mixedAddAndDelFromParallelWorkersLeaveTheStoreEqualToTheLiveAttachments(Mode mode) throws Exception {
        int ops = mode == Mode.IN_PROCESS ? Calls.size("mixedOpsInProcess", 1000, 1000) : Calls.size("mixedOps", 40, 1000);
        int workers = 20;
        String conf = conf("10.244.0.0/24");
        HostLocal plugin = new HostLocal();
        Map<String, String> live = new ConcurrentHashMap<>(); // key -> cid/ifname
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger adds = new AtomicInteger();
        AtomicInteger dels = new AtomicInteger();
        long seed = new Random().nextLong();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        Calls.Served served = Calls.served();
        long ms;
        try {
            long t0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int worker = w;
                int share = ops / workers + (w < ops % workers ? 1 : 0);
                done.add(pool.submit(() -> {
                    Random r = new Random(seed + worker);
                    // each worker owns 4 attachments (2 containers x 2 interfaces): at most 80 live of 253 addresses
                    Map<String, Boolean> mine = new HashMap<>();
                    for (int op = 0; op < share; op++) {
                        String cid = "mix" + worker + "-" + r.nextInt(2);
                        String ifName = "eth" + r.nextInt(2);
                        String key = Store.key(cid, ifName);
                        boolean isLive = mine.getOrDefault(key, false);
                        // a live attachment is deleted; a gone one is added, or (one time in four) deleted again
                        String verb = isLive || r.nextInt(4) == 0 ? "DEL" : "ADD";
                        Dist.Run run = mode == Mode.IN_PROCESS ? Calls.inProcess(plugin, verb, attachment(cid, ifName), conf)
                                : Calls.cni("host-local", verb, attachment(cid, ifName), conf);
                        if (run.exitCode() != 0) {
                            failures.add(verb + " " + cid + "/" + ifName + ": " + run.stdout() + run.stderr());
                            continue;
                        }
                        if (verb.equals("ADD")) {
                            adds.incrementAndGet();
                            mine.put(key, true);
                            live.put(key, Ip.format(run.result().ips().get(0).address().address()));
                        } else {
                            dels.incrementAndGet();
                            mine.put(key, false);
                            live.remove(key);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.MINUTES);
            }
            ms = (System.nanoTime() - t0) / 1_000_000;
        } finally {
            pool.shutdownNow();
        }
        Path dir = data.resolve(NET);
        Map<String, String> store = Store.reservations(dir);
        Map<String, String> expected = new TreeMap<>();
        live.forEach((key, ip) -> expected.put(ip, key));
        Calls.figure("mixed ADD/DEL", ops + " operations (" + adds + " ADD, " + dels + " DEL) from " + workers + " workers, "
                + (mode == Mode.IN_PROCESS ? "in-process" : Calls.mode()) + ": " + failures.size() + " errors, " + expected.size()
                + " live attachments, store " + (expected.equals(store) ? "equal to them" : "DIFFERENT") + ", " + ms + " ms wall");
        assertEquals(List.of(), failures);
        assertEquals(ops, adds.get() + dels.get());
        served.expect(mode == Mode.IN_PROCESS ? 0 : ops, ops + " host-local calls");
        assertEquals(expected, store, "the store holds exactly the live attachments");
        assertEquals(List.of(), Store.temporaryFiles(dir));
        assertTrue(Store.files(dir).contains("lock"));
    }
}
