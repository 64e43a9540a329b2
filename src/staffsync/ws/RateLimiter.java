package staffsync.ws;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code perSecond} messages on average, bursts up to {@code burst}. One per
 * connection, taken from by the worker that reads that connection's messages.
 *
 * <p>Thread-safety: guarded by this object's monitor. Java-WebSocket hands each connection to one
 * worker, so the lock is uncontended; it is there so the bucket stays correct should a message
 * ever be read on another thread.
 */
final class RateLimiter {
    private final double perNano;
    private final double burst;
    /** Nanoseconds from an arbitrary origin ({@code System::nanoTime} in the server; a test's own clock). */
    private final LongSupplier nanoClock;
    private double tokens;      // guarded by this
    private long lastRefill;    // guarded by this

    RateLimiter(double perSecond, int burst, LongSupplier nanoClock) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** Takes one token: false when none is left (the message is refused, not queued). */
    synchronized boolean tryAcquire() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastRefill) * perNano);
        lastRefill = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
