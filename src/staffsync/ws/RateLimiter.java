package staffsync.ws;

/**
 * A token bucket: {@code perSecond} messages on average, bursts up to {@code burst}. One per
 * connection. Synchronized because the library may in principle call a connection's
 * callbacks from more than one worker thread; uncontended in practice.
 */
final class RateLimiter {
    private final double perNano;
    private final double burst;
    private double tokens;      // guarded by this
    private long lastRefill;    // guarded by this

    RateLimiter(double perSecond, int burst) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = System.nanoTime();
    }

    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - lastRefill) * perNano);
        lastRefill = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
