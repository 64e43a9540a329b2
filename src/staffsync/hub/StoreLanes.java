package staffsync.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import staffsync.hub.HubEvent.MutationDone;
import staffsync.hub.HubEvent.MutationRequested;
import staffsync.protocol.ErrorCode;
import staffsync.store.MutationResult;
import staffsync.store.StaffStore;

/**
 * Runs store calls off the hub thread, on a fixed set of single-thread lanes (threads named
 * {@code store-lane-N}). A row always goes to the same lane, so two changes to one row reach the
 * store in the order they arrived and their events carry increasing versions; changes to
 * different rows run side by side.
 *
 * <p>The hub hands a change over with {@link #apply}; its outcome goes back to the hub as one
 * {@link MutationDone} event, whatever it is (applied, refused, a repeat, or a failure of the
 * store call), and the hub settles it there. An applied change's {@code Committed} event reaches
 * the hub first (the store's contract).
 *
 * <p>A call may finish on the lane or later, on the store's own thread (the file store queues a
 * row's changes for its next group commit without waiting for the previous one's fsync): each
 * call counts as unsettled until its outcome is handed back, and {@link #shutdown} waits for
 * those too. {@code unsettled} is guarded by {@code idle}.
 */
final class StoreLanes {
    private static final Logger LOG = Logger.getLogger(StoreLanes.class.getName());

    private final StaffStore store;
    /** Where outcomes go: the hub's queue. */
    private final Consumer<HubEvent> hub;
    private final List<ExecutorService> lanes = new ArrayList<>();
    private final Object idle = new Object();
    private int unsettled; // guarded by idle

    StoreLanes(int count, StaffStore store, Consumer<HubEvent> hub) {
        this.store = store;
        this.hub = hub;
        for (int i = 0; i < count; i++) {
            String name = "store-lane-" + i;
            lanes.add(Executors.newSingleThreadExecutor(task -> new Thread(task, name)));
        }
    }

    /**
     * Hub thread: queues the change on its row's lane. False when shutting down: nothing was
     * queued and no outcome will come (the hub answers the change itself).
     */
    boolean apply(MutationRequested request) {
        synchronized (idle) {
            unsettled++;
        }
        try {
            lanes.get(Math.floorMod(request.mutation().staffId().hashCode(), lanes.size()))
                    .execute(() -> applyOnLane(request));
            return true;
        } catch (RejectedExecutionException e) {
            countSettled();
            return false;
        }
    }

    /**
     * A lane. The outcome is handed back here or, from a store that queues without waiting,
     * later on the store's thread.
     */
    private void applyOnLane(MutationRequested request) {
        try {
            store.applyThen(request.mutation(), request.origin(), result -> done(request, result));
        } catch (OutOfMemoryError e) {
            throw e; // ends the process: see FatalErrors
        } catch (Throwable e) {
            // Any other failure (an Error included) fails this change alone; the lane and its client go on.
            LOG.log(Level.SEVERE, "store failed on " + request.mutation().getClass().getSimpleName(), e);
            done(request, new MutationResult.Rejected(ErrorCode.INTERNAL, "the server failed to process the change",
                    request.mutation().staffId(), null));
        }
    }

    /** A lane or the store's thread: the outcome goes back to the hub, which settles the change. */
    private void done(MutationRequested request, MutationResult result) {
        hub.accept(new MutationDone(request, result));
        countSettled();
    }

    private void countSettled() {
        synchronized (idle) {
            unsettled--;
            if (unsettled == 0) {
                idle.notifyAll();
            }
        }
    }

    /** Lets queued calls finish and their outcomes arrive, up to the timeout; later submits are refused. */
    void shutdown(long timeoutMs) throws InterruptedException {
        lanes.forEach(ExecutorService::shutdown);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (ExecutorService lane : lanes) {
            lane.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        synchronized (idle) {
            long left;
            while (unsettled > 0 && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
        }
    }
}
