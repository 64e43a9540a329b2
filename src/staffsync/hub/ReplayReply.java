package staffsync.hub;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A replay: the events a reconnecting client missed, re-sent byte for byte from the history,
 * then the {@code SYNC_RESPONSE {"replayed": n}} that ends it. The frames are the history's own
 * (already in memory); the reply holds only references to them and a position.
 */
final class ReplayReply extends Reply {
    /** Frames per piece, about this many bytes: fewer, larger socket writes. */
    private static final int PIECE_BYTES = 64 * 1024;

    private final List<Frame> missed;
    private final Frame done;
    private int next;
    private boolean doneWritten;

    ReplayReply(List<Frame> missed, Frame done) {
        this.missed = missed;
        this.done = done;
    }

    @Override
    protected ByteBuffer[] piece() {
        if (next < missed.size()) {
            List<ByteBuffer> piece = new ArrayList<>();
            int bytes = 0;
            while (next < missed.size() && bytes < PIECE_BYTES) {
                Frame frame = missed.get(next++);
                piece.add(frame.buffer());
                bytes += frame.size();
            }
            return piece.toArray(new ByteBuffer[0]);
        }
        if (!doneWritten) {
            doneWritten = true;
            return new ByteBuffer[] {done.buffer()};
        }
        return null;
    }
}
