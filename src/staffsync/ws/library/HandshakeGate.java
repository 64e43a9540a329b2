package staffsync.ws.library;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads one connection's HTTP upgrade request before Java-WebSocket does, and decides whether the
 * library may have it. The library can refuse a handshake only with its fixed "404 WebSocket
 * Upgrade Failure"; reading the request here first lets every refusal carry its own status (400,
 * 401, 403, 426, 503, ...) and a reason, and bounds the request's size (the library would
 * buffer an endless header block).
 *
 * <p>Thread-safety: one per connection, used only by the worker thread that decodes that
 * connection's bytes (Java-WebSocket decodes each connection on one worker).
 */
final class HandshakeGate {
    /** The request head (request line and headers) may not be larger: 431 beyond. */
    static final int MAX_HEAD_BYTES = 16 * 1024;
    private static final byte[] END_OF_HEAD = {'\r', '\n', '\r', '\n'};

    /** What became of the bytes offered so far. */
    sealed interface Outcome {}

    /** The head is not complete yet. */
    record NeedMore() implements Outcome {}

    /** Every check passed: {@code head} goes to the library; {@code rest} are frames sent right after it. */
    record Accepted(HandshakeRequest request, ByteBuffer head, ByteBuffer rest) implements Outcome {}

    record Refused(HandshakeRefusal refusal) implements Outcome {}

    private final List<HandshakeCheck> checks;
    private ByteBuffer received = ByteBuffer.allocate(1024);

    HandshakeGate(List<HandshakeCheck> checks) {
        this.checks = checks;
    }

    Outcome offer(ByteBuffer bytes, InetSocketAddress remote) {
        if (received.remaining() < bytes.remaining()) {
            // Bounded: once past MAX_HEAD_BYTES without a blank line the request is refused.
            int needed = received.position() + bytes.remaining();
            received = ByteBuffer.allocate(Math.max(needed, received.capacity() * 2)).put(received.flip());
        }
        received.put(bytes);
        int headLength = indexOfEndOfHead();
        if (headLength < 0) {
            return received.position() > MAX_HEAD_BYTES
                    ? new Refused(HandshakeRefusal.of(431, "the request head is larger than " + MAX_HEAD_BYTES + " bytes"))
                    : new NeedMore();
        }
        if (headLength > MAX_HEAD_BYTES) {
            return new Refused(HandshakeRefusal.of(431, "the request head is larger than " + MAX_HEAD_BYTES + " bytes"));
        }
        ByteBuffer all = received.flip();
        ByteBuffer head = all.slice(0, headLength);
        ByteBuffer rest = all.slice(headLength, all.limit() - headLength);
        HandshakeRequest request = parse(head.duplicate(), remote);
        if (request == null) {
            return new Refused(HandshakeRefusal.of(400, "not an HTTP/1.1 request"));
        }
        for (HandshakeCheck check : checks) {
            HandshakeRefusal refusal = check.check(request);
            if (refusal != null) {
                return new Refused(refusal);
            }
        }
        return new Accepted(request, head, rest);
    }

    /** The length of the head including its blank line, or -1 while it is incomplete. */
    private int indexOfEndOfHead() {
        byte[] array = received.array();
        int end = received.position();
        outer:
        for (int i = 0; i + END_OF_HEAD.length <= end; i++) {
            for (int j = 0; j < END_OF_HEAD.length; j++) {
                if (array[i + j] != END_OF_HEAD[j]) {
                    continue outer;
                }
            }
            return i + END_OF_HEAD.length;
        }
        return -1;
    }

    /** The request line and headers (RFC 9112 section 2); null when it is not HTTP/1.1 at all. */
    private static HandshakeRequest parse(ByteBuffer head, InetSocketAddress remote) {
        String text = StandardCharsets.ISO_8859_1.decode(head).toString();
        String[] lines = text.split("\r\n");
        String[] requestLine = lines[0].split(" ");
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.") || requestLine[1].isEmpty()) {
            return null;
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                return null;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            headers.merge(name, value, (first, second) -> first + ", " + second);
        }
        return new HandshakeRequest(requestLine[0], requestLine[1], headers, remote);
    }
}
