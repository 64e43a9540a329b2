package staffsync.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;
import staffsync.store.CommitListener;
import staffsync.store.MutationResult;
import staffsync.store.StaffStore;
import staffsync.store.StoreHealth;
import staffsync.store.StoreStartException;

/**
 * The durable embedded store: an append-only event log in {@code DATA_DIR}, with snapshots.
 * A change is reported applied (and so broadcast) only after its record is fsynced.
 *
 * <p>Opening locks the directory and loads snapshot plus log ({@link LogRecovery}); any
 * problem there is a {@link StoreStartException} with a one-line reason. {@link #start}
 * hands the loaded state to the listener and starts the writer thread
 * ({@link GroupCommitter}), which from then on alone owns the rows, the sequence and the log.
 *
 * <p>Concurrency: {@link #apply} and {@link #health} may be called from any thread; the
 * lifecycle methods (open, start, close) from the one thread that owns the store's life.
 */
public final class FileStore implements StaffStore {

    /**
     * @param compactBytes       roll to a new segment and snapshot once the current one is this big
     * @param recentEventLimit   how many recent events to keep for the hub's replay and retry table
     */
    public record Options(long compactBytes, int recentEventLimit) {}

    private final DataDirectory directory;
    private final DirectoryLock lock;
    private final Compactor compactor;
    private final GroupCommitter committer;
    // written by the lifecycle thread, read by apply on store workers: volatile for that read
    private volatile Thread writerThread;

    private FileStore(DataDirectory directory, DirectoryLock lock, Compactor compactor, GroupCommitter committer) {
        this.directory = directory;
        this.lock = lock;
        this.compactor = compactor;
        this.committer = committer;
    }

    /** Locks {@code dataDir} (creating it if needed) and loads it. */
    public static FileStore open(Path dataDir, Options options) {
        return open(dataDir, options, WriteFaults.NONE);
    }

    /** As {@link #open(Path, Options)}, with a test's fault injection for log writes. */
    static FileStore open(Path dataDir, Options options, WriteFaults faults) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new StoreStartException("DATA_DIR " + dataDir + " cannot be created: " + e, e);
        }
        if (!Files.isWritable(dataDir)) {
            throw new StoreStartException("DATA_DIR " + dataDir + " is not writable");
        }
        DataDirectory directory = new DataDirectory(dataDir);
        DirectoryLock lock = DirectoryLock.acquire(directory.file(DataDirectory.LOCK_FILE));
        try {
            LogRecovery.Recovered state = LogRecovery.recover(directory, options.recentEventLimit(), faults);
            Compactor compactor = new Compactor(directory);
            GroupCommitter committer = new GroupCommitter(state, directory, compactor, options.compactBytes(), faults);
            return new FileStore(directory, lock, compactor, committer);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    @Override
    public String kind() {
        return "file";
    }

    @Override
    public void start(CommitListener listener) {
        if (writerThread != null) {
            throw new IllegalStateException("the store is already started");
        }
        committer.reportLoaded(listener); // at once, like the memory store, before any commit
        writerThread = new Thread(committer::run, "store-writer");
        // daemon: if the process exits without close, stopping mid-write is a crash the log survives
        writerThread.setDaemon(true);
        writerThread.start();
    }

    @Override
    public MutationResult apply(Mutation mutation, Origin origin) {
        if (writerThread == null) {
            return MutationResult.unavailable(mutation.staffId(), "the store is not started");
        }
        return committer.submit(mutation, origin);
    }

    /**
     * Queues the change for the next group commit and returns at once, so one row's changes no
     * longer wait for each other's fsync: a window of them shares one. {@code outcome} is called
     * on the writer thread, after the listener has the event.
     */
    @Override
    public void applyThen(Mutation mutation, Origin origin, Consumer<MutationResult> outcome) {
        if (writerThread == null) {
            outcome.accept(MutationResult.unavailable(mutation.staffId(), "the store is not started"));
            return;
        }
        committer.enqueue(mutation, origin, outcome);
    }

    @Override
    public StoreHealth health() {
        return committer.health();
    }

    /** Finishes queued writes, lets a running snapshot finish, closes the log and the lock. */
    @Override
    public void close() {
        committer.stop();
        if (writerThread != null) {
            try {
                writerThread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            committer.closeUnstarted();
        }
        compactor.close();
        lock.close();
    }

    Path directory() {
        return directory.root();
    }
}
