package staffsync.hub;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import staffsync.protocol.Origin;

/**
 * Remembers the outcome of recent mutations by (token subject, clientId, sequenceNumber), so
 * that a client which resends one after a lost connection gets the original outcome instead of a
 * second change. Each outcome keeps the fingerprint of the message that caused it: the same key with a
 * different message is not a retry ({@link #isSameMessage}). Bounded: the least recently used
 * entries are forgotten first. Owned by the hub thread.
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

    /** What the table remembers of a mutation; {@link #lookup} returns null for one it does not know. */
    sealed interface Entry permits Pending, Committed {
        /** The message that caused it ({@link staffsync.protocol.RequestFingerprint}); null when unknown. */
        String fingerprint();
    }

    /** A mutation still at the store; retries that arrive meanwhile wait for it ({@code waiting}: hub thread). */
    record Pending(String fingerprint, List<Client> waiting) implements Entry {
        Pending(String fingerprint) {
            this(fingerprint, new ArrayList<>());
        }
    }

    /** A committed mutation: the event's frame, sent again to a retry. */
    record Committed(Frame frame, String fingerprint) implements Entry {}

    private final int capacity;
    private final LinkedHashMap<Key, Entry> entries;

    RetryTable(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
                // A pending entry is never evicted: its retries would wait forever.
                return size() > RetryTable.this.capacity && !(eldest.getValue() instanceof Pending);
            }
        };
    }

    /** The {@link Committed} outcome, the {@link Pending} marker, or null when this mutation is new. */
    Entry lookup(Key key) {
        return capacity == 0 ? null : entries.get(key);
    }

    /**
     * Whether a message with this fingerprint is a resend of the remembered one. An outcome
     * whose fingerprint is unknown (logged before fingerprints were kept) accepts any resend, as
     * before; so does a message without one.
     */
    static boolean isSameMessage(Entry entry, String fingerprint) {
        String remembered = entry == null ? null : entry.fingerprint();
        return remembered == null || fingerprint == null || Objects.equals(remembered, fingerprint);
    }

    void markPending(Key key, String fingerprint) {
        if (capacity > 0) {
            entries.put(key, new Pending(fingerprint));
        }
    }

    /** Records the committed outcome; returns the retries that were waiting for it. */
    List<Client> committed(Key key, Frame frame, String fingerprint) {
        if (capacity == 0) {
            return List.of();
        }
        Entry previous = entries.put(key, new Committed(frame, fingerprint));
        return previous instanceof Pending pending ? pending.waiting() : List.of();
    }

    /** A refused mutation is forgotten (a retry is judged again); returns the waiting retries. */
    List<Client> rejected(Key key) {
        Entry previous = entries.get(key);
        if (previous instanceof Pending pending) {
            entries.remove(key);
            return pending.waiting();
        }
        return List.of();
    }

    void clear() {
        entries.clear();
    }
}
