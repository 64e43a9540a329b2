package staffsync.store.supabase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.protocol.Timestamps;
import staffsync.store.CommitListener;
import staffsync.store.RowTable;
import staffsync.store.StoreState;

/**
 * What this store has told its listener: every row at the version last reported, and the event
 * numbering. Writers (the store workers) and the poller both report through here, so this is
 * where "each change is one event, numbered without gaps, in order, exactly once" is kept.
 *
 * <p>Concurrency: one lock guards every field; the listener is called while holding it, which is
 * what keeps events in sequence order (the listener never blocks). Nothing here does I/O.
 *
 * <p>Two extra records let the poller avoid reporting a change twice or out of date:
 * {@code writesInFlight} (rows a store worker is writing right now: its own outcome will report
 * them) and {@code recentlyChanged} (the sequence of each row's last event, so a poll that began
 * before that event knows its copy of the row may be stale).
 */
final class ReportedRows {
    private final Object lock = new Object();
    private final String epoch = UUID.randomUUID().toString();
    private final RowTable rows = new RowTable();                       // guarded by lock
    private final Map<String, Integer> writesInFlight = new HashMap<>(); // guarded by lock
    private final Map<String, Long> recentlyChanged = new HashMap<>();   // guarded by lock
    private long sequence;                                              // guarded by lock
    private CommitListener listener;                                    // guarded by lock; null until loaded

    /** Takes the table as loaded and hands it to the listener as sequence 0 of a new epoch. */
    void load(List<StaffRow> initialRows, CommitListener commitListener) {
        synchronized (lock) {
            rows.load(initialRows);
            listener = commitListener;
            listener.loaded(new StoreState(epoch, sequence, rows.rows(), List.of()));
        }
    }

    boolean isLoaded() {
        synchronized (lock) {
            return listener != null;
        }
    }

    StaffRow get(String id) {
        synchronized (lock) {
            return rows.get(id);
        }
    }

    List<StaffRow> all() {
        synchronized (lock) {
            return rows.rows();
        }
    }

    long sequence() {
        synchronized (lock) {
            return sequence;
        }
    }

    void beginWrite(String id) {
        synchronized (lock) {
            writesInFlight.merge(id, 1, Integer::sum);
        }
    }

    void endWrite(String id) {
        synchronized (lock) {
            writesInFlight.computeIfPresent(id, (k, count) -> count == 1 ? null : count - 1);
        }
    }

    /**
     * True when a poll that started at {@code pollStartSequence} must not judge this row from
     * what it read: a write is under way, or an event for it was reported since the poll began.
     */
    boolean changedSince(String id, long pollStartSequence) {
        synchronized (lock) {
            Long last = recentlyChanged.get(id);
            return writesInFlight.containsKey(id) || (last != null && last > pollStartSequence);
        }
    }

    /** Called when a poll that started at {@code pollStartSequence} is done: older marks are no longer needed. */
    void forgetChangesUpTo(long pollStartSequence) {
        synchronized (lock) {
            recentlyChanged.values().removeIf(last -> last <= pollStartSequence);
        }
    }

    /** Reports this store's own committed write. The caller holds the row's write mark. */
    ChangeEvent reportOwn(Kind kind, StaffRow row, List<String> changedFields, Origin origin) {
        synchronized (lock) {
            return report(kind, row, changedFields, origin);
        }
    }

    /**
     * Reports a row as read from the table, if it is news: unknown, a newer version, or a new
     * row under a reused id (a different created_at). Returns the events made, often none.
     */
    List<ChangeEvent> observe(StaffRow row) {
        synchronized (lock) {
            StaffRow known = rows.get(row.id());
            List<ChangeEvent> events = new ArrayList<>(2);
            if (known != null && !known.createdAt().equals(row.createdAt())) {
                events.add(report(Kind.DELETE, known, List.of(), Origin.SERVER));
                known = null;
            }
            if (known == null) {
                events.add(report(Kind.CREATE, row, List.of(), Origin.SERVER));
            } else if (row.version() > known.version()) {
                events.add(report(Kind.UPDATE, row, differingFields(known, row), Origin.SERVER));
            }
            return events;
        }
    }

    /** Reports that a row is gone from the table, if it was known. */
    List<ChangeEvent> observeGone(String id) {
        synchronized (lock) {
            StaffRow known = rows.get(id);
            return known == null ? List.of() : List.of(report(Kind.DELETE, known, List.of(), Origin.SERVER));
        }
    }

    // Holds lock (every caller is inside synchronized (lock)).
    private ChangeEvent report(Kind kind, StaffRow row, List<String> changedFields, Origin origin) {
        String timestamp = kind == Kind.DELETE ? Timestamps.now() : row.updatedAt();
        ChangeEvent event = new ChangeEvent(++sequence, kind, row, changedFields, timestamp, origin);
        rows.commit(event);
        recentlyChanged.put(row.id(), event.sequence());
        listener.committed(event);
        return event;
    }

    private static List<String> differingFields(StaffRow before, StaffRow after) {
        List<String> fields = new ArrayList<>();
        if (!before.name().equals(after.name())) {
            fields.add("name");
        }
        if (!before.position().equals(after.position())) {
            fields.add("position");
        }
        if (!before.department().equals(after.department())) {
            fields.add("department");
        }
        if (!before.type().equals(after.type())) {
            fields.add("type");
        }
        if (before.period() != after.period()) {
            fields.add("period");
        }
        return fields;
    }
}
