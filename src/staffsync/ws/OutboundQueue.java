package staffsync.ws;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import staffsync.hub.Reply;
import staffsync.metrics.Metrics;
import staffsync.ws.WritableConnection.WriteResult;

/**
 * One connection's bytes waiting for the socket, in order: the Go design's {@code send} channel,
 * and the part of the writePump that empties it. {@link ClientConnection} decides what goes in
 * (and drops a client over its bound); this class keeps the order, counts the bytes, and writes.
 *
 * <p>A large {@link Reply} waits here like a frame but is produced a piece at a time as the socket
 * drains, so it is never all in memory and its size never counts against the bound. What is queued
 * behind it waits for it; those bytes count, less what the client reads of the reply meanwhile
 * ({@link #readAhead}). Pings and pongs go out at the next frame boundary, even in the middle of a
 * long reply, so a client that reads one is not taken for a dead peer.
 *
 * <p>Thread-safety: senders (the hub thread, WebSocket workers, the library's timer) append
 * lock-free. Entries leave the queues only under {@link #writeLock}: on the writer thread, or when
 * a slow consumer's backlog is discarded, or when the rest is handed to the library before a close
 * frame. Lock order: the library's monitor on the socket (held when it calls {@link #handOver}),
 * then {@link #writeLock}; never the other way round.
 */
final class OutboundQueue {
    /** Bytes most taken off the queues for one gathering write (and in the JDK's direct buffer for it). */
    static final int WRITE_BYTES = 64 * 1024;

    private final Metrics metrics;
    /** Counts what large replies write, shared by every connection (the writers wait on it). */
    private final ReplyPace replyPace;
    /** What is sent, in order: whole frames ({@link ByteBuffer}) and large replies ({@link Reply}). */
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    /** The library's pings and pongs: written at the next frame boundary, ahead of the queue. */
    private final ConcurrentLinkedQueue<ByteBuffer> control = new ConcurrentLinkedQueue<>();
    /**
     * Bytes taken off the queues and being written; the writer empties it before it takes
     * anything else, since it may end in the middle of a frame. Changed under writeLock only.
     */
    private final ConcurrentLinkedDeque<ByteBuffer> inFlight = new ConcurrentLinkedDeque<>();
    /** Held by whoever takes entries off the queues: the writer thread, a slow-consumer drop, the handover. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Guarded by writeLock: inFlight holds a reply's pieces, whose bytes queuedBytes never counted. */
    private boolean inFlightIsReply;
    /** Guarded by writeLock: the reply at the head had no piece to give yet. */
    private boolean replyPaused;
    /** Guarded by writeLock: once set, the library's own queue carries this connection's bytes. */
    private boolean handedOver;
    /** Guarded by writeLock: why the last write failed. */
    private IOException writeFailure;
    /**
     * Frame and control bytes appended and not yet written: exact, so the bound is too. Atomic:
     * senders add (and take back what would pass the bound); the writer subtracts what it wrote,
     * and it is reset when the queues are emptied, under writeLock.
     */
    private final AtomicLong queuedBytes = new AtomicLong();
    /**
     * Reply bytes the client read while other bytes waited behind the reply; they offset those
     * bytes against the bound. Written under writeLock only, read by senders; back to 0 whenever
     * everything queued has been written.
     */
    private volatile long readAhead;
    /**
     * Large replies queued and not yet written to the end: each holds one of the hub's reply
     * turns. Added to by the hub thread; taken from under writeLock (a reply written, or dropped
     * with the queue).
     */
    private final AtomicInteger replies = new AtomicInteger();
    /**
     * When the writer last found the client keeping up: the socket took bytes, or there was
     * nothing it could write yet. Written by the writer under writeLock (and by the hub thread when
     * a reply is queued: its clock starts then); read by {@link #replyStalled}.
     */
    private volatile long lastProgressNanos = System.nanoTime();

    OutboundQueue(Metrics metrics, ReplyPace replyPace) {
        this.metrics = metrics;
        this.replyPace = replyPace;
    }

    /**
     * Counts {@code size} more bytes in, unless the unsent bytes would then pass {@code limitBytes}:
     * then nothing is counted and the answer is false.
     */
    boolean reserve(int size, long limitBytes) {
        long backlog = queuedBytes.addAndGet(size);
        if (backlog - readAhead > limitBytes) {
            queuedBytes.addAndGet(-size);
            return false;
        }
        return true;
    }

    /** Bytes counted and not yet written. */
    long backlogBytes() {
        return queuedBytes.get();
    }

    /** Reply bytes read while other bytes waited (see {@link #readAhead}). */
    long readAheadBytes() {
        return readAhead;
    }

    /** Appends bytes already {@linkplain #reserve reserved}. */
    void add(ByteBuffer frame) {
        queue.add(frame);
    }

    /** Appends a ping or pong already {@linkplain #reserve reserved}: it goes at the next frame boundary. */
    void addControl(ByteBuffer frame) {
        control.add(frame);
    }

    /** Appends a large reply: its pieces are made as the socket drains, and never counted. */
    void add(Reply reply) {
        lastProgressNanos = System.nanoTime();
        replies.incrementAndGet();
        queue.add(reply);
    }

    /**
     * True when a large reply is queued or being written and the socket has taken none of this
     * connection's bytes for longer than {@code timeoutNanos}: its client has stopped reading and
     * holds a reply turn others may be waiting for.
     */
    boolean replyStalled(long nowNanos, long timeoutNanos) {
        return replies.get() > 0 && nowNanos - lastProgressNanos > timeoutNanos;
    }

    boolean hasQueued() {
        return !inFlight.isEmpty() || !control.isEmpty() || !queue.isEmpty();
    }

    /**
     * On the writer thread: writes as much as the socket takes without blocking, in gathering
     * writes of up to {@code scratch.length} buffers.
     *
     * @param libraryStillWriting true while the library's own bytes (the handshake response) are
     *                            unwritten: ours must not overtake them
     */
    WriteResult writeTo(SocketChannel channel, BooleanSupplier libraryStillWriting, ByteBuffer[] scratch) {
        writeLock.lock();
        try {
            if (handedOver) {
                return WriteResult.HANDED_OVER;
            }
            if (!channel.isOpen()) {
                clear(); // closed by the library (or the peer): nothing left to write to
                return WriteResult.CLOSED;
            }
            if (libraryStillWriting.getAsBoolean()) {
                return WriteResult.LIBRARY_BUSY;
            }
            while (true) {
                if (inFlight.isEmpty() && !takeNext()) {
                    lastProgressNanos = System.nanoTime(); // nothing to write yet is not the client's doing
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
                if (written > 0) {
                    lastProgressNanos = System.nanoTime();
                }
                boolean blocked = scratch[count - 1].hasRemaining();
                Arrays.fill(scratch, 0, count, null);
                if (!inFlightIsReply) {
                    queuedBytes.addAndGet(-written);
                } else {
                    replyPace.spent(written);
                    if (queuedBytes.get() > 0) {
                        readAhead += written;
                    }
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
                replies.decrementAndGet();
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

    /**
     * The library is sending a close frame, which must be the last thing on the wire: everything
     * still unsent here moves, in order, to the library, and the library writes the rest. A large
     * reply cannot move (the library would need it whole): what is in flight of it goes, the rest
     * of it and whatever follows it do not, and the client sees the close in the middle of that
     * message. Runs under the library's monitor on the socket.
     */
    void handOver(Consumer<ByteBuffer> library, Runnable queueCloseFrame) {
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
                clear();
            }
            queueCloseFrame.run();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Empties the queues except what is in flight (at most about {@link #WRITE_BYTES}): it may
     * have been partly written, and cutting a frame in half would corrupt the stream before the
     * close frame.
     */
    void discardBacklog() {
        writeLock.lock();
        try {
            queue.clear();
            replies.set(0);
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

    /** After a failed write: empties everything; returns why the write failed (null if none did). */
    IOException discardAfterFailure() {
        writeLock.lock();
        try {
            clear();
            return writeFailure;
        } finally {
            writeLock.unlock();
        }
    }

    /** Under writeLock. */
    private void clear() {
        inFlight.clear();
        queue.clear();
        replies.set(0);
        control.clear();
        queuedBytes.set(0);
    }
}
