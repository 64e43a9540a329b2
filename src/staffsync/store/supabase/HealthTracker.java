package staffsync.store.supabase;

import staffsync.store.StoreHealth;

/**
 * Reachability as last seen by any request (the probe, a poll, a write). /health and /ready read
 * it without blocking on the network.
 *
 * <p>Concurrency: one monitor guards every field; callers are the probe and poller threads and
 * the store workers. Every text stored here has already been through {@link ApiKey#redact}.
 */
final class HealthTracker {
    /** What /health and /ready show before the first load attempt has finished. */
    static final String NOT_LOADED_YET = "the table has not been loaded yet";

    private boolean reachable;   // guarded by this
    private Long latencyMs;      // guarded by this
    private String lastError;    // guarded by this; kept after recovery, so /health shows what happened last

    HealthTracker(String initialError) {
        this.lastError = initialError;
    }

    synchronized void succeeded(long roundTripMs) {
        reachable = true;
        latencyMs = roundTripMs;
    }

    synchronized void failed(String error) {
        reachable = false;
        lastError = error;
    }

    synchronized StoreHealth snapshot(String kind, boolean loaded) {
        return new StoreHealth(kind, reachable && loaded, latencyMs,
                loaded || lastError != null ? lastError : NOT_LOADED_YET);
    }
}
