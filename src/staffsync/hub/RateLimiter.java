package staffsync.hub;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code perSecond} messages on average, bursts up to {@code burst}. Two kinds of
 * owner take from one: each connection's reader (RATE_LIMIT_PER_SECOND, in ws/InboundLimits) and
 * the hub thread (MAX_WRITES_PER_SECOND over every connection, in {@link WriteLimits}). It lives in
 * the hub's package because ws depends on the hub, not the other way round.
 *
 * <p>Thread-safety: guarded by this object's monitor. Each bucket has one taking thread (a
 * connection is read by one Java-WebSocket worker; the global bucket by the hub), so the lock is
 * uncontended; it is there so a bucket stays correct should it ever be taken from elsewhere.
 */
public final class RateLimiter {
    private final double perNano;
    private final double burst;
    /** Nanoseconds from an arbitrary origin ({@code System::nanoTime} in the server; a test's own clock). */
    private final LongSupplier nanoClock;
    private double tokens;      // guarded by this
    private long lastRefill;    // guarded by this

    public RateLimiter(double perSecond, double burst, LongSupplier nanoClock) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** Takes one token: false when none is left (the message is refused, not queued). */
    public synchronized boolean tryAcquire() {
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
