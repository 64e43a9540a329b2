package staffsync.support;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import staffsync.protocol.ChangeEvent;
import staffsync.store.CommitListener;
import staffsync.store.StoreState;

/** A CommitListener that keeps what a store reported, in order, and lets a test wait for it. Guarded by its monitor. */
public final class RecordingListener implements CommitListener {
    private StoreState loaded;
    private final List<ChangeEvent> events = new ArrayList<>();

    @Override
    public synchronized void loaded(StoreState state) {
        loaded = state;
        notifyAll();
    }

    @Override
    public synchronized void committed(ChangeEvent event) {
        events.add(event);
        notifyAll();
    }

    /** Waits up to 10 s for the store to report its loaded state. */
    public StoreState awaitLoaded() throws InterruptedException {
        return awaitLoaded(Duration.ofSeconds(10));
    }

    public synchronized StoreState awaitLoaded(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (loaded == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("the store did not load within " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return loaded;
    }

    public synchronized StoreState loaded() {
        return loaded;
    }

    public synchronized List<ChangeEvent> events() {
        return new ArrayList<>(events);
    }

    /** Waits for an event that matches; returns it. */
    public synchronized ChangeEvent await(Predicate<ChangeEvent> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (ChangeEvent event : events) {
                if (wanted.test(event)) {
                    return event;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no matching event within " + timeout + "; events: " + events);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
