package staffsync.store;

import java.util.List;
import java.util.UUID;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;
import staffsync.protocol.Timestamps;

/**
 * Rows in memory only: fast, and forgotten at exit (each start is a new epoch). Used by the
 * tests and with {@code STORE=memory}.
 *
 * <p>Concurrency: one lock guards the table and the sequence counter; the listener is called
 * while holding it, which is what keeps events in sequence order.
 */
public final class MemoryStore implements StaffStore {
    private final Object lock = new Object();
    private final RowTable table = new RowTable(); // guarded by lock
    private long sequence;                          // guarded by lock
    private CommitListener listener;                // guarded by lock

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public void start(CommitListener commitListener) {
        synchronized (lock) {
            listener = commitListener;
            listener.loaded(new StoreState(UUID.randomUUID().toString(), sequence, table.rows(), List.of()));
        }
    }

    @Override
    public MutationResult apply(Mutation mutation, Origin origin) {
        synchronized (lock) {
            if (listener == null) {
                return MutationResult.unavailable(mutation.staffId(), "the store is not started");
            }
            MutationResult result = table.decide(mutation, origin, sequence + 1, Timestamps.now());
            if (result instanceof MutationResult.Applied applied) {
                sequence++;
                table.commit(applied.event());
                listener.committed(applied.event());
            }
            return result;
        }
    }

    @Override
    public StoreHealth health() {
        return new StoreHealth(kind(), true, 0L, null);
    }

    @Override
    public void close() {
        // nothing to release
    }
}
