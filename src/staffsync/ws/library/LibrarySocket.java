package staffsync.ws.library;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * The door between the app ({@code staffsync.ws}) and Java-WebSocket: one open connection's
 * socket, as {@code *websocket.Conn} is in the Go design. The app sees only this type, the
 * {@link Events} it implements, and the handshake checks; everything behind it is this package's
 * work around the library.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
public interface LibrarySocket {

    /** The socket, for the app's own writers (gathering writes, its own selector). */
    SocketChannel channel();

    /** The peer's address; null once the socket is gone. */
    InetSocketAddress remoteAddress();

    boolean isOpen();

    /** A close frame has been sent or received, or the socket is closed. */
    boolean isClosingOrClosed();

    /**
     * True while the library still has bytes of its own to write (the handshake response): the
     * app must not write yet, or its bytes would overtake them.
     */
    boolean libraryStillWriting();

    /**
     * Starts the closing handshake: the close frame goes after what is queued (see
     * {@link OwnWritePath#handOver}), so the client still reads why; a peer that does not answer
     * it is cut off a few seconds later.
     */
    void closeAfterQueued(int code, String reason);

    /** Cuts the connection now, without a closing handshake (a failed write). */
    void abort(int code, String reason);

    /**
     * What the app does on the library's events: the Go design's upgrade handler and readPump.
     * Called on the library's threads (workers; closes also on the selector and ws-timers):
     * never block in them.
     */
    interface Events<C extends OwnWritePath> {

        /**
         * A connection is opening: the app's object for it, which the other events then name.
         * Only make it here; the library attaches it before {@link #opened} says it is open.
         * From then on the socket's own frames (pings, pongs, the close frame) go to its queue.
         */
        C newConnection(LibrarySocket socket);

        /**
         * The connection is open and attached: from now on its close is reported too.
         * {@code request} is the upgrade request, with its headers during this call only.
         */
        void opened(C connection, HandshakeRequest request);

        /** One whole text message. */
        void text(C connection, String message);

        /** One whole binary message. */
        void binary(C connection);

        /** This server is closing the connection with this code (its own decision or a client's bad frame). */
        void closing(C connection, int code, String reason);

        /** The connection is closed, for whatever reason. */
        void closed(C connection, int code, String reason);
    }

    /**
     * The app's queue for one open connection: the only writer to its socket. The library's own
     * frames join it, so frames never interleave.
     *
     * <p>Lock order: the library calls {@link #handOver} holding its monitor on the socket; the
     * app takes its own write lock inside it, and never the other way round.
     */
    interface OwnWritePath {

        /** A data frame the library sends (rare: the app sends its own). */
        void enqueue(ByteBuffer frame);

        /** A ping or pong: written at the next frame boundary, ahead of what is queued. */
        void enqueueControl(ByteBuffer frame);

        /**
         * A close frame must be the last thing on the wire, and the library writes it: give every
         * unsent whole frame, in order, to {@code library}, stop writing for good, and run
         * {@code queueCloseFrame} while nothing else can be written.
         */
        void handOver(Consumer<ByteBuffer> library, Runnable queueCloseFrame);

        /** True while anything is waiting to be written (a stopping server waits for it). */
        boolean hasQueued();
    }
}
