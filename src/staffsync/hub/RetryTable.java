package staffsync.hub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import staffsync.protocol.Origin;

/**
 * Remembers the outcome of recent mutations by (token subject, clientId, sequenceNumber), so that a client
 * which resends one after a lost connection gets the original outcome instead of a second
 * change. Bounded: the least recently used entries are forgotten first. Owned by the hub thread.
 */
final class RetryTable {

    /** {@code subject} is the sender's token {@code sub} (null without authentication). */
    record Key(String subject, String clientId, long sequence) {
        Key(String clientId, long sequence) {
            this(null, clientId, sequence);
        }

        /** The key of a change that carries a client sequence number. */
        static Key of(Origin origin) {
            return new Key(origin.subject(), origin.clientId(), origin.clientSequence());
        }
    }

    /** A mutation still at the store; retries that arrive meanwhile wait for it. */
    static final class Pending {
        final List<Client> waiting = new ArrayList<>();
    }

    private final int capacity;
    /** Value: {@link Pending} or the committed event's {@link Frame}. */
    private final LinkedHashMap<Key, Object> entries;

    RetryTable(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Object> eldest) {
                // A pending entry is never evicted: its retries would wait forever.
                return size() > RetryTable.this.capacity && !(eldest.getValue() instanceof Pending);
            }
        };
    }

    /** The committed frame, the pending marker, or null when this mutation is new. */
    Object lookup(Key key) {
        return capacity == 0 ? null : entries.get(key);
    }

    void markPending(Key key) {
        if (capacity > 0) {
            entries.put(key, new Pending());
        }
    }

    /** Records the committed outcome; returns the retries that were waiting for it. */
    List<Client> committed(Key key, Frame frame) {
        if (capacity == 0) {
            return List.of();
        }
        Object previous = entries.put(key, frame);
        return previous instanceof Pending pending ? pending.waiting : List.of();
    }

    /** A refused mutation is forgotten (a retry is judged again); returns the waiting retries. */
    List<Client> rejected(Key key) {
        Object previous = entries.get(key);
        if (previous instanceof Pending pending) {
            entries.remove(key);
            return pending.waiting;
        }
        return List.of();
    }

    void clear() {
        entries.clear();
    }
}
