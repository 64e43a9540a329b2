package staffsync.http;

import com.google.gson.stream.JsonWriter;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.auth.JwksStatus;
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

        /**
         * Why the server cannot serve clients although hub and store are up (a stalled hub, a
         * WebSocket listener that is not accepting); null when it can.
         */
        String servingProblem();

        // ---- access control (issue 11); the defaults describe a server without it ----

        /** The read-only switch (READ_ONLY, PUT /admin/read-only). */
        default boolean readOnly() {
            return false;
        }

        /** {@code "off"} or {@code "jwt"}. */
        default String authMode() {
            return "off";
        }

        /** The project's JWKS, or null when none is used. */
        default JwksStatus jwks() {
            return null;
        }

        /** Why no token can be checked (so nobody can connect), or null. */
        default String authNotReadyReason() {
            return null;
        }

        /** Why some tokens may fail although the server works (a JWKS that cannot be refreshed), or null. */
        default String authWarning() {
            return null;
        }
    }

    /**
     * What the port lets clients hold.
     *
     * @param maxConnections        connections at once (HTTP_MAX_CONNECTIONS); also the most threads
     * @param requestTimeoutSeconds to send a request, and to take its response (HTTP_REQUEST_TIMEOUT_SECONDS)
     * @param idleTimeoutSeconds    a kept-alive connection may sit idle (HTTP_IDLE_TIMEOUT_SECONDS)
     */
    public record Limits(int maxConnections, int requestTimeoutSeconds, int idleTimeoutSeconds) {}

    private final HttpServer server;
    private final ExecutorService executor;
    private final Sources sources;
    private final BoardPage board;

    public HttpEndpoints(String host, int port, Limits limits, Sources sources, BoardPage board) throws IOException {
        this.sources = sources;
        this.board = board;
        applyServerLimits(limits);
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        // The JDK server reads a request's line and headers on the executor's thread, blocking: a
        // client that sends its headers slowly holds a thread for as long as it likes (slowloris).
        // So one thread per connection that is sending or being answered, up to the connection
        // bound, instead of a small fixed pool that two slow clients fill; the time limits above
        // end such clients. Beyond the bound the JDK closes new connections at once.
        this.executor = new ThreadPoolExecutor(0, limits.maxConnections(), 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), task -> {
                    Thread thread = new Thread(task, "http");
                    thread.setDaemon(true);
                    return thread;
                });
        server.setExecutor(executor);
        server.createContext("/", this::route);
    }

    /** Serves one more path (such as the admin endpoint) on this port, with the same threads. */
    public void serve(String path, HttpHandler handler) {
        server.createContext(path, handler);
    }

    /**
     * The JDK's HttpServer takes its limits only from system properties, read once when its
     * implementation class loads (the first HttpServer.create in the process): set them before.
     * Names and units as in JDK 17's sun.net.httpserver.ServerConfig (checked against 17.0.15).
     */
    private static void applyServerLimits(Limits limits) {
        // From a request's first byte until it is read, and while its response is written; a
        // connection over either is closed (checked every second).
        System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(limits.requestTimeoutSeconds()));
        System.setProperty("sun.net.httpserver.maxRspTime", Integer.toString(limits.requestTimeoutSeconds()));
        // Idle kept-alive connections, and accepted ones that never send a byte (those get the
        // smaller of this and maxReqTime); the check runs every clockTick ms (default 10 s).
        System.setProperty("sun.net.httpserver.idleInterval", Integer.toString(limits.idleTimeoutSeconds()));
        System.setProperty("sun.net.httpserver.clockTick", "1000");
        System.setProperty("jdk.httpserver.maxConnections", Integer.toString(limits.maxConnections()));
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
            out.name("readOnly").value(sources.readOnly());
            out.name("auth").beginObject();
            out.name("mode").value(sources.authMode());
            JwksStatus jwks = sources.jwks();
            if (jwks != null) {
                out.name("jwks").beginObject();
                out.name("url").value(jwks.url());
                out.name("keys").value(jwks.keys());
                out.name("fetchedAt").value(jwks.fetchedAt() == null ? null : jwks.fetchedAt().toString());
                out.name("lastError").value(jwks.lastError());
                out.endObject();
            }
            out.endObject();
            out.name("uptimeSeconds").value(uptimeSeconds());
            out.name("version").value(sources.version());
        });
    }

    private void ready(HttpExchange exchange) throws IOException {
        HubStatus hub = sources.hub();
        StoreHealth store = sources.store();
        String serving = sources.servingProblem();
        String reason = !hub.running() ? "the hub is not running"
                : !store.reachable() ? "the store is unreachable" + (store.lastError() != null ? ": " + store.lastError() : "")
                : !hub.loaded() ? "the store has not loaded yet"
                : serving != null ? serving
                : sources.authNotReadyReason();
        String warning = sources.authWarning();
        String body = json(out -> {
            out.name("ready").value(reason == null);
            if (reason != null) {
                out.name("reason").value(reason);
            }
            if (warning != null) {
                out.name("warning").value(warning);
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

    static String error(String message) {
        return json(out -> out.name("error").value(message));
    }

    interface Fields {
        void write(JsonWriter out) throws IOException;
    }

    static String json(Fields fields) {
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

    static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
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
