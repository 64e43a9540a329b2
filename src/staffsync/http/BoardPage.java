package staffsync.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The live board: a static page (HTML, CSS, its script and the JavaScript client, packed into the
 * jar by build.sh from clients/) served on the HTTP port at {@code /}, with {@code /staff-sync.js}
 * the client module itself. The page connects to this server's WebSocket port on the host it was
 * loaded from (or to {@code ?ws=URL}); its Content-Security-Policy allows exactly that one
 * WebSocket origin and nothing from any other host.
 *
 * <p>Immutable after construction except {@link #webSocketPort}, written once by Main when the
 * WebSocket port is bound (volatile: read by the HTTP threads).
 */
public final class BoardPage {
    private static final String RESOURCES = "/staffsync/http/board/";
    private static final String PORT_MARKER = "%WEBSOCKET_PORT%";
    /** A host as it may appear in a Host header or a URL: a name, IPv4, or a bracketed IPv6 literal. */
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])");
    private static final Pattern AUTHORITY = Pattern.compile(HOST.pattern() + "(:[0-9]{1,5})?");

    private record Asset(String contentType, byte[] bytes, String etag) {}

    private final String indexTemplate;
    private final Map<String, Asset> assets;
    private volatile int webSocketPort;

    private BoardPage(String indexTemplate, Map<String, Asset> assets) {
        this.indexTemplate = indexTemplate;
        this.assets = assets;
    }

    /** Reads the page's files from the jar; a jar built without them cannot start. */
    public static BoardPage load() throws IOException {
        String index = new String(resource("index.html"), StandardCharsets.UTF_8);
        if (!index.contains(PORT_MARKER)) {
            throw new IOException("the board's index.html has no " + PORT_MARKER + " marker");
        }
        return new BoardPage(index, Map.of(
                "/board.css", asset("text/css; charset=utf-8", resource("board.css")),
                "/board.js", asset("text/javascript; charset=utf-8", resource("board.js")),
                "/staff-sync.js", asset("text/javascript; charset=utf-8", resource("staff-sync.js"))));
    }

    /** Called once the WebSocket port is bound; until then the page answers 503. */
    public void webSocketPort(int port) {
        this.webSocketPort = port;
    }

    public boolean serves(String path) {
        return path.equals("/") || path.equals("/index.html") || assets.containsKey(path);
    }

    public void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            plain(exchange, 405, "method " + method + " not allowed; use GET");
            return;
        }
        String path = exchange.getRequestURI().getPath();
        Asset asset = assets.get(path);
        if (asset != null) {
            securityHeaders(exchange.getResponseHeaders(), "default-src 'none'; frame-ancestors 'none'");
            send(exchange, asset);
            return;
        }
        int port = webSocketPort;
        if (port == 0) {
            plain(exchange, 503, "starting: the WebSocket port is not bound yet");
            return;
        }
        String host = requestHost(exchange);
        if (host == null) {
            plain(exchange, 400, "the Host header is not a host name or address");
            return;
        }
        String connect = "'self' ws://" + host + ":" + port + " wss://" + host + ":" + port;
        String asked = queryParameter(exchange.getRequestURI().getRawQuery(), "ws");
        if (asked != null) {
            String origin = webSocketOrigin(asked);
            if (origin == null) {
                plain(exchange, 400, "?ws= must be a ws:// or wss:// URL, for example ws://localhost:8080/staff-sync");
                return;
            }
            connect += " " + origin;
        }
        securityHeaders(exchange.getResponseHeaders(), "default-src 'none'; script-src 'self'; style-src 'self'; "
                + "img-src 'self' data:; connect-src " + connect + "; base-uri 'none'; form-action 'none'; "
                + "frame-ancestors 'none'");
        byte[] page = indexTemplate.replace(PORT_MARKER, Integer.toString(port)).getBytes(StandardCharsets.UTF_8);
        send(exchange, asset("text/html; charset=utf-8", page));
    }

    /** The host (without port) the browser used, as the page's own script will see it. */
    private static String requestHost(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Host");
        if (header == null || header.isBlank()) {
            String address = exchange.getLocalAddress().getAddress().getHostAddress();
            return address.contains(":") ? "[" + address + "]" : address;
        }
        if (!AUTHORITY.matcher(header).matches()) {
            return null;
        }
        return header.startsWith("[") ? header.substring(0, header.indexOf(']') + 1)
                : header.contains(":") ? header.substring(0, header.indexOf(':')) : header;
    }

    /** {@code scheme://host[:port]} of a ws/wss URL, or null when it is not one. */
    static String webSocketOrigin(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            String authority = uri.getRawAuthority();
            boolean webSocket = scheme != null && (scheme.equalsIgnoreCase("ws") || scheme.equalsIgnoreCase("wss"));
            if (!webSocket || authority == null || uri.getRawFragment() != null || !AUTHORITY.matcher(authority).matches()) {
                return null;
            }
            return scheme.toLowerCase() + "://" + authority;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (key.equals(name)) {
                try {
                    return equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return "";
                }
            }
        }
        return null;
    }

    private static void securityHeaders(Headers headers, String contentSecurityPolicy) {
        headers.set("Content-Security-Policy", contentSecurityPolicy);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set("Referrer-Policy", "no-referrer");
        headers.set("Cross-Origin-Opener-Policy", "same-origin");
        headers.set("Cross-Origin-Resource-Policy", "same-origin");
        headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
        // Revalidate every time (cheap, by ETag): a new jar's page is never mixed with an old script.
        headers.set("Cache-Control", "no-cache");
    }

    private static void send(HttpExchange exchange, Asset asset) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", asset.contentType());
        headers.set("ETag", asset.etag());
        if (asset.etag().equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
            exchange.sendResponseHeaders(304, -1);
            return;
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(200, head ? -1 : asset.bytes().length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(asset.bytes());
            }
        }
    }

    private static void plain(HttpExchange exchange, int status, String message) throws IOException {
        securityHeaders(exchange.getResponseHeaders(), "default-src 'none'; frame-ancestors 'none'");
        HttpEndpoints.respond(exchange, status, "text/plain; charset=utf-8", message + "\n");
    }

    private static Asset asset(String contentType, byte[] bytes) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return new Asset(contentType, bytes, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = BoardPage.class.getResourceAsStream(RESOURCES + name)) {
            if (in == null) {
                throw new IOException("the jar has no " + RESOURCES + name + " (build.sh packs clients/board and clients/js)");
            }
            return in.readAllBytes();
        }
    }
}
