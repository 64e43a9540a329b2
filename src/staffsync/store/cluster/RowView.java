package staffsync.store.cluster;

import java.util.Map;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.StaffRow;

/**
 * One row's shared state in Redis, read in one atomic step: what has been published for it,
 * and who is writing it.
 *
 * @param published the row as published (the effect of its last event); null when none or deleted
 * @param mark      the sequence of the last event about this id, as text ("" for none): what a
 *                  publication compares to be sure nobody published in between
 * @param tomb      the {@code created_at} of the last deleted incarnation of this id, or null
 * @param intents   the writes announced and not yet published, by intent id
 * @param stored    the same intents exactly as stored: a helper's publication checks the one it
 *                  answers is still there unchanged (its writer has not taken it back meanwhile)
 * @param done      intents a helper has published, by intent id: their events
 */
record RowView(StaffRow published, String mark, String tomb, Map<String, Intent> intents, Map<String, String> stored,
               Map<String, Done> done) {

    /** An intent that someone else published: the event that carries its client's outcome. */
    record Done(long sequence, ChangeEvent event) {}

    RowView {
        intents = Map.copyOf(intents);
        stored = Map.copyOf(stored);
        done = Map.copyOf(done);
    }

    static RowView of(StaffRow published, String mark, String tomb) {
        return new RowView(published, mark, tomb, Map.of(), Map.of(), Map.of());
    }

    /** The view after {@code plan} was published as event {@code sequence}: its intent is settled. */
    RowView after(Plan plan, long sequence) {
        Map<String, Intent> open = new java.util.HashMap<>(intents);
        Map<String, String> openStored = new java.util.HashMap<>(stored);
        if (plan.attributed() != null) {
            open.remove(plan.attributed().id());
            openStored.remove(plan.attributed().id());
        }
        return new RowView(plan.finalRow(), Long.toString(sequence), plan.tomb() != null ? plan.tomb() : tomb,
                open, openStored, done);
    }
}
