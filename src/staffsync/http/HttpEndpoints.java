package staffsync.http;

import com.google.gson.stream.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.hub.HubStatus;
import staffsync.metrics.Metrics;
import staffsync.store.StoreHealth;

/**
 * The plain-HTTP edge on its own port (Java-WebSocket cannot answer ordinary HTTP requests):
 * {@code /health}, {@code /ready} and {@code /metrics}, with the JDK's built-in HttpServer, and the
 * live board ({@link BoardPage}) at {@code /}.
 * It only reads published snapshots (the hub's status, the store's health, counters), so it
 * never waits on the hub or the store.
 */
public final class HttpEndpoints {
    private static final Logger LOG = Logger.getLogger(HttpEndpoints.class.getName());

    /** The live values the endpoints report; Main supplies them. */
    public interface Sources {
        HubStatus hub();

        StoreHealth store();

        Metrics metrics();

        String version();

        long startedAtMillis();
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Sources sources;
    private final BoardPage board;

    public HttpEndpoints(String host, int port, Sources sources, BoardPage board) throws IOException {
        this.sources = sources;
        this.board = board;
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        this.executor = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "http");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::route);
    }

    public int start() {
        server.start();
        return server.getAddress().getPort();
    }

    public void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void route(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (board.serves(path)) {
                board.handle(exchange);
                return;
            }
            boolean known = path.equals("/health") || path.equals("/ready") || path.equals("/metrics");
            if (!known) {
                respond(exchange, 404, "application/json", error("not found: " + path + " (try /, /health, /ready, /metrics)"));
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(exchange, 405, "application/json", error("method " + method + " not allowed; use GET"));
            } else if (path.equals("/health")) {
                respond(exchange, 200, "application/json", health());
            } else if (path.equals("/ready")) {
                ready(exchange);
            } else {
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics());
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "HTTP handler failed", e);
        }
    }

    private String health() {
        HubStatus hub = sources.hub();
        StoreHealth store = sources.store();
        return json(out -> {
            out.name("status").value(hub.running() && store.reachable() ? "ok" : "degraded");
            out.name("store").beginObject();
            out.name("kind").value(store.kind());
            out.name("reachable").value(store.reachable());
            out.name("latencyMs").value(store.latencyMs());
            out.name("lastError").value(store.lastError());
            out.endObject();
            out.name("connections").value(hub.connections());
            out.name("epoch").value(hub.epoch());
            out.name("sequenceNumber").value(hub.sequence());
            out.name("rows").value(hub.rows());
            out.name("uptimeSeconds").value(uptimeSeconds());
            out.name("version").value(sources.version());
        });
    }

    private void ready(HttpExchange exchange) throws IOException {
        HubStatus hub = sources.hub();
        StoreHealth store = sources.store();
        String reason = !hub.running() ? "the hub is not running"
                : !store.reachable() ? "the store is unreachable" + (store.lastError() != null ? ": " + store.lastError() : "")
                : !hub.loaded() ? "the store has not loaded yet"
                : null;
        String body = json(out -> {
            out.name("ready").value(reason == null);
            if (reason != null) {
                out.name("reason").value(reason);
            }
        });
        respond(exchange, reason == null ? 200 : 503, "application/json", body);
    }

    private String metrics() {
        HubStatus hub = sources.hub();
        return sources.metrics().render(hub::connections, hub.sequence(), uptimeSeconds());
    }

    private long uptimeSeconds() {
        return (System.currentTimeMillis() - sources.startedAtMillis()) / 1000;
    }

    private static String error(String message) {
        return json(out -> out.name("error").value(message));
    }

    private interface Fields {
        void write(JsonWriter out) throws IOException;
    }

    private static String json(Fields fields) {
        StringWriter text = new StringWriter();
        try (JsonWriter out = new JsonWriter(text)) {
            out.setSerializeNulls(true);
            out.beginObject();
            fields.write(out);
            out.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
