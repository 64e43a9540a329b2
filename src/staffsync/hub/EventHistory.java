package staffsync.hub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The last {@code capacity} broadcast frames, by sequence number, for replay to clients that
 * reconnect. A ring buffer: fixed memory, no allocation per event. Owned by the hub thread.
 */
final class EventHistory {
    private final Frame[] ring;
    /** Sequence number of the newest frame held (0: none yet). */
    private long newest;
    /** How many of the newest frames are held (at most ring.length). */
    private int held;

    EventHistory(int capacity) {
        ring = new Frame[capacity];
    }

    void clear(long lastSequence) {
        Arrays.fill(ring, null);
        newest = lastSequence;
        held = 0;
    }

    /** Appends the frame of event {@code sequence}, which must be the next one. */
    void add(long sequence, Frame frame) {
        if (ring.length == 0) {
            newest = sequence;
            return;
        }
        if (sequence != newest + 1) {
            clear(sequence - 1);
        }
        ring[(int) (sequence % ring.length)] = frame;
        newest = sequence;
        held = Math.min(held + 1, ring.length);
    }

    /**
     * Every frame after {@code since}, oldest first, or null when some of them are no longer
     * held (or {@code since} is in the future): the caller then sends a snapshot instead.
     */
    List<Frame> after(long since) {
        if (since > newest || since < newest - held) {
            return null;
        }
        List<Frame> frames = new ArrayList<>((int) (newest - since));
        for (long sequence = since + 1; sequence <= newest; sequence++) {
            frames.add(ring[(int) (sequence % ring.length)]);
        }
        return frames;
    }
}
