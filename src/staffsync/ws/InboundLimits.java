package staffsync.ws;

import java.util.concurrent.atomic.AtomicInteger;
import staffsync.hub.RateLimiter;

/**
 * What one connection may still send: its rate limit (RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST)
 * and its changes waiting for the store (MAX_PENDING_PER_CONNECTION). The Go readPump would keep
 * these as its own local variables; here the reading side, {@link MessageHandler}, takes from them.
 *
 * <p>Owners: the rate limiter is taken from only by the worker reading this connection (it has
 * its own lock, see {@link RateLimiter}). The pending count is atomic: a worker reserves a place
 * when it hands a change to the hub, the hub thread gives it back when the change is settled.
 */
final class InboundLimits {
    private final RateLimiter rateLimiter;
    private final int maxPendingChanges;
    private final AtomicInteger pendingChanges = new AtomicInteger();

    InboundLimits(RateLimiter rateLimiter, int maxPendingChanges) {
        this.rateLimiter = rateLimiter;
        this.maxPendingChanges = maxPendingChanges;
    }

    /** One message's worth of the rate: false when the client is over it. */
    boolean takeMessage() {
        return rateLimiter.tryAcquire();
    }

    /** A place for one more change waiting for the store: false when every place is taken. */
    boolean reserveChange() {
        if (pendingChanges.incrementAndGet() > maxPendingChanges) {
            pendingChanges.decrementAndGet();
            return false;
        }
        return true;
    }

    /** A change was applied or refused: its place is free again. */
    void changeSettled() {
        pendingChanges.decrementAndGet();
    }
}
