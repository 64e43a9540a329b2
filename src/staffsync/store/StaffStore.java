package staffsync.store;

import java.util.function.Consumer;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;

/**
 * Where staff rows live. One small interface so the hub does not care whether rows are in
 * memory, in a local log, or in Supabase.
 *
 * <p>The contract every store keeps:
 * <ul>
 *   <li>{@link #apply} is a compare-and-set on the row's version and blocks until the outcome
 *       is known; it runs on the hub's store workers, never on the hub thread.</li>
 *   <li>Every committed change gets the next event sequence number (1, 2, 3, ... with no gap)
 *       and is handed to the {@link CommitListener} exactly once, in sequence order, before
 *       {@code apply} returns. Changes from elsewhere (another writer of the database) are
 *       handed over the same way.</li>
 *   <li>A change that may not have been stored is never reported applied.</li>
 * </ul>
 */
public interface StaffStore extends AutoCloseable {

    /** "memory", "file" or "supabase": shown in /health. */
    String kind();

    /**
     * Begins serving. The store reports its contents with {@link CommitListener#loaded} (at
     * once, or later when a remote database becomes reachable) and then every commit.
     */
    void start(CommitListener listener);

    /** Applies one client change, blocking until it is stored or refused. */
    MutationResult apply(Mutation mutation, Origin origin);

    /**
     * Applies one client change and hands its outcome to {@code outcome}, under the same contract
     * as {@link #apply} (an applied change reaches the {@link CommitListener} first). A store that
     * can take a change without waiting for the ones before it (the file store: one row's changes
     * queue for the next group commit instead of each waiting for the previous one's fsync)
     * returns at once and calls {@code outcome} later, on its own thread; changes given to it from
     * one thread are decided in that order. Others decide here, blocking, as {@link #apply} does.
     * {@code outcome} must not block.
     */
    default void applyThen(Mutation mutation, Origin origin, Consumer<MutationResult> outcome) {
        outcome.accept(apply(mutation, origin));
    }

    /** A cheap, non-blocking view of the store's health for /health and /ready. */
    StoreHealth health();

    /** Finishes pending writes and releases files and connections. */
    @Override
    void close();
}
