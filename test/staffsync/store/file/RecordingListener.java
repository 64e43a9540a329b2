package staffsync.store.file;

import java.util.ArrayList;
import java.util.List;
import staffsync.protocol.ChangeEvent;
import staffsync.store.CommitListener;
import staffsync.store.StoreState;

/** Keeps what a store reported, in the order it was reported. Safe from any thread. */
final class RecordingListener implements CommitListener {
    private StoreState loaded;                              // guarded by this
    private final List<ChangeEvent> committed = new ArrayList<>(); // guarded by this

    @Override
    public synchronized void loaded(StoreState state) {
        loaded = state;
        notifyAll();
    }

    @Override
    public synchronized void committed(ChangeEvent event) {
        committed.add(event);
    }

    /** Waits for the writer thread to report the loaded state. */
    synchronized StoreState awaitLoaded() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (loaded == null && System.currentTimeMillis() < deadline) {
            wait(100);
        }
        if (loaded == null) {
            throw new AssertionError("the store never reported its loaded state");
        }
        return loaded;
    }

    synchronized List<ChangeEvent> committed() {
        return new ArrayList<>(committed);
    }
}
