package staffsync.store.supabase;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.protocol.Timestamps;
import staffsync.store.CommitListener;
import staffsync.store.MutationResult;
import staffsync.store.RowTable;
import staffsync.store.StoreState;

/**
 * The ledger of one instance: what this store has told its listener, every row at the version
 * last reported, and the event numbering. Writers (the store workers) and the poller both
 * report through here, so this is where "each change is one event, numbered without gaps, in
 * order, exactly once" is kept. (With Redis, {@code ClusterLedger} takes this role for all
 * instances together.)
 *
 * <p>Concurrency: one lock guards every field; the listener is called while holding it, which is
 * what keeps events in sequence order (the listener never blocks). Nothing here does I/O.
 *
 * <p>Two extra records let the poller avoid reporting a change twice or out of date:
 * {@code writesInFlight} (rows a store worker is writing right now: its own outcome will report
 * them) and {@code recentlyChanged} (the sequence of each row's last event, so a poll that began
 * before that event knows its copy of the row may be stale).
 */
final class ReportedRows implements RowLedger {
    private final Object lock = new Object();
    private final String epoch = UUID.randomUUID().toString();
    private final RowTable rows = new RowTable();                       // guarded by lock
    private final Map<String, Integer> writesInFlight = new HashMap<>(); // guarded by lock
    private final Map<String, Long> recentlyChanged = new HashMap<>();   // guarded by lock
    private long sequence;                                              // guarded by lock
    private CommitListener listener;                                    // guarded by lock; null until loaded

    @Override
    public String sharing() {
        return "";
    }

    /** Takes the table as loaded and hands it to the listener as sequence 0 of a new epoch. */
    @Override
    public void load(List<StaffRow> initialRows, CommitListener commitListener) {
        synchronized (lock) {
            rows.load(initialRows);
            listener = commitListener;
            listener.loaded(new StoreState(epoch, sequence, rows.rows(), List.of()));
        }
    }

    @Override
    public boolean isLoaded() {
        synchronized (lock) {
            return listener != null;
        }
    }

    @Override
    public String unavailableReason() {
        return null; // nothing between this store and its listener can be unreachable
    }

    @Override
    public StaffRow get(String id) {
        synchronized (lock) {
            return rows.get(id);
        }
    }

    @Override
    public List<StaffRow> all() {
        synchronized (lock) {
            return rows.rows();
        }
    }

    @Override
    public long sequence() {
        synchronized (lock) {
            return sequence;
        }
    }

    /** Marks the row as being written: the poller leaves it to the writer until it has reported. */
    @Override
    public MutationResult beginWrite(Mutation mutation, Origin origin) {
        synchronized (lock) {
            writesInFlight.merge(mutation.staffId(), 1, Integer::sum);
        }
        return null;
    }

    @Override
    public MutationResult writeMissed(String id) {
        return null; // nothing to withdraw: this process is the only writer it reports for
    }

    @Override
    public MutationResult writeAt(StaffRow base, long version) {
        return null;
    }

    @Override
    public void outcomeUnknown(String id) {
        // the poller reports the write if it landed
    }

    @Override
    public MutationResult endWrite(String id, MutationResult outcome) {
        synchronized (lock) {
            writesInFlight.computeIfPresent(id, (k, count) -> count == 1 ? null : count - 1);
        }
        return outcome;
    }

    @Override
    public boolean changedSince(String id, long pollStartSequence) {
        synchronized (lock) {
            Long last = recentlyChanged.get(id);
            return writesInFlight.containsKey(id) || (last != null && last > pollStartSequence);
        }
    }

    @Override
    public void forgetChangesUpTo(long pollStartSequence) {
        synchronized (lock) {
            recentlyChanged.values().removeIf(last -> last <= pollStartSequence);
        }
    }

    /** Reports this store's own committed write. The caller holds the row's write mark. */
    @Override
    public MutationResult reportOwn(Kind kind, StaffRow row, List<String> changedFields, Origin origin) {
        synchronized (lock) {
            return new MutationResult.Applied(report(kind, row, changedFields, origin));
        }
    }

    /**
     * Reports a row as read from the table, if it is news: unknown, a newer version, or a new
     * row under a reused id (a different created_at). Never leaves a row alone: the version
     * comparison is enough, under the one lock.
     */
    @Override
    public boolean observe(StaffRow row) {
        observeRow(row);
        return true;
    }

    /** {@link #observe}, returning the events made (often none). */
    List<ChangeEvent> observeRow(StaffRow row) {
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
                events.add(report(Kind.UPDATE, row, row.fieldsDifferingFrom(known), Origin.SERVER));
            }
            return events;
        }
    }

    /** Reports that a row is gone from the table, if it was known. */
    @Override
    public boolean observeGone(String id) {
        synchronized (lock) {
            StaffRow known = rows.get(id);
            if (known != null) {
                report(Kind.DELETE, known, List.of(), Origin.SERVER);
            }
            return true;
        }
    }

    @Override
    public void close() {
        // no threads or connections of its own
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
}
