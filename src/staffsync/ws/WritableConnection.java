package staffsync.ws;

import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection with bytes to write, as its {@link SocketWriter} sees it: the Go design's
 * {@code send} channel from the writePump's side. {@link ClientConnection} is the one in the
 * server; a test can give the writer its own.
 */
abstract class WritableConnection {

    /** What one {@link #writeQueued} did, and so what the writer does with the connection next. */
    enum WriteResult {
        /** Everything queued is written: the connection leaves the writer until the next send. */
        EMPTY,
        /** The socket's buffer is full: wait until it is writable. */
        BLOCKED,
        /** The library has not finished writing its own bytes (the handshake response): look again soon. */
        LIBRARY_BUSY,
        /** The reply at the head waits for others it travels with (see Convoy): look again soon. */
        PAUSED,
        /** A slice of a large reply went out and the socket would take more: write the others first. */
        MORE,
        /** The write failed: close the connection. */
        FAILED,
        /** A close frame is on its way: the library writes the rest. */
        HANDED_OVER,
        /** The socket is closed: nothing left to write to. */
        CLOSED
    }

    /**
     * True from the moment the connection joins its writer's work until the writer finds it with
     * nothing left to write, so it is queued there at most once. Set by whichever thread sends
     * (a compare-and-set in {@link SocketWriter#schedule}: only the thread that sets it queues the
     * connection); cleared only by the writer thread.
     */
    final AtomicBoolean scheduled = new AtomicBoolean();

    /** The connection's name in log lines. */
    abstract String connectionId();

    /** The socket, for the writer's selector when it must wait for the socket to drain. */
    abstract SocketChannel channel();

    /** On the writer thread: writes what the socket takes without blocking, in gathering writes of up to {@code scratch.length} buffers. */
    abstract WriteResult writeQueued(ByteBuffer[] scratch);

    /** True while anything is waiting to be written. */
    abstract boolean hasQueued();

    /** On the writer thread, after a failed or unexpected write: drops what is queued and cuts the socket. */
    abstract void closeAfterWriteFailure();
}
