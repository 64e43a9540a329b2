package staffsync.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import org.java_websocket.framing.CloseFrame;
import staffsync.hub.Client;
import staffsync.hub.Frame;
import staffsync.metrics.Metrics;

/**
 * One open WebSocket connection, as the hub's {@link Client}, with its outbound queue: the Go
 * design's {@code send} channel, bounded in bytes. Sends never block: they append and schedule
 * the connection on its {@link SocketWriter}. A connection whose unsent bytes would pass
 * {@code outboundLimitBytes} loses its backlog and is closed with 1013, so a slow reader costs
 * nobody else anything.
 *
 * <p>Thread-safety: {@link #send} runs on the hub thread and on WebSocket workers (direct
 * replies), appending lock-free. Only the writer thread takes bytes off {@link #queue}, under
 * {@link #writeLock}; the two other paths that change the queue (dropping a slow consumer and
 * handing the rest to the library before a close frame) take the same lock. Lock order: the
 * library's monitor on the socket, then {@link #writeLock}; never the other way round.
 */
final class ClientConnection implements Client {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());

    enum WriteResult { EMPTY, BLOCKED, LIBRARY_BUSY, FAILED, HANDED_OVER, CLOSED }

    private final String id;
    private final SyncSocket socket;
    private final SocketChannel channel;
    private final SocketWriter writer;
    private final SyncServer server;
    private final long outboundLimitBytes;
    private final Metrics metrics;
    final RateLimiter rateLimiter;
    final AtomicInteger pendingMutations = new AtomicInteger();
    /** Its token and timer with AUTH_MODE=jwt; see {@link AccessControl}. */
    final ConnectionAuth auth = new ConnectionAuth();
    /** The kinds of protocol error already logged for this connection (see ProtocolErrorLog). */
    final ProtocolErrorLog.Seen protocolErrorsLogged = new ProtocolErrorLog.Seen();

    private final ConcurrentLinkedQueue<ByteBuffer> queue = new ConcurrentLinkedQueue<>();
    /** Bytes appended and not yet written: exact, so the bound is too. */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** True while the connection is in its writer's ready queue or waiting for writability. */
    final AtomicBoolean scheduled = new AtomicBoolean();
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by writeLock: once set, the library's own queue carries this connection's bytes. */
    private boolean handedOver;
    private final AtomicBoolean dropped = new AtomicBoolean();
    /** The key on the writer's selector; touched only by the writer thread. */
    SelectionKey writerKey;
    /** Set and read by the writer thread only. */
    private IOException writeFailure;

    ClientConnection(String id, SyncSocket socket, SocketWriter writer, SyncServer server, long outboundLimitBytes,
                     RateLimiter rateLimiter, Metrics metrics) {
        this.id = id;
        this.socket = socket;
        this.channel = (SocketChannel) socket.getChannel();
        this.writer = writer;
        this.server = server;
        this.outboundLimitBytes = outboundLimitBytes;
        this.rateLimiter = rateLimiter;
        this.metrics = metrics;
    }

    @Override
    public String connectionId() {
        return id;
    }

    /** The connection in a log line: its id and the client's address. */
    String describe() {
        return id + " (" + socket.getRemoteSocketAddress() + ")";
    }

    @Override
    public void send(Frame frame) {
        // A fresh view per connection: the frame's bytes are shared, the position is not.
        enqueue(frame.buffer());
    }

    /** Queues encoded bytes (a frame, or several end to end). */
    void enqueue(ByteBuffer bytes) {
        if (dropped.get() || !socket.isOpen()) {
            return;
        }
        int size = bytes.remaining();
        long backlog = queuedBytes.addAndGet(size);
        if (backlog > outboundLimitBytes) {
            queuedBytes.addAndGet(-size);
            dropSlowConsumer(backlog - size);
            return;
        }
        queue.add(bytes);
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            writer.schedule(this);
        }
    }

    @Override
    public boolean isClosed() {
        return socket.isClosing() || socket.isClosed();
    }

    @Override
    public void mutationSettled() {
        pendingMutations.decrementAndGet();
    }

    @Override
    public void failed(String reason) {
        LOG.warning("connection " + id + " closed with 1011: " + reason);
        socket.close(CloseFrame.UNEXPECTED_CONDITION, reason);
        server.closeLater(socket, CloseFrame.UNEXPECTED_CONDITION);
    }

    SocketChannel channel() {
        return channel;
    }

    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /**
     * Runs on the writer thread: writes as much of the queue as the socket takes without
     * blocking, in gathering writes of up to {@code scratch.length} buffers.
     */
    WriteResult writeQueued(ByteBuffer[] scratch) {
        writeLock.lock();
        try {
            if (handedOver) {
                return WriteResult.HANDED_OVER;
            }
            if (!channel.isOpen()) {
                queue.clear(); // closed by the library (or the peer): nothing left to write to
                return WriteResult.CLOSED;
            }
            if (!socket.outQueue.isEmpty()) {
                // The library has not finished writing its own bytes (the handshake response
                // comes before any message of ours): writing now would overtake them.
                return WriteResult.LIBRARY_BUSY;
            }
            while (true) {
                int count = 0;
                for (ByteBuffer buffer : queue) {
                    scratch[count++] = buffer;
                    if (count == scratch.length) {
                        break;
                    }
                }
                if (count == 0) {
                    return WriteResult.EMPTY;
                }
                long written = channel.write(scratch, 0, count);
                metrics.socketWrite();
                queuedBytes.addAndGet(-written);
                for (int i = 0; i < count; i++) {
                    boolean done = !scratch[i].hasRemaining();
                    scratch[i] = null;
                    if (done) {
                        queue.poll();
                    } else {
                        Arrays.fill(scratch, i, count, null);
                        return WriteResult.BLOCKED;
                    }
                }
            }
        } catch (IOException e) {
            writeFailure = e;
            return WriteResult.FAILED;
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs on the writer thread, outside {@link #writeLock} (closing takes the library's monitor). */
    void closeAfterWriteFailure() {
        queue.clear();
        String reason = writeFailure == null ? "socket closed" : String.valueOf(writeFailure.getMessage());
        socket.closeConnection(CloseFrame.ABNORMAL_CLOSE, "write failed: " + reason);
    }

    /**
     * Called by {@link SyncSocket} when the library sends a close frame. A close frame must be the
     * last thing on the wire and the library closes the socket once its own queue is empty, so
     * everything still unsent here moves, in order, to the library's queue ahead of the close
     * frame, and the library writes the rest. Runs under the library's monitor on the socket.
     */
    void handOverToLibrary(Runnable queueCloseFrame) {
        writeLock.lock();
        try {
            if (!handedOver) {
                handedOver = true;
                for (ByteBuffer buffer; (buffer = queue.poll()) != null; ) {
                    socket.outQueue.add(buffer);
                }
                queuedBytes.set(0);
            }
            queueCloseFrame.run();
        } finally {
            writeLock.unlock();
        }
    }

    /** Closes with this code after what is queued; a peer that does not answer is cut off a little later. */
    void closeWith(int code, String reason) {
        socket.close(code, reason);
        server.closeLater(socket, code);
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
     * Empties the queue except a frame already partly written: cutting a frame in half would
     * corrupt the stream before the close frame. Buffers start at position 0, so a moved
     * position means the writer has started it.
     */
    private void discardBacklog() {
        writeLock.lock();
        try {
            ByteBuffer head = queue.peek();
            boolean started = head != null && head.position() > 0;
            queue.removeIf(buffer -> !(started && buffer == head));
        } finally {
            writeLock.unlock();
        }
    }
}
