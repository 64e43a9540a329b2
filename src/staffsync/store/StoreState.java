package staffsync.store;

import java.util.List;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.StaffRow;

/**
 * A store's contents as loaded at start.
 *
 * @param epoch        names this numbering of events; a store that cannot continue the old
 *                     numbering (memory, Supabase) makes a new one at each start
 * @param sequence     the sequence number of the last event already committed
 * @param rows         every row
 * @param recentEvents the most recent events (oldest first, ending at {@code sequence}), for
 *                     replay to reconnecting clients and retry detection; may be empty
 */
public record StoreState(String epoch, long sequence, List<StaffRow> rows, List<ChangeEvent> recentEvents) {
    public StoreState {
        rows = List.copyOf(rows);
        recentEvents = List.copyOf(recentEvents);
    }
}
