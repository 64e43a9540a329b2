package staffsync.ws.library;

import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP upgrade request as the {@link HandshakeGate} read it, before Java-WebSocket sees it.
 *
 * @param method  the request method, as sent ("GET")
 * @param target  the request target: path and query ("/staff-sync?period=0")
 * @param headers every header, names in lower case; a repeated header's values joined with ", "
 * @param remote  the peer's address (null if the socket is already gone)
 */
public record HandshakeRequest(String method, String target, Map<String, String> headers, InetSocketAddress remote) {

    public HandshakeRequest {
        headers = Map.copyOf(headers);
    }

    /** The same request without its headers: what an open connection keeps of it. */
    public HandshakeRequest withoutHeaders() {
        return new HandshakeRequest(method, target, Map.of(), remote);
    }

    /** The header's value, or null when absent; the name in any case. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The target's path, without the query. */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** The first value of a query parameter, URL-decoded; null when absent or undecodable. */
    public String queryParameter(String name) {
        int start = target.indexOf('?');
        if (start < 0) {
            return null;
        }
        for (String pair : target.substring(start + 1).split("&")) {
            int equals = pair.indexOf('=');
            String key = equals < 0 ? pair : pair.substring(0, equals);
            if (decode(key).equals(name)) {
                return equals < 0 ? "" : decode(pair.substring(equals + 1));
            }
        }
        return null;
    }

    /** True when a comma-separated header holds the token, compared without case ("keep-alive, Upgrade"). */
    public boolean headerHasToken(String name, String token) {
        String value = header(name);
        if (value == null) {
            return false;
        }
        for (String part : value.split(",")) {
            if (part.trim().equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return "";
        }
    }

    /** Never print header values: one of them may carry a token. */
    @Override
    public String toString() {
        return "HandshakeRequest[" + method + " " + path() + " from " + remote + "]";
    }
}
