package staffsync.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.java_websocket.framing.CloseFrame;
import staffsync.hub.Client;
import staffsync.hub.Frame;
import staffsync.hub.Reply;
import staffsync.metrics.Metrics;
import staffsync.ws.library.LibrarySocket;

/**
 * One open WebSocket connection, as the hub's {@link Client}: the Go design's {@code Client}
 * with its {@code send} channel ({@link OutboundQueue}), bounded in bytes. Sends never block: they
 * append and schedule the connection on its {@link SocketWriter}. A connection whose unsent bytes
 * would pass {@code outboundLimitBytes} loses its backlog and is closed with 1013, so a slow
 * reader costs nobody else anything: a client is dropped for reading more slowly than it is sent
 * events, never for the size of what it asked for (see {@link OutboundQueue} on large replies).
 *
 * <p>Thread-safety: {@link #send} runs on the hub thread and on WebSocket workers (direct
 * replies); the queue's own comment says who takes from it. {@link #dropped} is set once, by the
 * compare-and-set of the sender that first finds the bound passed. What the client may still
 * send ({@link #inbound}) and its authentication ({@link #auth}) belong to the reading side and
 * have their owners in their own classes; the writer never touches them.
 */
final class ClientConnection extends WritableConnection implements Client, LibrarySocket.OwnWritePath {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());

    private final String id;
    private final LibrarySocket socket;
    private final SocketChannel channel;
    private final SocketWriter writer;
    private final long outboundLimitBytes;
    private final Metrics metrics;
    private final OutboundQueue queue;
    /** Set once, by the sender that first finds the bound passed; read by every sender. */
    private final AtomicBoolean dropped = new AtomicBoolean();
    /** What the client may still send; taken from by the worker reading it (see its class for owners). */
    final InboundLimits inbound;
    /** Its token and timer with AUTH_MODE=jwt; see {@link AccessControl}. */
    final ConnectionAuth auth = new ConnectionAuth();
    /** The kinds of protocol error already logged for this connection (see ProtocolErrorLog). */
    final ProtocolErrorLog.Seen protocolErrorsLogged = new ProtocolErrorLog.Seen();

    ClientConnection(String id, LibrarySocket socket, SocketWriter writer, long outboundLimitBytes,
                     InboundLimits inbound, Metrics metrics, ReplyPace replyPace) {
        this.id = id;
        this.socket = socket;
        this.channel = socket.channel();
        this.writer = writer;
        this.outboundLimitBytes = outboundLimitBytes;
        this.inbound = inbound;
        this.metrics = metrics;
        this.queue = new OutboundQueue(metrics, replyPace);
    }

    @Override
    public String connectionId() {
        return id;
    }

    /** The connection in a log line: its id and the client's address. */
    String describe() {
        return id + " (" + socket.remoteAddress() + ")";
    }

    @Override
    public void send(Frame frame) {
        // A fresh view per connection: the frame's bytes are shared, the position is not.
        enqueue(frame.buffer());
    }

    @Override
    public void send(Reply reply) {
        if (dropped.get() || !socket.isOpen()) {
            return; // the hub takes its turn back when it hears of the close
        }
        queue.add(reply);
        writer.schedule(this);
    }

    /** Queues encoded bytes (a frame, or several end to end). */
    @Override
    public void enqueue(ByteBuffer bytes) {
        if (withinBound(bytes.remaining())) {
            queue.add(bytes);
            writer.schedule(this);
        }
    }

    /** Queues a control frame (ping, pong): it goes out at the next frame boundary. */
    @Override
    public void enqueueControl(ByteBuffer bytes) {
        if (withinBound(bytes.remaining())) {
            queue.addControl(bytes);
            writer.schedule(this);
        }
    }

    /** Counts {@code size} more bytes in, or drops the connection if they would pass the bound. */
    private boolean withinBound(int size) {
        if (dropped.get() || !socket.isOpen()) {
            return false;
        }
        if (!queue.reserve(size, outboundLimitBytes)) {
            dropSlowConsumer();
            return false;
        }
        return true;
    }

    /** The Go design's "if the send channel is full, close the client". */
    private void dropSlowConsumer() {
        long readAhead = queue.readAheadBytes();
        drop(queue.backlogBytes() + " bytes unsent, over the bound of " + outboundLimitBytes + " (OUTBOUND_LIMIT_BYTES)"
                + (readAhead > 0 ? " and the " + readAhead + " reply bytes it read meanwhile" : ""),
                "slow consumer: outbound backlog over " + outboundLimitBytes + " bytes");
    }

    /**
     * On ws-timers: a client that stopped reading in the middle of a large reply holds one of the
     * hub's reply turns, and a client that keeps sending pongs of its own accord is never taken
     * for a dead peer, so enough of them would hold every turn and make everyone else's large
     * syncs wait for ever. No byte read for {@code timeoutSeconds} (REPLY_STALL_TIMEOUT_SECONDS):
     * dropped as a slow consumer, and the hub gives the turn to the next when the close is done.
     */
    void dropIfReplyStalled(long nowNanos, int timeoutSeconds) {
        if (queue.replyStalled(nowNanos, TimeUnit.SECONDS.toNanos(timeoutSeconds))) {
            drop("it read nothing of a large reply for " + timeoutSeconds + " s (REPLY_STALL_TIMEOUT_SECONDS)",
                    "slow consumer: reply not read for " + timeoutSeconds + " s");
        }
    }

    private void drop(String why, String closeReason) {
        if (!dropped.compareAndSet(false, true)) {
            return;
        }
        metrics.slowConsumerDropped();
        LOG.warning("connection " + id + " dropped: " + why);
        queue.discardBacklog();
        // A peer that does not read will not answer the close frame either: it is cut off soon after.
        socket.closeAfterQueued(CloseFrame.TRY_AGAIN_LATER, closeReason);
    }

    @Override
    public boolean isClosed() {
        return socket.isClosingOrClosed();
    }

    @Override
    public void mutationSettled() {
        inbound.changeSettled();
    }

    @Override
    public void failed(String reason) {
        LOG.warning("connection " + id + " closed with 1011: " + reason);
        socket.closeAfterQueued(CloseFrame.UNEXPECTED_CONDITION, reason);
    }

    /** Closes with this code after what is queued; a peer that does not answer is cut off a little later. */
    void closeWith(int code, String reason) {
        socket.closeAfterQueued(code, reason);
    }

    @Override
    SocketChannel channel() {
        return channel;
    }

    @Override
    public boolean hasQueued() {
        return queue.hasQueued();
    }

    @Override
    WriteResult writeQueued(ByteBuffer[] scratch) {
        return queue.writeTo(channel, socket::libraryStillWriting, scratch);
    }

    /** On the writer thread; the queue's lock is let go before closing, which takes the library's monitor. */
    @Override
    void closeAfterWriteFailure() {
        IOException failure = queue.discardAfterFailure();
        String reason = failure == null ? "socket closed" : String.valueOf(failure.getMessage());
        socket.abort(CloseFrame.ABNORMAL_CLOSE, "write failed: " + reason);
    }

    @Override
    public void handOver(Consumer<ByteBuffer> library, Runnable queueCloseFrame) {
        queue.handOver(library, queueCloseFrame);
    }
}
