package staffsync.ws.library;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An upgrade request answered with a plain HTTP error instead of a WebSocket. Java-WebSocket can
 * only answer "404 WebSocket Upgrade Failure" (and names itself in a Server header), so the gate
 * writes these responses itself.
 *
 * @param status  the HTTP status (400, 401, 403, 404, 426, 431, 503, ...)
 * @param reason  one line for the client, sent as the text body; never holds a token
 * @param headers extra response headers (Retry-After, Sec-WebSocket-Version, ...)
 */
public record HandshakeRefusal(int status, String reason, Map<String, String> headers) {

    public HandshakeRefusal {
        headers = Map.copyOf(headers);
    }

    public static HandshakeRefusal of(int status, String reason) {
        return new HandshakeRefusal(status, reason, Map.of());
    }

    public HandshakeRefusal withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new HandshakeRefusal(status, reason, more);
    }

    /** The whole response; the connection is closed after it. */
    ByteBuffer toHttpResponse() {
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder()
                .append("HTTP/1.1 ").append(status).append(' ').append(phrase(status)).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(headBytes.length + body.length).put(headBytes).put(body).flip();
    }

    private static String phrase(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 426 -> "Upgrade Required";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Refused";
        };
    }
}
