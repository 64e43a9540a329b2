package staffsync.ws.library;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;
import staffsync.metrics.Metrics;

/**
 * Closes sockets that never become a WebSocket: ones that connect and send no handshake within
 * HANDSHAKE_TIMEOUT_MS, and ones whose handshake was refused (Java-WebSocket answers those but
 * leaves the socket open, issue #1471). It sees every socket because the {@link SocketFactory}
 * hands each one over as it is made.
 *
 * <p>Thread-safety: the map is concurrent; sockets are added by the selector thread and
 * checked by the ws-timers thread.
 */
final class HandshakeReaper {
    private final Map<WebSocketImpl, Long> unopened = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    private final Metrics metrics;

    HandshakeReaper(long timeoutMs, Metrics metrics) {
        this.timeoutNanos = timeoutMs * 1_000_000L;
        this.metrics = metrics;
    }

    /** A new socket: it has the timeout to open. */
    void watch(WebSocketImpl socket) {
        unopened.put(socket, System.nanoTime());
    }

    /** Runs on the timer: forget sockets that opened or closed, close the overdue rest. */
    void reap() {
        long now = System.nanoTime();
        unopened.forEach((socket, createdAt) -> {
            ReadyState state = socket.getReadyState();
            if (state == ReadyState.OPEN || state == ReadyState.CLOSED) {
                unopened.remove(socket);
            } else if (now - createdAt > timeoutNanos) {
                unopened.remove(socket);
                metrics.handshakeReaped();
                socket.closeConnection(CloseFrame.NEVER_CONNECTED, "no WebSocket handshake within the timeout");
            }
        });
    }
}
