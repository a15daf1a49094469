package dev.jcni.plugins.portmap;

import dev.jcni.netns.NetNs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * TCP and UDP echo servers bound inside a namespace (the sockets are made while the thread is in the
 * namespace, then served from daemon threads), and the matching clients. A reply is
 * {@code "<name> <address the server saw>"}, so tests can tell which container answered and whether
 * the source was masqueraded.
 */
final class Echo implements AutoCloseable {
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final String name;

    private Echo(String name, ServerSocket tcp, DatagramSocket udp) {
        this.name = name;
        this.tcp = tcp;
        this.udp = udp;
    }

    /**
     * @param ns the namespace
     * @param name what the servers answer with
     * @param tcpPort the TCP port (all addresses, both families)
     * @param udpPort the UDP port
     * @return the running servers
     */
    static Echo start(NetNs ns, String name, int tcpPort, int udpPort) throws IOException {
        ServerSocket s = ns.call(() -> {
            ServerSocket ss = new ServerSocket();
            ss.setReuseAddress(true);
            ss.bind(new InetSocketAddress(tcpPort), 50);
            return ss;
        });
        DatagramSocket d = ns.call(() -> new DatagramSocket(udpPort));
        Echo e = new Echo(name, s, d);
        Thread t = new Thread(e::serveTcp, "echo-tcp-" + name);
        t.setDaemon(true);
        t.start();
        Thread u = new Thread(e::serveUdp, "echo-udp-" + name);
        u.setDaemon(true);
        u.start();
        return e;
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket c = tcp.accept();
                Thread t = new Thread(() -> answer(c), "echo-tcp-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answer(Socket c) {
        try (c) {
            c.setSoTimeout(10_000);
            new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)).readLine();
            OutputStream out = c.getOutputStream();
            out.write((name + " " + address(c.getInetAddress()) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            // the client went away
        }
    }

    private void serveUdp() {
        byte[] buf = new byte[1500];
        while (!udp.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                byte[] reply = (name + " " + address(p.getAddress())).getBytes(StandardCharsets.UTF_8);
                udp.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (udp.isClosed()) {
                    return;
                }
            }
        }
    }

    /** The address as the tests write it: IPv4-mapped addresses of the dual-stack socket as IPv4. */
    static String address(InetAddress a) {
        return dev.jcni.sdk.types.Ip.format(dev.jcni.sdk.types.Ip.fromBytes(a.getAddress()));
    }

    @Override
    public void close() {
        try {
            tcp.close();
        } catch (IOException e) {
            // closing
        }
        udp.close();
    }

    // ---------------------------------------------------------------- clients

    /**
     * Connects over TCP (from a namespace, or from the test's own when empty) and returns the reply.
     *
     * @throws IOException when the connection fails or no reply comes within 3 s
     */
    static String tcp(Optional<NetNs> ns, InetAddress to, int port) throws IOException {
        return ns.isPresent() ? ns.get().call(() -> tcpHere(to, port)) : tcpHere(to, port);
    }

    private static String tcpHere(InetAddress to, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(to, port), 3000);
            s.setSoTimeout(3000);
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (line == null) {
                throw new IOException("connection closed without a reply");
            }
            return line;
        }
    }

    /**
     * Sends a datagram (up to 3 tries, 2 s each) and returns the reply.
     *
     * @param sourcePort the local port, 0 for any
     * @throws SocketTimeoutException when nothing answers
     */
    static String udp(Optional<NetNs> ns, int sourcePort, InetAddress to, int port) throws IOException {
        return ns.isPresent() ? ns.get().call(() -> udpHere(sourcePort, to, port)) : udpHere(sourcePort, to, port);
    }

    private static String udpHere(int sourcePort, InetAddress to, int port) throws IOException {
        try (DatagramSocket s = new DatagramSocket(null)) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(sourcePort));
            s.setSoTimeout(2000);
            byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
            SocketTimeoutException last = null;
            for (int i = 0; i < 3; i++) {
                s.send(new DatagramPacket(ping, ping.length, to, port));
                byte[] buf = new byte[1500];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
                } catch (SocketTimeoutException e) {
                    last = e;
                }
            }
            throw last;
        }
    }
}
