package staffsync.hub;

import java.util.HashMap;
import java.util.Map;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.ErrorCode;
import staffsync.store.MutationResult.Rejected;

/**
 * The server-wide limits on changes, judged by the hub before a change goes to the store:
 * {@code MAX_ROWS} (a create that could pass it gets LIMIT_EXCEEDED) and
 * {@code MAX_WRITES_PER_SECOND} (a token bucket over every connection: RATE_LIMITED).
 *
 * <p>Creates run on several store lanes at once, so counting stored rows alone would let
 * concurrent creates race past the limit. A create therefore holds a slot from the moment it
 * goes to the store until its outcome is known: the row count it is judged against is the
 * rows stored plus the creates still in flight. Owned by the hub thread; nothing is shared.
 */
final class WriteLimits {
    private final int maxRows;
    /** MAX_WRITES_PER_SECOND with one second's worth as its burst; null when there is no such limit. */
    private final RateLimiter writes;
    /** Creates handed to the store and not yet settled, by row id (one id may have several queued). */
    private final Map<String, Integer> createsInFlight = new HashMap<>();
    private int createsInFlightTotal;

    /** No limits: for tests and tools that build a hub directly. */
    static WriteLimits none() {
        return new WriteLimits(Integer.MAX_VALUE, Double.POSITIVE_INFINITY);
    }

    WriteLimits(int maxRows, double maxWritesPerSecond) {
        this.maxRows = maxRows;
        this.writes = Double.isInfinite(maxWritesPerSecond)
                ? null
                : new RateLimiter(maxWritesPerSecond, Math.max(1, maxWritesPerSecond), System::nanoTime);
    }

    /**
     * Null when the change may go to the store (a create then holds a slot until
     * {@link #settled}); otherwise the refusal to answer it with.
     */
    Rejected admit(Mutation mutation, int storedRows) {
        if (mutation instanceof CreateStaff && storedRows + createsInFlightTotal >= maxRows) {
            return new Rejected(ErrorCode.LIMIT_EXCEEDED, "the staff list holds its maximum of " + maxRows
                    + " rows (MAX_ROWS); delete rows before creating more; this one was not applied",
                    mutation.staffId(), null);
        }
        if (writes != null && !writes.tryAcquire()) {
            return new Rejected(ErrorCode.RATE_LIMITED, "the server is taking its maximum number of changes"
                    + " per second from all clients (MAX_WRITES_PER_SECOND); this one was not applied",
                    mutation.staffId(), null);
        }
        if (mutation instanceof CreateStaff) {
            createsInFlight.merge(mutation.staffId(), 1, Integer::sum);
            createsInFlightTotal++;
        }
        return null;
    }

    /**
     * A create of this row is no longer in flight: it was committed (and counts as a stored row
     * from now on) or refused. Called for every committed create, including ones from elsewhere:
     * a create from elsewhere of a row that one of ours is creating makes ours fail as
     * ALREADY_EXISTS, so its slot may go as well. Further calls for the same row are no-ops.
     */
    void settled(String staffId) {
        Integer count = createsInFlight.get(staffId);
        if (count == null) {
            return;
        }
        if (count == 1) {
            createsInFlight.remove(staffId);
        } else {
            createsInFlight.put(staffId, count - 1);
        }
        createsInFlightTotal--;
    }
}
