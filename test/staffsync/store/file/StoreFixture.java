package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;
import staffsync.store.MutationResult;
import staffsync.support.RecordingListener;

/** A started FileStore on a directory, with the listener that saw its reports. */
final class StoreFixture implements AutoCloseable {
    static final long NO_COMPACTION = Long.MAX_VALUE;

    final FileStore store;
    final RecordingListener listener = new RecordingListener();

    private StoreFixture(FileStore store) throws InterruptedException {
        this.store = store;
        store.start(listener);
        listener.awaitLoaded();
    }

    static StoreFixture open(Path dir) throws InterruptedException {
        return open(dir, NO_COMPACTION, 100, WriteFaults.NONE);
    }

    static StoreFixture open(Path dir, long compactBytes, int recentLimit, WriteFaults faults)
            throws InterruptedException {
        return new StoreFixture(FileStore.open(dir, new FileStore.Options(compactBytes, recentLimit), faults));
    }

    MutationResult apply(Mutation mutation, String clientId, long clientSequence) {
        return store.apply(mutation, new Origin(clientId, clientSequence));
    }

    /** Applies a mutation that must commit; returns its event. */
    ChangeEvent commit(Mutation mutation, String clientId, long clientSequence) {
        MutationResult result = apply(mutation, clientId, clientSequence);
        return assertInstanceOf(MutationResult.Applied.class, result, () -> "not applied: " + result).event();
    }

    /** Creates {@code count} rows s-0, s-1, ... as client "c-1" sequence 1, 2, ... */
    void createRows(int count) {
        for (int i = 0; i < count; i++) {
            commit(Mutations.create("s-" + i, "Staff " + i), "c-1", i + 1);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
