package dev.jcni.sdk.warm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The opt-in HTTP listener of the metrics ({@code --metrics-listen}), on the JDK's own HTTP server
 * (module {@code jdk.httpserver}): {@code GET /metrics} answers the text, anything else 404 or 405.
 * A class of its own so that a daemon without the option never loads the module's classes.
 */
final class HttpListener implements AutoCloseable {
    private final HttpServer server;

    private HttpListener(HttpServer server) {
        this.server = server;
    }

    static HttpListener start(InetSocketAddress address, Supplier<String> text) throws IOException {
        HttpServer server = HttpServer.create(address, 8);
        server.createContext("/", exchange -> answer(exchange, text));
        // the server's own dispatcher thread answers: a scrape is small and rare
        server.setExecutor(null);
        server.start();
        return new HttpListener(server);
    }

    private static void answer(HttpExchange exchange, Supplier<String> text) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            boolean head = exchange.getRequestMethod().equals("HEAD");
            if (!head && !exchange.getRequestMethod().equals("GET")) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = text.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", MetricsEndpoint.CONTENT_TYPE);
            exchange.sendResponseHeaders(200, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** @return the bound address (its port, when 0 was asked) */
    InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
