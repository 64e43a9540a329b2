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
 */
final class StoreLanes {
    private final List<ExecutorService> lanes = new ArrayList<>();

    StoreLanes(int count) {
        for (int i = 0; i < count; i++) {
            String name = "store-lane-" + i;
            lanes.add(Executors.newSingleThreadExecutor(task -> new Thread(task, name)));
        }
    }

    /** Queues the call on the row's lane; false when shutting down. */
    boolean submit(String staffId, Runnable call) {
        try {
            lanes.get(Math.floorMod(staffId.hashCode(), lanes.size())).execute(call);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Lets queued calls finish, up to the timeout; later submits are refused. */
    void shutdown(long timeoutMs) throws InterruptedException {
        lanes.forEach(ExecutorService::shutdown);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (ExecutorService lane : lanes) {
            lane.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }
}
