package staffsync.ws;

import java.util.function.LongSupplier;

/**
 * How fast all large replies together may be written: {@code REPLY_BYTES_PER_SECOND}. Events and
 * every other frame are never paced; only the slices of a large reply wait for it.
 *
 * <p>Why: a sync storm (hundreds of clients asking for every row at once) is bulk work, the events
 * of everyone else are interactive. The writers already serve other connections' events before
 * the next slice of a reply, but a storm written as fast as the sockets take it keeps every core
 * busy (on loopback, the server writing and its clients reading), and then the events wait for a
 * core instead: scenario (f) of {@code make bench} measured others' event p99 at 2.8x its quiet
 * figure. Pacing the bulk leaves the cores room for the events, at the price of a storm that takes
 * longer (docs/benchmarks.md, "Replies of any size").
 *
 * <p>A byte bucket that may go into debt: a slice is written whole once the balance is positive,
 * and its bytes are taken after the write, when they are known. The bucket holds a quarter of a
 * second's worth, so a single client's sync of a few MiB is never slowed down; only a storm is.
 *
 * <p>Thread-safety: guarded by this object's monitor. Every writer thread takes from the one
 * bucket, once per slice of up to {@link OutboundQueue#WRITE_BYTES}.
 */
final class ReplyPace {
    /** The bucket's depth, in seconds of the rate. */
    static final double BURST_SECONDS = 0.25;

    private final double bytesPerNano;
    private final double burstBytes;
    private final LongSupplier nanoClock;
    private double balance;     // guarded by this; negative while in debt
    private long lastRefill;    // guarded by this

    /** Unpaced: every check passes and nothing is counted. */
    static ReplyPace unlimited() {
        return new ReplyPace(0, System::nanoTime);
    }

    /** @param bytesPerSecond the rate, or 0 for no pacing */
    ReplyPace(long bytesPerSecond, LongSupplier nanoClock) {
        this.bytesPerNano = bytesPerSecond / 1e9;
        this.burstBytes = bytesPerSecond * BURST_SECONDS;
        this.nanoClock = nanoClock;
        this.balance = burstBytes;
        this.lastRefill = nanoClock.getAsLong();
    }

    /** True when a reply's next slice may be written now. */
    synchronized boolean mayWrite() {
        if (bytesPerNano == 0) {
            return true;
        }
        refill();
        return balance > 0;
    }

    /** Counts bytes of a reply that were written. */
    synchronized void spent(long bytes) {
        if (bytesPerNano == 0) {
            return;
        }
        refill();
        balance -= bytes;
    }

    /** How long until {@link #mayWrite} will pass: 0 when it does now. */
    synchronized long nanosUntilAllowed() {
        if (bytesPerNano == 0) {
            return 0;
        }
        refill();
        return balance > 0 ? 0 : (long) Math.ceil((1 - balance) / bytesPerNano);
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        balance = Math.min(burstBytes, balance + (now - lastRefill) * bytesPerNano);
        lastRefill = now;
    }
}
