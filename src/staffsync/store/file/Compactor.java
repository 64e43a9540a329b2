package staffsync.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.store.file.DataDirectory.NumberedFile;

/**
 * Writes snapshots off the commit path and then removes the files they make redundant.
 *
 * <p>The writer thread has already started a new segment at the snapshot's sequence before
 * handing the snapshot over, so the order on disk is: new segment, then snapshot (temp file,
 * fsync, rename, fsync directory), then deletion of older segments and snapshots. A crash
 * between any two steps leaves a loadable state: an old snapshot plus all segments, or the
 * new snapshot plus segments it partly covers (skipped at start).
 *
 * <p>Concurrency: snapshots are written on this class's own single thread; {@code busy} is
 * the only state shared with the writer thread, which checks it before asking for another.
 */
final class Compactor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Compactor.class.getName());

    private final DataDirectory directory;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread compactor = new Thread(runnable, "store-compactor");
        compactor.setDaemon(true); // an interrupted snapshot is a crash we already survive
        return compactor;
    });
    private final AtomicBoolean busy = new AtomicBoolean();

    Compactor(DataDirectory directory) {
        this.directory = directory;
    }

    /** True while a snapshot is being written; the writer waits for it before rolling again. */
    boolean isBusy() {
        return busy.get();
    }

    void compact(Snapshot snapshot) {
        busy.set(true);
        thread.execute(() -> {
            try {
                long started = System.nanoTime();
                snapshot.writeTo(directory);
                deleteOlderThan(snapshot.sequence());
                LOG.info("compacted the event log: snapshot at sequence " + snapshot.sequence() + " ("
                        + snapshot.rows().size() + " rows, " + snapshot.recentEvents().size() + " recent events) in "
                        + (System.nanoTime() - started) / 1_000_000 + " ms");
            } catch (IOException | RuntimeException e) {
                // nothing is lost: the old snapshot and every segment are still there; the next roll tries again
                LOG.log(Level.WARNING, "compaction at sequence " + snapshot.sequence() + " failed: " + e, e);
            } finally {
                busy.set(false);
            }
        });
    }

    private void deleteOlderThan(long sequence) throws IOException {
        for (NumberedFile segment : directory.segments()) {
            if (segment.sequence() < sequence) {
                Files.deleteIfExists(segment.path());
            }
        }
        for (NumberedFile snapshot : directory.snapshots()) {
            if (snapshot.sequence() < sequence) {
                Files.deleteIfExists(snapshot.path());
            }
        }
        directory.sync();
    }

    /** Lets a running snapshot finish, so close never leaves a temp file behind without need. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warning("a snapshot was still being written at close; it will be redone later");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
