package staffsync.store.supabase;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import staffsync.protocol.StaffRow;

/**
 * Finds changes made outside this server (the SQL editor, the app writing directly, another
 * server instance) and reports them as ordinary events.
 *
 * <p>Every poll reads the rows whose {@code updated_at} is after a cursor. Transactions commit
 * out of timestamp order (a row stamped 12:00:00.100 may become visible after one stamped
 * 12:00:00.200), so the query starts an {@code overlap} behind the newest timestamp seen, and
 * {@link ReportedRows#observe} decides by version whether a row is news. Deletions leave no row
 * to find, so every {@link #DELETION_CHECK_EVERY}th poll compares the table's ids with the rows
 * known.
 *
 * <p>A row being written by this server during the poll is left alone (its writer reports it)
 * and the cursor is held back so the next poll reads it again; so is a row the ledger could not
 * report now (Redis unreachable), however long that lasts.
 *
 * <p>Concurrency: confined to the store's poller thread, which owns {@code cursor} and
 * {@code polls}; shared state is only touched through the {@link RowLedger}.
 */
final class ChangePoller {
    static final int DELETION_CHECK_EVERY = 6;
    private static final Logger LOG = Logger.getLogger(ChangePoller.class.getName());

    private final SupabaseTable table;
    private final RowLedger reported;
    private final Duration overlap;
    private Instant cursor;        // poller thread only: newest updated_at handled; null = read everything
    private long polls;            // poller thread only
    private boolean failing;       // poller thread only: log a failure once, and the recovery once

    ChangePoller(SupabaseTable table, RowLedger reported, Duration overlap) {
        this.table = table;
        this.reported = reported;
        this.overlap = overlap;
    }

    /** Sets the cursor from the rows just loaded. */
    void startAfter(List<StaffRow> loaded) {
        for (StaffRow row : loaded) {
            cursor = later(cursor, Instant.parse(row.updatedAt()));
        }
    }

    /** One scheduled run: never throws, so the schedule keeps going through outages. */
    void pollSafely() {
        try {
            pollOnce();
            if (failing) {
                LOG.info("polling Supabase works again");
                failing = false;
            }
        } catch (java.io.InterruptedIOException e) {
            Thread.currentThread().interrupt(); // the store is closing
        } catch (PostgrestException | IOException | LedgerException | RuntimeException e) {
            if (!failing) {
                LOG.warning("polling Supabase failed (will keep trying): " + e.getMessage());
                failing = true;
            }
        }
    }

    void pollOnce() throws PostgrestException, IOException, LedgerException {
        long pollStart = reported.sequence();
        List<StaffRow> rows = table.readChangedAfter(cursor == null ? null : cursor.minus(overlap));
        Instant newest = cursor;
        Instant oldestLeftAlone = null;
        for (StaffRow row : rows) {
            Instant updatedAt = Instant.parse(row.updatedAt());
            if (reported.changedSince(row.id(), pollStart) || !observeOrLeave(row)) {
                oldestLeftAlone = earlier(oldestLeftAlone, updatedAt);
                continue;
            }
            newest = later(newest, updatedAt);
        }
        cursor = oldestLeftAlone == null ? newest : earlier(newest, oldestLeftAlone);
        if (++polls % DELETION_CHECK_EVERY == 0) {
            checkDeletions();
        }
        reported.forgetChangesUpTo(pollStart);
    }

    /** False when the ledger left the row alone or could not report it now: it is read again next time. */
    private boolean observeOrLeave(StaffRow row) {
        try {
            return reported.observe(row);
        } catch (LedgerException e) {
            LOG.fine("could not report '" + row.id() + "' yet: " + e.getMessage());
            return false;
        }
    }

    /** Reports known rows that are no longer in the table (one the ledger cannot report now waits for the next check). */
    void checkDeletions() throws PostgrestException, IOException, LedgerException {
        long checkStart = reported.sequence();
        Set<String> stored = new HashSet<>(table.readAllIds());
        for (StaffRow known : reported.all()) {
            if (!stored.contains(known.id()) && !reported.changedSince(known.id(), checkStart)) {
                reported.observeGone(known.id());
            }
        }
    }

    private static Instant later(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null || b.isBefore(a) ? b : a;
    }
}
