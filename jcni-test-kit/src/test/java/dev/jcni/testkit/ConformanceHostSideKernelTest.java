package dev.jcni.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.sdk.skel.Plugin;
import dev.jcni.sdk.skel.Request;
import dev.jcni.sdk.testsupport.Kernel;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.types.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The nothing-left rule on the host side: a plugin whose DEL forgets what its ADD made on the host
 * (an iptables rule naming the container, a host route to the container's address, a host-local-style
 * reservation) is caught; the same plugin with a DEL that removes them is not.
 */
@KernelTest
class ConformanceHostSideKernelTest {
    @TempDir
    Path dataDir;

    final String run = String.format("%08x", ThreadLocalRandom.current().nextInt());
    final String address = "10." + ThreadLocalRandom.current().nextInt(200, 250) + "." + ThreadLocalRandom.current().nextInt(0, 250)
            + "." + ThreadLocalRandom.current().nextInt(2, 250);
    final String chain = "JCNIT-" + run;

    /** ADD: a chain with a rule naming the container, a host route to its address, a reservation; DEL: removes them or not. */
    final class HostPlugin implements Plugin {
        private final boolean leaky;

        HostPlugin(boolean leaky) {
            this.leaky = leaky;
        }

        @Override
        public Result add(Request request) throws IOException {
            Kernel.exec("iptables", "-w", "-t", "filter", "-N", chain);
            Kernel.exec("iptables", "-w", "-t", "filter", "-A", chain, "-m", "comment", "--comment", request.containerId(), "-j", "RETURN");
            Kernel.exec("ip", "route", "replace", address + "/32", "dev", "lo");
            Path store = Files.createDirectories(dataDir.resolve("hostside"));
            Files.writeString(store.resolve(address), request.containerId() + "\r\n" + request.ifName());
            return Result.fromJson(("{\"cniVersion\":\"1.1.0\",\"ips\":[{\"address\":\"" + address + "/24\"}]}")
                    .getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void check(Request request) {
        }

        @Override
        public void del(Request request) throws IOException {
            if (!leaky) {
                removeAll();
            }
        }
    }

    void removeAll() throws IOException {
        Kernel.exec("iptables", "-w", "-t", "filter", "-F", chain);
        Kernel.exec("iptables", "-w", "-t", "filter", "-X", chain);
        Kernel.exec("ip", "route", "del", address + "/32", "dev", "lo");
        Files.deleteIfExists(dataDir.resolve("hostside").resolve(address));
    }

    @AfterEach
    void cleanUp() throws IOException {
        removeAll();
    }

    String config() {
        return "{\"cniVersion\":\"1.1.0\",\"name\":\"hostside\",\"type\":\"hostside\","
                + "\"ipam\":{\"type\":\"host-local\",\"dataDir\":\"" + dataDir + "\"}}";
    }

    @Test
    void whatDelLeavesOnTheHostIsBroken() {
        ConformanceReport report = Conformance.of(new HostPlugin(true)).config(config()).versions(List.of("1.1.0")).run();
        ConformanceReport.Finding f = report.findings().stream().filter(x -> x.rule() == Rule.NOTHING_LEFT).findFirst().orElseThrow();
        assertEquals(ConformanceReport.Status.BROKEN, f.status(), report.toText());
        assertTrue(f.detail().contains("on the host: firewall line naming the container: iptables filter: -A " + chain), f.detail());
        assertTrue(f.detail().contains("on the host: host route: "), f.detail());
        assertTrue(f.detail().contains("on the host: IPAM reservation: " + dataDir.resolve("hostside").resolve(address)), f.detail());
        assertTrue(!f.detail().contains("in the namespace"), f.detail());
    }

    @Test
    void aDelThatRemovesItAllHolds() {
        ConformanceReport report = Conformance.of(new HostPlugin(false)).config(config()).versions(List.of("1.1.0")).run();
        ConformanceReport.Finding f = report.findings().stream().filter(x -> x.rule() == Rule.NOTHING_LEFT).findFirst().orElseThrow();
        assertEquals(ConformanceReport.Status.HOLDS, f.status(), report.toText());
    }
}
