package staffsync.store.cluster;

import staffsync.protocol.StaffRow;

/** What was found in the table about one row: the row, or that an incarnation of it is gone. */
sealed interface Observed {

    String id();

    /** The row as read (or as our own write left it). */
    record Present(StaffRow row) implements Observed {
        @Override
        public String id() {
            return row.id();
        }
    }

    /**
     * No row in the table for this id.
     *
     * @param incarnation the {@code created_at} of the row known to be gone; null: whichever is published
     */
    record Gone(String id, String incarnation) implements Observed {}
}
