package staffsync.store.supabase;

import java.io.IOException;
import java.util.List;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.store.CommitListener;
import staffsync.store.MutationResult;

/**
 * Where the Supabase store's changes become numbered events: the seam between the table (written
 * by {@link MutationWriter}, polled by {@link ChangePoller}) and the listener.
 *
 * <ul>
 *   <li>{@link ReportedRows}: one instance numbers its own events (the default);</li>
 *   <li>{@code staffsync.store.cluster.ClusterLedger}: with Redis, several instances publish into
 *       one shared stream (docs/cluster.md).</li>
 * </ul>
 *
 * <p>A write goes {@link #beginWrite}, then the compare-and-set in the table (each attempt
 * announced with {@link #writeAt}, and {@link #writeMissed} when it finds another version), then
 * {@link #reportOwn} if it landed, and always {@link #endWrite}. Rows read from the table are
 * handed to {@link #observe} / {@link #observeGone}, which publish them if they are news.
 * Thread-safe: called by the store workers and the poller. One write per row at a time in a
 * process (the hub's store lanes give each row one worker); different rows in parallel.
 */
public interface RowLedger {

    /** Shown with the store's kind: "" for one instance, "redis" for a shared ledger. */
    String sharing();

    /**
     * Takes the table as read at start and gives the listener its first state.
     *
     * @throws IOException when it cannot start now; the store tries again later
     */
    void load(List<StaffRow> tableRows, CommitListener listener) throws IOException;

    boolean isLoaded();

    /** Why changes cannot be published right now, or null: /ready is 503 meanwhile. */
    String unavailableReason();

    // ---- what has been reported ----

    /** The row as last reported (for a row being written: as the ledger knows it for that write); null if none. */
    StaffRow get(String id);

    List<StaffRow> all();

    /** The sequence of the last event handed to the listener. */
    long sequence();

    // ---- one write, on the row's store worker ----

    /** Before the write: null to go ahead, else the outcome to answer with (a retry's original, a refusal). */
    MutationResult beginWrite(Mutation mutation, Origin origin) throws LedgerException;

    /** The write at its base version matched nothing. Null to go on, else the outcome to answer with. */
    MutationResult writeMissed(String id) throws LedgerException;

    /**
     * An update or delete is about to be sent as a compare-and-set at {@code version}, on top of
     * the row {@code base} (its incarnation). Null to go on, else the outcome to answer with.
     */
    MutationResult writeAt(StaffRow base, long version) throws LedgerException;

    /** The write landed: report it. Returns the outcome (normally {@code Applied}). */
    MutationResult reportOwn(Kind kind, StaffRow row, List<String> changedFields, Origin origin);

    /** Neither the write nor its read-back got an answer: it may land yet, so keep what identifies it. */
    void outcomeUnknown(String id);

    /** The write is over; returns the outcome to give the client (normally {@code outcome} itself). */
    MutationResult endWrite(String id, MutationResult outcome);

    // ---- rows read from the table ----

    /**
     * Reports a row as read from the table if it is news. False when it was left alone and
     * should be looked at again later (another thread of this process is writing it).
     */
    boolean observe(StaffRow row) throws LedgerException;

    /** Reports that a known row is no longer in the table; false when left alone. */
    boolean observeGone(String id) throws LedgerException;

    /**
     * True when a poll that started at {@code pollStartSequence} must not judge this row from
     * what it read: a write is under way here, or an event for it was reported since the poll began.
     */
    boolean changedSince(String id, long pollStartSequence);

    /** A poll that started at {@code pollStartSequence} is done: older marks are no longer needed. */
    void forgetChangesUpTo(long pollStartSequence);

    /** Stops its threads and connections. */
    void close();
}
