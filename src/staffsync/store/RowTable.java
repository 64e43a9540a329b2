package staffsync.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.ClientRequest.UpdateStaff;
import staffsync.protocol.ErrorCode;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;

/**
 * The version rule of PROTOCOL.md applied to rows held in this process: decides whether a
 * mutation commits and what event it makes. Not thread-safe: the store that owns it holds
 * its lock around every call.
 */
public final class RowTable {
    private final Map<String, StaffRow> rows = new HashMap<>();

    public void load(List<StaffRow> initialRows) {
        rows.clear();
        for (StaffRow row : initialRows) {
            rows.put(row.id(), row);
        }
    }

    public List<StaffRow> rows() {
        return new ArrayList<>(rows.values());
    }

    public StaffRow get(String id) {
        return rows.get(id);
    }

    public int size() {
        return rows.size();
    }

    /**
     * What the mutation would do, without doing it: an event numbered {@code sequence}, or a
     * refusal. Pair with {@link #commit} once the event is safe to make visible.
     */
    public MutationResult decide(Mutation mutation, Origin origin, long sequence, String now) {
        StaffRow current = rows.get(mutation.staffId());
        if (mutation instanceof CreateStaff create) {
            if (current != null) {
                return new MutationResult.Rejected(ErrorCode.ALREADY_EXISTS,
                        "a staff member with id '" + create.staffId() + "' already exists", create.staffId(), current);
            }
            StaffRow row = create.fields().toNewRow(create.staffId(), now);
            return applied(sequence, Kind.CREATE, row, List.of(), now, origin);
        }
        if (current == null) {
            return new MutationResult.Rejected(ErrorCode.NOT_FOUND,
                    "no staff member with id '" + mutation.staffId() + "'", mutation.staffId(), null);
        }
        Long expected = mutation instanceof UpdateStaff update ? update.expectedVersion()
                : ((DeleteStaff) mutation).expectedVersion();
        if (expected != null && expected != current.version()) {
            return new MutationResult.Rejected(ErrorCode.VERSION_CONFLICT,
                    "version " + expected + " is stale: the stored version is " + current.version(),
                    current.id(), current);
        }
        if (mutation instanceof UpdateStaff update) {
            StaffRow row = current.withChanges(update.changes(), now);
            return applied(sequence, Kind.UPDATE, row, update.changes().present(), now, origin);
        }
        return applied(sequence, Kind.DELETE, current, List.of(), now, origin);
    }

    /** Makes a decided (or replayed) event's effect part of the table. */
    public void commit(ChangeEvent event) {
        if (event.kind() == Kind.DELETE) {
            rows.remove(event.row().id());
        } else {
            rows.put(event.row().id(), event.row());
        }
    }

    /**
     * Undoes one {@link #commit}: puts back the row as it was before it ({@code previous}
     * null: the row did not exist). A durable store uses it when a write fails after the
     * decision was made, so nothing that was not stored stays visible.
     */
    public void restore(String id, StaffRow previous) {
        if (previous == null) {
            rows.remove(id);
        } else {
            rows.put(id, previous);
        }
    }

    private static MutationResult applied(long sequence, Kind kind, StaffRow row, List<String> fields,
                                          String now, Origin origin) {
        return new MutationResult.Applied(new ChangeEvent(sequence, kind, row, fields, now, origin));
    }
}
