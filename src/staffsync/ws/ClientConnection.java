package staffsync.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import java.util.function.Consumer;
import org.java_websocket.framing.CloseFrame;
import staffsync.hub.Client;
import staffsync.hub.Frame;
import staffsync.hub.Reply;
import staffsync.metrics.Metrics;
import staffsync.ws.library.LibrarySocket;

/**
 * One open WebSocket connection, as the hub's {@link Client}, with its outbound queue: the Go
 * design's {@code send} channel, bounded in bytes. Sends never block: they append and schedule
 * the connection on its {@link SocketWriter}. A connection whose unsent bytes would pass
 * {@code outboundLimitBytes} loses its backlog and is closed with 1013, so a slow reader costs
 * nobody else anything.
 *
 * <p>A large {@link Reply} (a snapshot or replay of any size) waits in the queue like a frame
 * but is produced a piece at a time as the socket drains, so it is never all in memory and its
 * size never counts against the bound. What is queued behind it waits for it; those bytes
 * count, less what the client reads of the reply meanwhile ({@link #readAhead}): a client is
 * dropped for reading more slowly than it is sent events, never for the size of what it asked
 * for. Pings and pongs go out at the next frame boundary, even in the middle of a long reply,
 * so a client that reads one is not taken for a dead peer.
 *
 * <p>Thread-safety: {@link #send} runs on the hub thread and on WebSocket workers (direct
 * replies), appending lock-free. Only the writer thread takes entries off {@link #queue} and
 * {@link #control} and writes {@link #inFlight}, under {@link #writeLock}; the two other paths
 * that change the queues (dropping a slow consumer and handing the rest to the library before
 * a close frame) take the same lock. Lock order: the library's monitor on the socket (held when
 * it calls {@link #handOver}), then {@link #writeLock}; never the other way round, which is why
 * {@link #closeAfterWriteFailure} lets go of the lock before it closes. What the client may send
 * ({@link #inbound}) belongs to the reading side; the writer never touches it.
 */
final class ClientConnection extends Outbound implements Client, LibrarySocket.OwnWritePath {
    private static final Logger LOG = Logger.getLogger(ClientConnection.class.getName());

    private final String id;
    private final LibrarySocket socket;
    private final SocketChannel channel;
    private final SocketWriter writer;
    private final long outboundLimitBytes;
    private final Metrics metrics;
    /** What the client may still send; taken from by the worker reading it (see its class for owners). */
    final InboundLimits inbound;
    /** Its token and timer with AUTH_MODE=jwt; see {@link AccessControl}. */
    final ConnectionAuth auth = new ConnectionAuth();
    /** The kinds of protocol error already logged for this connection (see ProtocolErrorLog). */
    final ProtocolErrorLog.Seen protocolErrorsLogged = new ProtocolErrorLog.Seen();

    /** Bytes most taken off the queues for one gathering write (and in the JDK's direct buffer for it). */
    private static final int WRITE_BYTES = 64 * 1024;

    /** What is sent, in order: whole frames ({@link ByteBuffer}) and large replies ({@link Reply}). */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    /** The library's pings and pongs: written at the next frame boundary, ahead of the queue. */
    private final ConcurrentLinkedQueue<ByteBuffer> control = new ConcurrentLinkedQueue<>();
    /**
     * Bytes taken off the queues and being written; the writer empties it before it takes
     * anything else, since it may end in the middle of a frame. Changed under writeLock only.
     */
    private final ConcurrentLinkedDeque<ByteBuffer> inFlight = new ConcurrentLinkedDeque<>();
    /** Guarded by writeLock: inFlight holds a reply's pieces, whose bytes queuedBytes never counted. */
    private boolean inFlightIsReply;
    /** Guarded by writeLock: the reply at the head had no piece to give yet. */
    private boolean replyPaused;
    /**
     * Frame and control bytes appended and not yet written: exact, so the bound is too. Atomic:
     * senders add (and take back what would pass the bound); the writer subtracts what it wrote,
     * and resets it when the queues are emptied, under writeLock.
     */
    private final AtomicLong queuedBytes = new AtomicLong();
    /**
     * Reply bytes the client read while other bytes waited behind the reply; they offset those
     * bytes against the bound. Written by the writer thread only (under writeLock), read by senders;
     * back to 0 whenever everything queued has been written.
     */
    private volatile long readAhead;
    /** Held by whoever takes entries off the queues: the writer thread, a slow-consumer drop, the handover. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by writeLock: once set, the library's own queue carries this connection's bytes. */
    private boolean handedOver;
    /** Set once, by the sender that first finds the bound passed (compare-and-set); read by every sender. */
    private final AtomicBoolean dropped = new AtomicBoolean();
    /** Set and read by the writer thread only. */
    private IOException writeFailure;

    ClientConnection(String id, LibrarySocket socket, SocketWriter writer, long outboundLimitBytes,
                     InboundLimits inbound, Metrics metrics) {
        this.id = id;
        this.socket = socket;
        this.channel = socket.channel();
        this.writer = writer;
        this.outboundLimitBytes = outboundLimitBytes;
        this.inbound = inbound;
        this.metrics = metrics;
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
        schedule();
    }

    /** Queues encoded bytes (a frame, or several end to end). */
    @Override
    public void enqueue(ByteBuffer bytes) {
        if (withinBound(bytes.remaining())) {
            queue.add(bytes);
            schedule();
        }
    }

    /** Queues a control frame (ping, pong): it goes out at the next frame boundary. */
    @Override
    public void enqueueControl(ByteBuffer bytes) {
        if (withinBound(bytes.remaining())) {
            control.add(bytes);
            schedule();
        }
    }

    /** Counts {@code size} more bytes in, or drops the connection if they would pass the bound. */
    private boolean withinBound(int size) {
        if (dropped.get() || !socket.isOpen()) {
            return false;
        }
        long backlog = queuedBytes.addAndGet(size);
        if (backlog - readAhead > outboundLimitBytes) {
            queuedBytes.addAndGet(-size);
            dropSlowConsumer(backlog - size);
            return false;
        }
        return true;
    }

    private void schedule() {
        writer.schedule(this);
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

    @Override
    SocketChannel channel() {
        return channel;
    }

    @Override
    public boolean hasQueued() {
        return !inFlight.isEmpty() || !control.isEmpty() || !queue.isEmpty();
    }

    @Override
    WriteResult writeQueued(ByteBuffer[] scratch) {
        writeLock.lock();
        try {
            if (handedOver) {
                return WriteResult.HANDED_OVER;
            }
            if (!channel.isOpen()) {
                clearQueues(); // closed by the library (or the peer): nothing left to write to
                return WriteResult.CLOSED;
            }
            if (socket.libraryStillWriting()) {
                // The handshake response comes before any message of ours: writing now would overtake it.
                return WriteResult.LIBRARY_BUSY;
            }
            while (true) {
                if (inFlight.isEmpty() && !takeNext()) {
                    if (replyPaused) {
                        return WriteResult.PAUSED;
                    }
                    readAhead = 0;
                    return WriteResult.EMPTY;
                }
                int count = 0;
                for (ByteBuffer buffer : inFlight) {
                    scratch[count++] = buffer;
                    if (count == scratch.length) {
                        break;
                    }
                }
                long written = channel.write(scratch, 0, count);
                metrics.socketWrite();
                boolean blocked = scratch[count - 1].hasRemaining();
                Arrays.fill(scratch, 0, count, null);
                if (!inFlightIsReply) {
                    queuedBytes.addAndGet(-written);
                } else if (queuedBytes.get() > 0) {
                    readAhead += written;
                }
                while (!inFlight.isEmpty() && !inFlight.peekFirst().hasRemaining()) {
                    inFlight.pollFirst();
                }
                if (blocked) {
                    return WriteResult.BLOCKED;
                }
                if (inFlightIsReply && inFlight.isEmpty()) {
                    return WriteResult.MORE; // its turn is over: other connections' events go first
                }
            }
        } catch (IOException e) {
            writeFailure = e;
            return WriteResult.FAILED;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Moves what is to be written next into {@link #inFlight}: control frames first, else the
     * queue's next frames (up to about {@link #WRITE_BYTES}), else the next pieces of the reply
     * at its head. False when nothing is waiting, or the reply at the head has nothing yet
     * ({@link #replyPaused}). Under writeLock, on the writer thread.
     */
    private boolean takeNext() {
        replyPaused = false;
        for (ByteBuffer ping; (ping = control.poll()) != null; ) {
            inFlight.add(ping);
        }
        if (!inFlight.isEmpty()) {
            inFlightIsReply = false;
            return true;
        }
        while (true) {
            Object head = queue.peek();
            if (head == null) {
                return false;
            }
            if (head instanceof Reply reply) {
                if (takePieces(reply)) {
                    return true;
                }
                if (replyPaused) {
                    return false;
                }
                queue.poll();
                reply.written(); // every piece went into the socket: the hub gives its turn to the next
                continue;
            }
            inFlightIsReply = false;
            long bytes = 0;
            while (queue.peek() instanceof ByteBuffer buffer && (bytes == 0 || bytes + buffer.remaining() <= WRITE_BYTES)) {
                queue.poll();
                inFlight.add(buffer);
                bytes += buffer.remaining();
            }
            return true;
        }
    }

    /**
     * Takes the reply's next pieces, about {@link #WRITE_BYTES} of them; false when it has none
     * left, or none yet ({@link #replyPaused}).
     */
    private boolean takePieces(Reply reply) {
        inFlightIsReply = true;
        long bytes = 0;
        ByteBuffer[] piece;
        while (bytes < WRITE_BYTES && (piece = reply.nextPiece()) != null) {
            if (piece == Reply.LATER) {
                replyPaused = inFlight.isEmpty();
                break;
            }
            for (ByteBuffer buffer : piece) {
                inFlight.add(buffer);
                bytes += buffer.remaining();
            }
        }
        return !inFlight.isEmpty();
    }

    /** Not holding {@link #writeLock} when it closes: closing takes the library's monitor. */
    @Override
    void closeAfterWriteFailure() {
        writeLock.lock();
        try {
            clearQueues();
        } finally {
            writeLock.unlock();
        }
        String reason = writeFailure == null ? "socket closed" : String.valueOf(writeFailure.getMessage());
        socket.abort(CloseFrame.ABNORMAL_CLOSE, "write failed: " + reason);
    }

    /**
     * The library is sending a close frame, which must be the last thing on the wire: everything
     * still unsent here moves, in order, to the library, and the library writes the rest. A large
     * reply cannot move (the library would need it whole): what is in flight of it goes, the rest
     * of it and whatever follows it do not, and the client sees the close in the middle of that
     * message. Runs under the library's monitor on the socket.
     */
    @Override
    public void handOver(Consumer<ByteBuffer> library, Runnable queueCloseFrame) {
        writeLock.lock();
        try {
            if (!handedOver) {
                handedOver = true;
                inFlight.forEach(library);
                for (Object entry : queue) {
                    if (entry instanceof Reply) {
                        break;
                    }
                    library.accept((ByteBuffer) entry);
                }
                clearQueues();
            }
            queueCloseFrame.run();
        } finally {
            writeLock.unlock();
        }
    }

    /** Closes with this code after what is queued; a peer that does not answer is cut off a little later. */
    void closeWith(int code, String reason) {
        socket.closeAfterQueued(code, reason);
    }

    private void dropSlowConsumer(long backlog) {
        if (!dropped.compareAndSet(false, true)) {
            return;
        }
        metrics.slowConsumerDropped();
        LOG.warning("connection " + id + " dropped: " + backlog + " bytes unsent, over the bound of "
                + outboundLimitBytes + " (OUTBOUND_LIMIT_BYTES)"
                + (readAhead > 0 ? " and the " + readAhead + " reply bytes it read meanwhile" : ""));
        discardBacklog();
        // A peer that does not read will not answer the close frame either: it is cut off soon after.
        socket.closeAfterQueued(CloseFrame.TRY_AGAIN_LATER,
                "slow consumer: outbound backlog over " + outboundLimitBytes + " bytes");
    }

    /**
     * Empties the queues except what is in flight (at most about {@link #WRITE_BYTES}): it may
     * have been partly written, and cutting a frame in half would corrupt the stream before the
     * close frame.
     */
    private void discardBacklog() {
        writeLock.lock();
        try {
            queue.clear();
            control.clear();
            long left = 0;
            if (!inFlightIsReply) {
                for (ByteBuffer buffer : inFlight) {
                    left += buffer.remaining();
                }
            }
            queuedBytes.set(left);
        } finally {
            writeLock.unlock();
        }
    }

    /** Under writeLock. */
    private void clearQueues() {
        inFlight.clear();
        queue.clear();
        control.clear();
        queuedBytes.set(0);
    }
}
