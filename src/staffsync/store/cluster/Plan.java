package staffsync.store.cluster;

import java.util.List;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.StaffRow;

/**
 * One publication for one row: one event (numbered by Redis as it is appended; its
 * {@code sequence} is 0 here) and the row's published state afterwards.
 *
 * @param event      the event to publish
 * @param finalRow   the published row afterwards; null when deleted
 * @param tomb       the {@code created_at} of the incarnation this plan deletes, or null
 * @param attributed the intent whose client the event answers; null when it answers nobody
 * @param own        true when {@code attributed} is the publisher's own write (removed on
 *                   publication), false when it is another writer's (marked done for it)
 * @param contenders when several announced writes could have made this state (so it answers
 *                   none of them): those writes; otherwise empty
 */
record Plan(ChangeEvent event, StaffRow finalRow, String tomb, Intent attributed, boolean own, List<Intent> contenders) {

    Plan {
        contenders = List.copyOf(contenders);
    }
}
