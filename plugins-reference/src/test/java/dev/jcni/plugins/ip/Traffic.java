package dev.jcni.plugins.ip;

import dev.jcni.netns.NetNs;
import dev.jcni.sdk.testsupport.TestNetns;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Traffic between namespaces a test made: ICMP echo (Java's {@code isReachable} sends ICMP as root)
 * and a TCP round trip, each socket opened inside its namespace (a socket stays in the namespace it
 * was made in). Only addresses on the test's own bridge or veths are used.
 */
public final class Traffic {
    private Traffic() {
    }

    /**
     * @param from the namespace to ping from
     * @param to the address
     * @return true when an echo reply came (up to 3 tries of 2 s, for neighbour discovery)
     */
    public static boolean ping(TestNetns from, InetAddress to) throws IOException {
        try (NetNs ns = NetNs.get(from.path().toString())) {
            for (int i = 0; i < 3; i++) {
                boolean ok = ns.call(() -> to.isReachable(2000));
                if (ok) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * A TCP connection from one namespace to a listener in another, with one byte each way.
     *
     * @param from the client's namespace
     * @param server the listener's namespace
     * @param address the listener's address
     * @return true when the byte came back
     */
    public static boolean tcp(TestNetns from, TestNetns server, InetAddress address) throws Exception {
        try (NetNs s = NetNs.get(server.path().toString()); NetNs c = NetNs.get(from.path().toString());
             ServerSocket ss = s.call(() -> new ServerSocket(0, 1, address))) {
            CompletableFuture<Void> echo = echoOnce(ss);
            try (Socket sock = c.call(() -> {
                Socket k = new Socket();
                k.connect(new InetSocketAddress(address, ss.getLocalPort()), 5000);
                return k;
            })) {
                sock.setSoTimeout(5000);
                sock.getOutputStream().write(42);
                boolean ok = sock.getInputStream().read() == 42;
                echo.get(10, TimeUnit.SECONDS);
                return ok;
            }
        }
    }

    /**
     * Accepts one connection and sends back the one byte it reads, in the background.
     *
     * @param ss the listener
     * @return done when the byte went back
     */
    public static CompletableFuture<Void> echoOnce(ServerSocket ss) {
        return CompletableFuture.runAsync(() -> {
            try (Socket peer = ss.accept(); InputStream in = peer.getInputStream(); OutputStream out = peer.getOutputStream()) {
                out.write(in.read());
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
