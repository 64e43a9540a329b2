package staffsync.hub;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code perSecond} tokens on average, bursts up to {@code burst}. Two ways to take
 * from one. A message takes one token or is refused ({@link #tryAcquire}): each connection's
 * reader (RATE_LIMIT_PER_SECOND, in ws/InboundLimits) and the hub thread (MAX_WRITES_PER_SECOND
 * over every connection, in {@link WriteLimits}). Bytes are taken after they went out, whatever
 * the balance, and the next write waits until the debt is paid ({@link #spend},
 * {@link #nanosUntilInCredit}): the writers' REPLY_BYTES_PER_SECOND (ws/ReplyPace). It lives in the
 * hub's package because ws depends on the hub, not the other way round.
 *
 * <p>Thread-safety: guarded by this object's monitor. A message bucket has one taking thread (a
 * connection is read by one Java-WebSocket worker; the global bucket by the hub), so its lock is
 * uncontended; the byte bucket is shared by the writer threads, once per slice of a reply.
 */
public final class RateLimiter {
    private final double perNano;
    private final double burst;
    /** Nanoseconds from an arbitrary origin ({@code System::nanoTime} in the server; a test's own clock). */
    private final LongSupplier nanoClock;
    private double tokens;      // guarded by this; below zero while a spend is being paid back
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
        refill();
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** Takes {@code amount} tokens already used: the bucket may go into debt. */
    public synchronized void spend(double amount) {
        refill();
        tokens -= amount;
    }

    /** 0 while the bucket holds more than nothing; else how long until it holds a whole token again. */
    public synchronized long nanosUntilInCredit() {
        refill();
        return tokens > 0 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastRefill) * perNano);
        lastRefill = now;
    }
}
