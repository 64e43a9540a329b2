package staffsync.ws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One writer thread: the Go design's writePump, except that one thread serves many connections.
 * Java-WebSocket writes every socket on its single selector thread, toggling each key's write
 * interest twice per message; at a thousand subscribers that thread alone was the bottleneck.
 * So once a connection is open its bytes are written here instead, on {@code WRITER_THREADS}
 * of these, each connection always by the same one. The library's selector keeps the reading.
 *
 * <p>A connection with bytes to write is {@linkplain #schedule scheduled}; the writer writes
 * everything it has queued in one gathering write, and only when the socket's buffer is full
 * does it wait, on its own selector, for the socket to become writable again.
 *
 * <p>Thread-safety: {@link #schedule} runs on any thread; everything else on this writer's
 * thread, which alone owns {@link #selector}'s keys and {@link #scratch}.
 */
final class SocketWriter implements Runnable {
    private static final Logger LOG = Logger.getLogger(SocketWriter.class.getName());
    /** Buffers per gathering write (the kernel's IOV_MAX is 1024). */
    private static final int GATHER = 64;
    /** How soon to look again at a connection whose handshake response is still being written. */
    private static final long LIBRARY_RECHECK_MS = 1;
    private static final int MAX_WRITES_PER_ROUND = 1024;
    /** {@link #millisUntilWork}: nothing to do until a schedule wakes the selector. */
    private static final long UNTIL_WOKEN = Long.MAX_VALUE;

    private final Selector selector;
    private final ConcurrentLinkedQueue<WritableConnection> ready = new ConcurrentLinkedQueue<>();
    /**
     * Connections in the middle of a large reply whose socket takes more: written a slice at a
     * time, and while {@link #ready} is empty (but at least one each time round), so the events
     * of everyone else do not wait behind a storm of snapshots. This thread only.
     */
    private final ArrayDeque<WritableConnection> streaming = new ArrayDeque<>();
    /**
     * Connections to look at again in {@value #LIBRARY_RECHECK_MS} ms: waiting for the library to
     * flush its own bytes first, or for the replies their reply travels with; this thread only.
     */
    private final List<WritableConnection> waitingForLibrary = new ArrayList<>();
    /** True while the thread is (about to be) blocked in select: only then does a schedule wake it. */
    private final AtomicBoolean sleeping = new AtomicBoolean();
    private final ByteBuffer[] scratch = new ByteBuffer[GATHER];
    private volatile boolean running = true;
    private final Thread thread;
    /** REPLY_BYTES_PER_SECOND, shared by every writer: {@link #streaming} waits for it, events never do. */
    private final ReplyPace replyPace;

    /** Unpaced: every reply as fast as its socket takes it. */
    SocketWriter(String name) {
        this(name, ReplyPace.unlimited());
    }

    SocketWriter(String name, ReplyPace replyPace) {
        this.replyPace = replyPace;
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Any thread: asks this writer to write the connection's queue; a connection already waiting is not added twice. */
    void schedule(WritableConnection connection) {
        if (connection.scheduled.get() || !connection.scheduled.compareAndSet(false, true)) {
            return;
        }
        ready.add(connection);
        if (sleeping.get() && sleeping.compareAndSet(true, false)) {
            selector.wakeup();
        }
    }

    void stop() throws InterruptedException {
        running = false;
        selector.wakeup();
        thread.join(2_000);
    }

    @Override
    public void run() {
        try {
            while (running) {
                // Announce the sleep before the last look at the queue: a schedule after the look
                // sees `sleeping` and wakes us; one before it is found by the look.
                sleeping.set(true);
                long waitMs = millisUntilWork();
                if (waitMs == 0) {
                    selector.selectNow();
                } else if (waitMs == UNTIL_WOKEN) {
                    selector.select();
                } else {
                    selector.select(waitMs); // a schedule (an event to write) still wakes us at once
                }
                sleeping.set(false);
                ready.addAll(waitingForLibrary);
                waitingForLibrary.clear();
                for (SelectionKey key : selector.selectedKeys()) {
                    writable(key);
                }
                selector.selectedKeys().clear();
                // A bounded round, so sockets that became writable are not starved by a busy stream.
                WritableConnection connection;
                for (int n = 0; n < MAX_WRITES_PER_ROUND && (connection = ready.poll()) != null; n++) {
                    write(connection);
                }
                // At least one each time round, so a busy stream never starves a reply; none while
                // the replies' pace says wait (REPLY_BYTES_PER_SECOND).
                int turns = streaming.size();
                for (int n = 0; n < turns && (n == 0 || ready.isEmpty()) && replyPace.mayWrite(); n++) {
                    write(streaming.poll());
                }
            }
        } catch (IOException | RuntimeException e) {
            // Only the selector itself failing ends up here.
            LOG.log(Level.SEVERE, "socket writer " + thread.getName() + " failed", e);
        } finally {
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing on the way out: nothing to do about it
            }
        }
    }

    /**
     * How long the selector may wait before there is writing to do: 0 for none, else at least 1
     * ms (select's unit), or {@link #UNTIL_WOKEN}. Scheduled connections are work now; a reply
     * streaming is work once the replies' pace allows (REPLY_BYTES_PER_SECOND); a connection
     * waiting for the library is looked at again within {@value #LIBRARY_RECHECK_MS} ms.
     */
    private long millisUntilWork() {
        if (!ready.isEmpty()) {
            return 0;
        }
        long waitMs = UNTIL_WOKEN;
        if (!streaming.isEmpty()) {
            long paceNanos = replyPace.nanosUntilAllowed();
            waitMs = paceNanos == 0 ? 0 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(paceNanos));
        }
        if (!waitingForLibrary.isEmpty()) {
            waitMs = Math.min(waitMs, LIBRARY_RECHECK_MS);
        }
        return waitMs;
    }

    /** A connection that was blocked can take more bytes. */
    private void writable(SelectionKey key) {
        try {
            key.interestOps(0);
        } catch (CancelledKeyException closed) {
            return;
        }
        write((WritableConnection) key.attachment());
    }

    /**
     * Writes one connection and files it where its result says. One connection's surprise (a
     * RuntimeException anywhere in here) must not stop the thread that writes hundreds of
     * others: that connection is closed, with a log line, and the writer goes on.
     */
    private void write(WritableConnection connection) {
        try {
            writeAndFile(connection);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "writing to " + connection.connectionId() + " failed unexpectedly: closing it", e);
            closeQuietly(connection);
        }
    }

    private void writeAndFile(WritableConnection connection) {
        switch (connection.writeQueued(scratch)) {
            case EMPTY -> {
                // Unscheduled only now; a send that raced the last write re-schedules it here.
                connection.scheduled.set(false);
                if (connection.hasQueued() && connection.scheduled.compareAndSet(false, true)) {
                    ready.add(connection);
                }
            }
            case BLOCKED -> awaitWritable(connection);
            case LIBRARY_BUSY, PAUSED -> waitingForLibrary.add(connection);
            case MORE -> streaming.add(connection);
            case FAILED -> closeQuietly(connection);
            case HANDED_OVER -> {
                // the library writes the rest and the close frame
            }
            case CLOSED -> {
                // forgotten here; the hub forgets it when the library reports the close
            }
        }
    }

    private void awaitWritable(WritableConnection connection) {
        try {
            SelectionKey key = connection.channel().keyFor(selector);
            if (key == null) {
                connection.channel().register(selector, SelectionKey.OP_WRITE, connection);
            } else {
                key.interestOps(SelectionKey.OP_WRITE);
            }
        } catch (ClosedChannelException | CancelledKeyException closed) {
            closeQuietly(connection);
        }
    }

    /** Closing may fail too (it goes through the library): logged, and the writer goes on. */
    private void closeQuietly(WritableConnection connection) {
        try {
            connection.closeAfterWriteFailure();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing " + connection.connectionId() + " after a failed write failed too", e);
        }
    }
}
