package staffsync.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;
import staffsync.protocol.Timestamps;
import staffsync.store.CommitListener;
import staffsync.store.MutationResult;
import staffsync.store.RowTable;
import staffsync.store.StoreHealth;
import staffsync.store.StoreState;

/**
 * The one thread that writes the log, with group commit: callers queue their mutations
 * (and wait, or are called back); the writer takes everything queued (the writes that arrived
 * while the last fsync ran), decides each against the rows in order, writes the batch with one
 * write and one fsync, and only then tells the listener and the callers. One fsync is shared by
 * the whole batch, so durability costs little throughput.
 *
 * <p>A caller need not wait for its previous change before queueing the next one to the same
 * row ({@link #enqueue}): the next is decided against the state the previous one leaves, in the
 * same batch or the one after. Nothing is told before its own fsync; a crash loses the queued,
 * not yet synced tail together and in order (the log is read up to its first incomplete record).
 *
 * <p>If the write fails (full disk, unwritable directory) the batch is undone as if never
 * decided: the rows go back, the sequence numbers are reused by the next batch, partial
 * bytes are cut off before the next write, nothing is broadcast and every caller in the
 * batch gets STORE_UNAVAILABLE. Health reports unreachable until a write or probe succeeds.
 *
 * <p>Concurrency: the queue is the only hand-over. Everything below "writer thread only"
 * belongs to the writer thread alone, so it needs no lock. {@code acceptLock} guards
 * {@code closing}, so the stop marker is always the last item ever queued.
 */
final class GroupCommitter {
    private static final Logger LOG = Logger.getLogger(GroupCommitter.class.getName());
    /** Bounds one batch's buffer and the wait of its first caller; far above any real queue. */
    private static final int MAX_BATCH_WRITES = 1024;
    private static final long PROBE_INTERVAL_MS = 1_000;
    private static final int PROBE_BYTES = 64 * 1024;

    /** One caller's mutation, waiting for its outcome. */
    private static final class PendingWrite {
        final Mutation mutation;
        final Origin origin;
        final Consumer<MutationResult> outcome;
        MutationResult decided; // writer thread only

        PendingWrite(Mutation mutation, Origin origin, Consumer<MutationResult> outcome) {
            this.mutation = mutation;
            this.origin = origin;
            this.outcome = outcome;
        }
    }

    /** Queued by close, after every real write: the writer finishes what is before it, then stops. */
    private static final PendingWrite STOP = new PendingWrite(null, null, result -> { });

    /** How to undo one decided change: the row as it was before. */
    private record Undo(String staffId, StaffRow previous) {}

    private final BlockingQueue<PendingWrite> queue = new LinkedBlockingQueue<>();
    private final Object acceptLock = new Object();
    private boolean closing; // guarded by acceptLock
    private volatile StoreHealth health; // written by the writer thread only, read by /health from any thread

    // ---- writer thread only: set up by the starting thread, then handed over by Thread.start,
    // ---- which makes those writes visible to the writer thread ----
    private final String epoch;
    private final DataDirectory directory;
    private final Compactor compactor;
    private final WriteFaults faults;
    private final long compactBytes;
    private final RowTable table;
    private final RecentEvents recent;
    private long sequence;
    private SegmentWriter segment;
    private boolean mustRepair;
    private CommitListener listener;

    GroupCommitter(LogRecovery.Recovered state, DataDirectory directory, Compactor compactor, long compactBytes,
                   WriteFaults faults) {
        this.epoch = state.epoch();
        this.sequence = state.sequence();
        this.table = state.table();
        this.recent = state.recent();
        this.segment = state.segment();
        this.directory = directory;
        this.compactor = compactor;
        this.compactBytes = compactBytes;
        this.faults = faults;
        this.health = new StoreHealth("file", true, null, null);
    }

    // ---- any thread ----

    /** Queues the mutation and blocks until it is durable and broadcast, or refused. */
    MutationResult submit(Mutation mutation, Origin origin) {
        CompletableFuture<MutationResult> result = new CompletableFuture<>();
        enqueue(mutation, origin, result::complete);
        return result.join();
    }

    /**
     * Queues the mutation without waiting: {@code outcome} is called on the writer thread once it
     * is durable and handed to the listener, or refused (at once, on this thread, when closing).
     * Mutations queued from one thread are decided in that order.
     */
    void enqueue(Mutation mutation, Origin origin, Consumer<MutationResult> outcome) {
        PendingWrite write = new PendingWrite(mutation, origin, outcome);
        synchronized (acceptLock) {
            if (!closing) {
                queue.add(write);
                return;
            }
        }
        outcome.accept(MutationResult.unavailable(mutation.staffId(), "the store is shutting down"));
    }

    StoreHealth health() {
        return health;
    }

    /** After this, new submits are refused; the writer finishes the queued ones and stops. */
    void stop() {
        synchronized (acceptLock) {
            if (!closing) {
                closing = true;
                queue.add(STOP);
            }
        }
    }

    /** Releases the log file of a store closed without ever starting. */
    void closeUnstarted() {
        closeSegment();
    }

    // ---- writer thread ----

    /**
     * Hands the loaded state to the listener. Called by the thread that starts the store,
     * before the writer thread exists, so it reads the state without any race.
     */
    void reportLoaded(CommitListener commitListener) {
        listener = commitListener;
        listener.loaded(new StoreState(epoch, sequence, table.rows(), recent.list()));
    }

    /** Serves the queue until {@link #stop}. Runs on the writer thread. */
    void run() {
        List<PendingWrite> batch = new ArrayList<>();
        try {
            while (true) {
                PendingWrite first = mustRepair ? queue.poll(PROBE_INTERVAL_MS, TimeUnit.MILLISECONDS) : queue.take();
                if (first == null) {
                    probe(); // idle while broken: probe, so /ready turns back on when space returns
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_BATCH_WRITES - 1);
                boolean stopping = batch.remove(STOP);
                commit(batch);
                batch.clear();
                if (stopping) {
                    break;
                }
                rollSegmentIfFull();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            batch.remove(STOP);
            refuseAll(batch, "the store was interrupted");
        } finally {
            refuseLeftovers();
            closeSegment();
        }
    }

    /**
     * However the writer stops (close, or an unexpected Error), no caller may wait forever:
     * refuse new submits and answer everything still queued.
     */
    private void refuseLeftovers() {
        synchronized (acceptLock) {
            closing = true;
        }
        List<PendingWrite> leftovers = new ArrayList<>();
        queue.drainTo(leftovers);
        leftovers.remove(STOP);
        refuseAll(leftovers, "the store has stopped");
    }

    private void commit(List<PendingWrite> batch) {
        if (batch.isEmpty()) {
            return;
        }
        if (mustRepair && !discardPartialWrite()) {
            refuseAll(batch, health.lastError());
            return;
        }
        long sequenceBefore = sequence;
        List<Undo> undo = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        try {
            for (PendingWrite write : batch) {
                write.decided = table.decide(write.mutation, write.origin, sequence + 1, Timestamps.now());
                if (write.decided instanceof MutationResult.Applied applied) {
                    ChangeEvent event = applied.event();
                    // committed at once so later writes in this batch see it; undone if the write fails
                    undo.add(new Undo(event.row().id(), table.get(event.row().id())));
                    table.commit(event);
                    sequence = event.sequence();
                    payloads.add(EventCodec.encode(event));
                }
            }
            if (!payloads.isEmpty()) {
                writeDurably(payloads);
            }
        } catch (IOException | RuntimeException e) {
            undoBatch(undo, sequenceBefore);
            markBroken(e);
            refuseAll(batch, health.lastError());
            return;
        }
        if (mustRepair && !payloads.isEmpty()) {
            markWritable();
        }
        for (PendingWrite write : batch) {
            if (write.decided instanceof MutationResult.Applied applied) {
                recent.add(applied.event());
                tellListener(applied.event());
            }
            tellCaller(write, write.decided);
        }
    }

    private void writeDurably(List<byte[]> payloads) throws IOException {
        int size = 0;
        for (byte[] payload : payloads) {
            size += RecordFrame.framedSize(payload);
        }
        ByteBuffer bytes = ByteBuffer.allocate(size);
        for (byte[] payload : payloads) {
            RecordFrame.write(bytes, payload);
        }
        bytes.flip();
        long started = System.nanoTime();
        segment.appendAndSync(bytes);
        long millis = (System.nanoTime() - started) / 1_000_000;
        health = new StoreHealth("file", true, millis, health.lastError());
    }

    private void undoBatch(List<Undo> undo, long sequenceBefore) {
        for (int i = undo.size() - 1; i >= 0; i--) {
            table.restore(undo.get(i).staffId(), undo.get(i).previous());
        }
        sequence = sequenceBefore;
    }

    private void markBroken(Exception e) {
        String why = "cannot write the event log in " + directory.root() + ": " + e.getMessage();
        if (!mustRepair) {
            LOG.log(Level.SEVERE, why + "; refusing changes until writing works again", e);
        }
        mustRepair = true;
        health = new StoreHealth("file", false, null, why);
    }

    /** Cuts off what a failed write left behind, so the next batch appends at the durable end. */
    private boolean discardPartialWrite() {
        try {
            segment.discardUndurableBytes();
            return true;
        } catch (IOException | RuntimeException e) {
            health = new StoreHealth("file", false, null, "cannot write the event log in " + directory.root()
                    + ": " + e.getMessage());
            return false;
        }
    }

    /** While broken and idle: checks that a real write and fsync succeed again. */
    private void probe() {
        if (!discardPartialWrite()) {
            return;
        }
        try {
            probeWrite();
        } catch (IOException | RuntimeException e) {
            health = new StoreHealth("file", false, null, "cannot write the event log in " + directory.root()
                    + ": " + e.getMessage());
            return;
        }
        markWritable();
    }

    private void markWritable() {
        mustRepair = false;
        health = new StoreHealth("file", true, health.latencyMs(), health.lastError());
        LOG.info("the event log in " + directory.root() + " is writable again");
    }

    private void probeWrite() throws IOException {
        Path probe = directory.file("probe" + DataDirectory.TEMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.allocate(PROBE_BYTES);
            faults.beforeWrite(channel, 0, bytes.duplicate());
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
            channel.force(false);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    private void refuseAll(List<PendingWrite> batch, String why) {
        for (PendingWrite write : batch) {
            tellCaller(write, MutationResult.unavailable(write.mutation.staffId(), why));
        }
    }

    private void tellCaller(PendingWrite write, MutationResult result) {
        try {
            write.outcome.accept(result);
        } catch (RuntimeException e) {
            // the outcome is decided (and, if applied, durable); a caller's bug must not stop the log
            LOG.log(Level.SEVERE, "a caller's outcome handler failed for " + write.mutation.staffId(), e);
        }
    }

    private void tellListener(ChangeEvent event) {
        try {
            listener.committed(event);
        } catch (RuntimeException e) {
            // the event is durable; a listener bug must not stop the log
            LOG.log(Level.SEVERE, "the commit listener failed on event " + event.sequence(), e);
        }
    }

    /**
     * Past the size limit, start a new segment at the current sequence and let the
     * compactor snapshot the state as of that sequence. The copy of rows and recent events
     * is taken here, on the writer thread, so it is exactly the state at that sequence.
     */
    private void rollSegmentIfFull() {
        if (segment.size() < compactBytes || compactor.isBusy() || mustRepair) {
            return;
        }
        try {
            SegmentWriter next = SegmentWriter.create(directory.segmentPath(sequence), sequence, faults);
            try {
                directory.sync();
            } catch (IOException e) {
                next.close();
                throw e;
            }
            closeSegment();
            segment = next;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot start a new log segment; will try again after the next write", e);
            return;
        }
        compactor.compact(new Snapshot(epoch, sequence, table.rows(), recent.list()));
    }

    private void closeSegment() {
        try {
            segment.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing " + segment.path() + " failed", e);
        }
    }
}
