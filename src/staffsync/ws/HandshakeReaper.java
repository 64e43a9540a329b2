package staffsync.ws;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.ByteChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.java_websocket.WebSocketAdapter;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.WebSocketServerFactory;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;
import staffsync.metrics.Metrics;

/**
 * Creates every socket's WebSocket object (a {@link SyncSocket}) and applies the socket options (so it is also where the
 * send buffer size is set). Closes sockets that never become a WebSocket: ones that connect and send no handshake, and
 * ones whose handshake was refused (Java-WebSocket answers those but leaves the socket open,
 * issue #1471). It sees every socket because it is the factory the library creates them with.
 *
 * <p>Thread-safety: the map is concurrent; sockets are added by the selector thread and
 * checked by the timer thread.
 */
final class HandshakeReaper implements WebSocketServerFactory {
    private final Map<WebSocketImpl, Long> unopened = new ConcurrentHashMap<>();
    private final long timeoutNanos;
    /** SO_SNDBUF for accepted sockets; 0 leaves the kernel's default (auto-tuned). */
    private final int sendBufferBytes;
    private final Metrics metrics;
    private final InboundRules rules;

    HandshakeReaper(long timeoutMs, int sendBufferBytes, Metrics metrics, InboundRules rules) {
        this.timeoutNanos = timeoutMs * 1_000_000L;
        this.sendBufferBytes = sendBufferBytes;
        this.metrics = metrics;
        this.rules = rules;
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter adapter, Draft draft) {
        return createWebSocket(adapter, List.of(draft));
    }

    @Override
    public WebSocketImpl createWebSocket(WebSocketAdapter adapter, List<Draft> drafts) {
        return track(new SyncSocket(adapter, drafts, rules));
    }

    @Override
    public ByteChannel wrapChannel(SocketChannel channel, SelectionKey key) throws IOException {
        if (sendBufferBytes > 0) {
            // The kernel's buffer otherwise grows to megabytes and hides a slow reader from the
            // OUTBOUND_LIMIT_BYTES bound for as long as it takes to fill.
            channel.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferBytes);
        }
        // The channel itself, unwrapped: the socket writers need it for gathering writes.
        return channel;
    }

    @Override
    public void close() {
        // nothing of its own to release: the sockets are closed by the server
    }

    private WebSocketImpl track(WebSocketImpl socket) {
        unopened.put(socket, System.nanoTime());
        return socket;
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
