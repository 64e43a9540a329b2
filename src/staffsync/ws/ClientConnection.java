package staffsync.ws;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.framing.CloseFrame;
import staffsync.hub.Client;
import staffsync.hub.Frame;
import staffsync.metrics.Metrics;

/**
 * One WebSocket connection, as the hub's {@link Client}. Its main job is to keep a slow reader
 * from costing anyone else anything: sends never block, and a connection whose unsent data
 * passes {@code outboundLimitBytes} loses its backlog and is closed with 1013.
 *
 * <p>Thread-safety: {@link #send} runs on the hub thread and on WebSocket workers (for direct
 * replies); all its state is atomic. The rate limiter belongs to the connection's worker.
 */
final class ClientConnection implements Client {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());

    private final String id;
    private final WebSocketImpl socket;
    private final SyncServer server;
    private final long outboundLimitBytes;
    private final Metrics metrics;
    final RateLimiter rateLimiter;
    final AtomicInteger pendingMutations = new AtomicInteger();
    /** Whether {@link WriteDemandRepair} has this connection in its queue. */
    final AtomicBoolean repairWatched = new AtomicBoolean();

    /**
     * Bytes queued since the queue was last measured: an upper bound on what is unsent. Measuring
     * the real backlog walks the library's queue, so it is done only when this passes the limit.
     */
    private final AtomicLong queuedSinceMeasured = new AtomicLong();
    private final AtomicBoolean dropped = new AtomicBoolean();

    ClientConnection(String id, WebSocketImpl socket, SyncServer server, long outboundLimitBytes,
                     RateLimiter rateLimiter, Metrics metrics) {
        this.id = id;
        this.socket = socket;
        this.server = server;
        this.outboundLimitBytes = outboundLimitBytes;
        this.rateLimiter = rateLimiter;
        this.metrics = metrics;
    }

    @Override
    public String connectionId() {
        return id;
    }

    @Override
    public void send(Frame frame) {
        if (dropped.get() || !socket.isOpen()) {
            return;
        }
        if (queuedSinceMeasured.addAndGet(frame.size()) > outboundLimitBytes) {
            long backlog = unsentBytes();
            queuedSinceMeasured.set(backlog + frame.size());
            if (backlog + frame.size() > outboundLimitBytes) {
                dropSlowConsumer(backlog);
                return;
            }
        }
        // The frame is already encoded: queue its bytes directly instead of letting the library
        // re-frame (and copy) the message once per connection.
        socket.outQueue.add(frame.buffer());
        server.onWriteDemand(socket);
        server.writeRepair.watch(this);
    }

    WebSocketImpl socket() {
        return socket;
    }

    @Override
    public boolean isClosed() {
        return socket.isClosing() || socket.isClosed();
    }

    @Override
    public void mutationSettled() {
        pendingMutations.decrementAndGet();
    }

    private long unsentBytes() {
        long total = 0;
        for (ByteBuffer buffer : socket.outQueue) {
            total += buffer.remaining();
        }
        return total;
    }

    private void dropSlowConsumer(long backlog) {
        if (!dropped.compareAndSet(false, true)) {
            return;
        }
        metrics.slowConsumerDropped();
        LOG.warning("connection " + id + " dropped: " + backlog + " bytes unsent, over the bound of "
                + outboundLimitBytes + " (OUTBOUND_LIMIT_BYTES)");
        discardBacklog();
        socket.close(CloseFrame.TRY_AGAIN_LATER, "slow consumer: outbound backlog over " + outboundLimitBytes + " bytes");
        // A peer that does not read will not answer the close frame either: cut it off soon.
        server.closeLater(socket, CloseFrame.TRY_AGAIN_LATER);
    }

    /**
     * Empties the library's queue except its head: the selector thread may have written part of
     * the head already, and cutting a frame in half would corrupt the stream before the close
     * frame. The peer is not reading, so the selector is not moving past the head meanwhile.
     */
    private void discardBacklog() {
        ByteBuffer head = socket.outQueue.peek();
        socket.outQueue.removeIf(buffer -> buffer != head);
    }
}
