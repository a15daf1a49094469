package dev.jcni.plugins.bandwidth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jcni.netns.NetNs;
import dev.jcni.plugins.bandwidth.BwRig.Impl;
import dev.jcni.sdk.testsupport.KernelTest;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The limits hold on the wire: TCP between the test's two namespaces through the shaped veth, a
 * bounded number of bytes each way, throughput measured by the receiver and compared with the
 * configured rate as a ratio (no assertion on elapsed time). Before ADD and after DEL the same
 * transfer is far faster, which shows the shaping is the plugin's.
 */
@KernelTest
class BandwidthTrafficIT {
    /** Into the container: 8 Mbit/s = 1,000,000 bytes/s. */
    static final long INGRESS_BITS = 8_000_000;
    /** Out of the container: 4 Mbit/s = 500,000 bytes/s. */
    static final long EGRESS_BITS = 4_000_000;
    static final int BURST_BITS = 400_000;

    /**
     * Sends {@code bytes} from one namespace to a listener in the other and returns the receiver's
     * throughput in bytes per second, from the first byte read to the end of the stream.
     */
    static double throughput(TestNetns from, TestNetns to, String toAddress, int bytes) throws Exception {
        InetAddress addr = InetAddress.getByName(toAddress);
        try (NetNs s = NetNs.get(to.path().toString()); NetNs c = NetNs.get(from.path().toString());
             ServerSocket ss = s.call(() -> new ServerSocket(0, 1, addr))) {
            ss.setSoTimeout(30_000);
            CompletableFuture<double[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket peer = ss.accept(); InputStream in = peer.getInputStream()) {
                    peer.setSoTimeout(30_000);
                    byte[] buf = new byte[65536];
                    long total = 0;
                    long first = 0;
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        if (total == 0 && n > 0) {
                            first = System.nanoTime();
                        }
                        total += n;
                    }
                    return new double[] {total, (System.nanoTime() - first) / 1e9};
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            try (Socket sock = c.call(() -> {
                Socket k = new Socket();
                k.connect(new InetSocketAddress(addr, ss.getLocalPort()), 5000);
                return k;
            }); OutputStream out = sock.getOutputStream()) {
                byte[] chunk = new byte[16384];
                for (int sent = 0; sent < bytes; sent += chunk.length) {
                    out.write(chunk, 0, Math.min(chunk.length, bytes - sent));
                }
            }
            double[] r = received.get(60, TimeUnit.SECONDS);
            assertEquals(bytes, (long) r[0], "every byte arrived");
            return r[0] / Math.max(r[1], 1e-6);
        }
    }

    @Test
    void ratesAreLimitedBothWaysAndFreedByDel() throws Exception {
        try (BwRig rig = new BwRig()) {
            String conf = rig.conf("1.0.0", "\"ingressRate\":" + INGRESS_BITS + ",\"ingressBurst\":" + BURST_BITS
                    + ",\"egressRate\":" + EGRESS_BITS + ",\"egressBurst\":" + BURST_BITS);
            double inRate = INGRESS_BITS / 8.0;
            double outRate = EGRESS_BITS / 8.0;
            double freeIn = throughput(rig.host, rig.ctr, rig.ctrIp, 4_000_000);
            double freeOut = throughput(rig.ctr, rig.host, rig.hostIp, 4_000_000);

            rig.run(Impl.JCNI, "ADD", conf).result();
            double shapedIn = throughput(rig.host, rig.ctr, rig.ctrIp, 1_500_000);
            double shapedOut = throughput(rig.ctr, rig.host, rig.hostIp, 750_000);
            rig.run(Impl.JCNI, "DEL", conf).assertQuietSuccess();
            double againIn = throughput(rig.host, rig.ctr, rig.ctrIp, 4_000_000);
            double againOut = throughput(rig.ctr, rig.host, rig.hostIp, 4_000_000);

            String figures = String.format("bytes/s: free in %.0f out %.0f; shaped in %.0f (limit %.0f) out %.0f (limit %.0f); "
                    + "after DEL in %.0f out %.0f", freeIn, freeOut, shapedIn, inRate, shapedOut, outRate, againIn, againOut);
            System.out.println("BandwidthTrafficIT " + figures);
            // shaped: within a factor of the configured rate (TCP on a tbf reaches a good part of it, never much more)
            assertTrue(shapedIn / inRate > 0.25 && shapedIn / inRate < 1.5, figures);
            assertTrue(shapedOut / outRate > 0.25 && shapedOut / outRate < 1.5, figures);
            // the same path unshaped is far faster, before ADD and after DEL
            for (double free : List.of(freeIn, freeOut, againIn, againOut)) {
                assertTrue(free > 5 * inRate, figures);
            }
            assertEquals(List.of(), rig.leftovers());
        }
    }
}
