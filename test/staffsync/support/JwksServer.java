package staffsync.support;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A project's JWKS endpoint for tests: the JDK's HttpServer on a free loopback port serving
 * whatever document the test sets (or an HTTP error), counting every fetch.
 */
public final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile String document;
    private volatile int status = 200;

    public JwksServer(String document) throws IOException {
        this.document = document;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/auth/v1/.well-known/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = (status == 200 ? this.document : "{\"message\":\"unavailable\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    /** What SUPABASE_URL would be for a project served here. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public URI jwksUrl() {
        return URI.create(baseUrl() + "/auth/v1/.well-known/jwks.json");
    }

    public void serve(String newDocument) {
        this.document = newDocument;
        this.status = 200;
    }

    /** Answers every fetch with this HTTP status (an outage) until {@link #serve} is called. */
    public void fail(int httpStatus) {
        this.status = httpStatus;
    }

    public int fetches() {
        return fetches.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
