package dev.jcni.sdk.warm;

import dev.jcni.sdk.internal.PeerProcesses;
import dev.jcni.sdk.internal.PluginLog;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the daemon's {@linkplain Metrics metrics} are read:
 * <ul>
 *   <li>always, {@code <socket>.metrics.sock} beside the call socket ({@code /run/jcni/<dist>.metrics.sock}):
 *       root's, mode 0600, in the root-only directory; a connection gets the text and is closed.
 *       {@code jcni metrics} reads it;</li>
 *   <li>on request, {@code --metrics-listen HOST:PORT}: an HTTP listener on a loopback address
 *       ({@code GET /metrics}), for a Prometheus on the node (JDK's {@code jdk.httpserver} module);</li>
 *   <li>on request, {@code --metrics-textfile PATH}: the text written to PATH every 15 s (through a
 *       temporary file and a rename), for node_exporter's textfile collector.</li>
 * </ul>
 * None of them is on a call's path.
 */
public final class MetricsEndpoint implements AutoCloseable {
    /** How often the text file is rewritten. */
    static final long TEXTFILE_PERIOD_SECONDS = 15;
    /** The Content-Type of the text format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Rendezvous socket;
    private final Supplier<String> text;
    private final PluginLog log;
    private final Optional<PeerProcesses> peers;
    private volatile AutoCloseable http;

    private MetricsEndpoint(Rendezvous socket, Supplier<String> text, PluginLog log, Optional<PeerProcesses> peers) {
        this.socket = socket;
        this.text = text;
        this.log = log;
        this.peers = peers;
    }

    /**
     * @param callSocket the daemon's call socket
     * @return its metrics socket: {@code x.sock} gives {@code x.metrics.sock}
     */
    static Path socketFor(Path callSocket) {
        String name = callSocket.getFileName().toString();
        String base = name.endsWith(".sock") ? name.substring(0, name.length() - 5) : name;
        return callSocket.resolveSibling(base + ".metrics.sock");
    }

    /** The opt-in endpoints: the HTTP listener's address and the text file. */
    record Extra(Optional<InetSocketAddress> listen, Optional<Path> textfile) {
    }

    /**
     * Takes the metrics options out of the daemon's command line.
     *
     * @param args the command line
     * @param rest receives the other arguments, in order
     * @return the options
     * @throws IllegalArgumentException on a bad value (a listener address that is not loopback, say)
     */
    static Extra extract(String[] args, List<String> rest) {
        Optional<InetSocketAddress> listen = Optional.empty();
        Optional<Path> textfile = Optional.empty();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--metrics-listen") || a.equals("--metrics-textfile")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                if (a.equals("--metrics-listen")) {
                    listen = Optional.of(loopback(v));
                } else {
                    textfile = Optional.of(Path.of(v).toAbsolutePath());
                }
            } else {
                rest.add(a);
            }
        }
        return new Extra(listen, textfile);
    }

    /** {@code HOST:PORT} with a loopback HOST (127.0.0.1, [::1], localhost); port 0 picks a free one. */
    static InetSocketAddress loopback(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--metrics-listen needs HOST:PORT, got " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--metrics-listen needs a port from 0 to 65535, got " + hostPort);
        }
        boolean literal = host.matches("[0-9.]+") || host.contains(":");
        if (!literal && !host.equals("localhost")) {
            throw new IllegalArgumentException("--metrics-listen takes a loopback address (127.0.0.1, [::1], localhost), got "
                    + host);
        }
        InetAddress address;
        try {
            // a literal: no name service lookup
            address = literal ? InetAddress.getByName(host) : InetAddress.getLoopbackAddress();
        } catch (IOException e) {
            throw new IllegalArgumentException("--metrics-listen: not an address: " + host);
        }
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("--metrics-listen takes a loopback address only (127.0.0.1, [::1]), got " + host
                    + ": to scrape from elsewhere, use node_exporter's textfile (--metrics-textfile) or a node agent");
        }
        return new InetSocketAddress(address, port);
    }

    /**
     * Binds the metrics socket and serves it on a thread of its own.
     *
     * @param callSocket the daemon's call socket
     * @param text the metrics text
     * @param log the daemon's log
     * @param peers the kernel's account of callers (a connection from a non-root uid is closed)
     * @return the endpoint
     * @throws IOException when the socket cannot be bound
     */
    static MetricsEndpoint open(Path callSocket, Supplier<String> text, PluginLog log, Optional<PeerProcesses> peers)
            throws IOException {
        MetricsEndpoint e = new MetricsEndpoint(Rendezvous.open(socketFor(callSocket), 16), text, log, peers);
        Thread t = new Thread(e::serve, "jcni-metrics");
        t.setDaemon(true);
        t.start();
        return e;
    }

    private void serve() {
        while (true) {
            try (SocketChannel ch = socket.server().accept()) {
                if (peers.isPresent()) {
                    try (PeerProcesses.Peer peer = peers.get().of(ch)) {
                        if (peer.uid() != 0) {
                            continue;
                        }
                    }
                }
                ByteBuffer b = ByteBuffer.wrap(text.get().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!socket.server().isOpen()) {
                    return;
                }
                log.log(Level.DEBUG, "metrics connection failed: " + e);
            }
        }
    }

    /** @return the metrics socket */
    Path socket() {
        return socket.socket();
    }

    /**
     * Starts the opt-in endpoints.
     *
     * @param extra what was asked for
     * @param timer where the text file's rewrite is scheduled
     * @throws IOException when the listener cannot be bound
     */
    void startExtra(Extra extra, java.util.concurrent.ScheduledExecutorService timer) throws IOException {
        if (extra.listen().isPresent()) {
            try {
                HttpListener h = HttpListener.start(extra.listen().get(), text);
                http = h;
                log.log(Level.INFO, "metrics on http://" + hostPort(h.address()) + "/metrics");
            } catch (LinkageError e) {
                throw new IOException("--metrics-listen needs the JDK module jdk.httpserver, which this Java runtime lacks");
            }
        }
        if (extra.textfile().isPresent()) {
            Path file = extra.textfile().get();
            writeTextfile(file);
            timer.scheduleWithFixedDelay(() -> writeTextfile(file), TEXTFILE_PERIOD_SECONDS, TEXTFILE_PERIOD_SECONDS,
                    java.util.concurrent.TimeUnit.SECONDS);
            log.log(Level.INFO, "metrics written to " + file + " every " + TEXTFILE_PERIOD_SECONDS + " s");
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private void writeTextfile(Path file) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.writeString(tmp, text.get(), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            log.log(Level.WARNING, "cannot write the metrics to " + file + ": " + e);
        }
    }

    /** Stops serving and removes the socket. */
    @Override
    public void close() {
        socket.close();
        AutoCloseable h = http;
        if (h != null) {
            try {
                h.close();
            } catch (Exception e) {
                // stopping anyway
            }
        }
    }

    /**
     * {@code jcni metrics [--socket PATH]}: prints the metrics of the daemon. Without
     * {@code --socket}, the one metrics socket in /run/jcni.
     *
     * @param args the arguments after {@code metrics}
     * @param out where the text goes
     * @param err where errors go
     * @return 0, 1 when no daemon answers, 2 on a usage error
     */
    public static int print(String[] args, PrintStream out, PrintStream err) {
        Path sock = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--socket") && i + 1 < args.length) {
                sock = socketFor(Path.of(args[++i]));
                if (Path.of(args[i]).getFileName().toString().endsWith(".metrics.sock")) {
                    sock = Path.of(args[i]);
                }
            } else {
                err.println("jcni metrics: unknown argument " + args[i]);
                err.println("usage: jcni metrics [--socket /run/jcni/<dist>.sock]");
                return 2;
            }
        }
        if (sock == null) {
            List<Path> found = metricsSockets(Rendezvous.RUN_DIR);
            if (found.size() != 1) {
                err.println("jcni metrics: " + (found.isEmpty() ? "no daemon's metrics socket in " + Rendezvous.RUN_DIR
                        + " (is the daemon running? it needs root)" : "several daemons (" + found + "): name one with --socket"));
                return 1;
            }
            sock = found.get(0);
        }
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            byte[] text = Channels.newInputStream(ch).readAllBytes();
            if (text.length == 0) {
                err.println("jcni metrics: " + sock + " gave nothing (only root may read it)");
                return 1;
            }
            out.write(text, 0, text.length);
            out.flush();
            return 0;
        } catch (IOException e) {
            err.println("jcni metrics: cannot read " + sock + ": " + e.getMessage());
            return 1;
        }
    }

    /**
     * @param dir the sockets' directory
     * @return the metrics sockets in it, sorted
     */
    static List<Path> metricsSockets(Path dir) {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.metrics.sock")) {
            ds.forEach(found::add);
        } catch (IOException e) {
            // none
        }
        found.sort(null);
        return found;
    }
}
