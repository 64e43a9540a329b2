package staffsync.hub;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs store calls off the hub thread, on a fixed set of single-thread lanes. A row always goes
 * to the same lane, so two changes to one row reach the store in the order they arrived and
 * their events carry increasing versions; changes to different rows run side by side.
 *
 * <p>A call may finish on the lane or later, on the store's own thread (the file store queues a
 * row's changes for its next group commit without waiting for the previous one's fsync): each
 * call reports its end through {@link #settled}, and {@link #shutdown} waits for those too.
 * {@code unsettled} is guarded by {@code idle}.
 */
final class StoreLanes {
    private final List<ExecutorService> lanes = new ArrayList<>();
    private final Object idle = new Object();
    private int unsettled; // guarded by idle

    StoreLanes(int count) {
        for (int i = 0; i < count; i++) {
            String name = "store-lane-" + i;
            lanes.add(Executors.newSingleThreadExecutor(task -> new Thread(task, name)));
        }
    }

    /** Queues the call on the row's lane; false when shutting down. The call must end with {@link #settled}. */
    boolean submit(String staffId, Runnable call) {
        synchronized (idle) {
            unsettled++;
        }
        try {
            lanes.get(Math.floorMod(staffId.hashCode(), lanes.size())).execute(call);
            return true;
        } catch (RejectedExecutionException e) {
            settled();
            return false;
        }
    }

    /** One submitted call has its outcome (from any thread). */
    void settled() {
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
