package staffsync.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.auth.ReadOnlySwitch;

/**
 * {@code PUT /admin/read-only} with body {@code true} or {@code false} and
 * {@code Authorization: Bearer ADMIN_TOKEN}: the operator's switch for every write (PROTOCOL.md
 * "Read-only switch"). Served only when ADMIN_TOKEN is set. The token is compared in constant
 * time (as SHA-256 digests, so not even its length shows in the timing) and never logged.
 */
public final class ReadOnlyEndpoint implements HttpHandler {
    static final String PATH = "/admin/read-only";
    private static final Logger LOG = Logger.getLogger(ReadOnlyEndpoint.class.getName());
    private static final int MAX_BODY_BYTES = 64;

    private final ReadOnlySwitch readOnly;
    private final byte[] adminTokenDigest;

    ReadOnlyEndpoint(ReadOnlySwitch readOnly, String adminToken) {
        this.readOnly = readOnly;
        this.adminTokenDigest = sha256(adminToken);
    }

    /** Adds the endpoint to the HTTP port. */
    public static void serveOn(HttpEndpoints http, ReadOnlySwitch readOnly, String adminToken) {
        http.serve(PATH, new ReadOnlyEndpoint(readOnly, adminToken));
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals(PATH)) {
                HttpEndpoints.respond(exchange, 404, "application/json",
                        HttpEndpoints.error("not found: " + exchange.getRequestURI().getPath()));
            } else if (!exchange.getRequestMethod().equals("PUT")) {
                exchange.getResponseHeaders().set("Allow", "PUT");
                HttpEndpoints.respond(exchange, 405, "application/json",
                        HttpEndpoints.error("use PUT with body true or false"));
            } else if (!authorized(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"staff-sync admin\"");
                HttpEndpoints.respond(exchange, 401, "application/json",
                        HttpEndpoints.error("a valid admin token is required: Authorization: Bearer <ADMIN_TOKEN>"));
            } else {
                switchTo(exchange, body(exchange.getRequestBody()));
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "admin endpoint failed", e);
        }
    }

    private void switchTo(HttpExchange exchange, String body) throws IOException {
        if (!body.equals("true") && !body.equals("false")) {
            HttpEndpoints.respond(exchange, 400, "application/json", HttpEndpoints.error("the body must be true or false"));
            return;
        }
        boolean on = body.equals("true");
        boolean was = readOnly.isOn();
        readOnly.set(on);
        if (was != on) {
            LOG.info("read-only switched " + (on ? "on: writes are refused" : "off: writes are accepted again")
                    + " (PUT " + PATH + " from " + exchange.getRemoteAddress().getAddress().getHostAddress() + ")");
        }
        HttpEndpoints.respond(exchange, 200, "application/json", HttpEndpoints.json(out -> out.name("readOnly").value(on)));
    }

    private boolean authorized(String header) {
        String prefix = "Bearer ";
        if (header == null || !header.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        return MessageDigest.isEqual(sha256(header.substring(prefix.length()).strip()), adminTokenDigest);
    }

    /** The body, stripped; anything longer than a boolean is not one (and is not read further). */
    private static String body(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        return bytes.length > MAX_BODY_BYTES ? "" : new String(bytes, StandardCharsets.UTF_8).strip();
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
