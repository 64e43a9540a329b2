package staffsync.hub;

import java.nio.ByteBuffer;

/**
 * A reply too large to build at once (a big snapshot or replay), written as its client reads
 * it: the connection asks for one piece at a time, and only once the pieces before it went
 * into the socket, so a reply of any size holds little more than the piece being written.
 * Each piece ends at a frame boundary; the connection may put control frames (pings, pongs)
 * between pieces, never inside one.
 *
 * <p>Threads: made by the hub thread, then used by one thread at a time: the one writing its
 * connection, under that connection's lock. {@link #written} tells the hub (through its
 * queue) that the reply's turn is over.
 */
public abstract non-sealed class Reply implements Outgoing {
    /** From {@link #nextPiece}: no piece yet (see {@link Convoy}); ask again shortly. */
    public static final ByteBuffer[] LATER = new ByteBuffer[0];

    private Runnable whenWritten = () -> { };
    private boolean finished;

    /**
     * The wire bytes of the next piece; {@link #LATER} when it is not to be written yet; null
     * when there are no more (and from then on).
     */
    public final ByteBuffer[] nextPiece() {
        if (finished) {
            return null;
        }
        ByteBuffer[] piece = piece();
        finished = piece == null;
        return piece;
    }

    /** Called by the connection once every piece has gone into the socket. */
    public final void written() {
        whenWritten.run();
    }

    /** Set by the hub before the reply is handed to a connection. */
    final void whenWritten(Runnable action) {
        whenWritten = action;
    }

    /** The next piece, {@link #LATER}, or null at the end; called again only after a non-null answer. */
    protected abstract ByteBuffer[] piece();
}
