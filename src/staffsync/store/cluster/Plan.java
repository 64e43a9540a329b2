package staffsync.store.cluster;

import java.util.List;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.StaffRow;

/**
 * What one publication will do for one row: its events (numbered by Redis as they are
 * appended; {@code sequence} is 0 here) and the row's published state afterwards.
 *
 * @param events     one event, or a delete and a create when the id was reused
 * @param finalRow   the published row afterwards; null when deleted
 * @param tomb       the {@code created_at} of the incarnation this plan deletes, or null
 * @param attributed the intent whose client the last event answers; null when it answers nobody
 */
record Plan(List<ChangeEvent> events, StaffRow finalRow, String tomb, Intent attributed) {

    Plan {
        events = List.copyOf(events);
    }

    ChangeEvent last() {
        return events.get(events.size() - 1);
    }
}
