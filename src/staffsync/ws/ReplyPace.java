package staffsync.ws;

import java.util.function.LongSupplier;
import staffsync.hub.RateLimiter;

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
 * <p>A byte bucket ({@link RateLimiter}) that may go into debt: a slice is written whole once the
 * balance is positive, and its bytes are taken after the write, when they are known. The bucket
 * holds a quarter of a second's worth, so a single client's sync of a few MiB is never slowed
 * down; only a storm is.
 *
 * <p>Thread-safety: the bucket's own lock. Every writer thread takes from the one bucket, once per
 * slice of up to {@link OutboundQueue#WRITE_BYTES}.
 */
final class ReplyPace {
    /** The bucket's depth, in seconds of the rate. */
    static final double BURST_SECONDS = 0.25;

    /** Null: unpaced (REPLY_BYTES_PER_SECOND=0). */
    private final RateLimiter bytes;

    /** Unpaced: every check passes and nothing is counted. */
    static ReplyPace unlimited() {
        return new ReplyPace(0, System::nanoTime);
    }

    /** @param bytesPerSecond the rate, or 0 for no pacing */
    ReplyPace(long bytesPerSecond, LongSupplier nanoClock) {
        this.bytes = bytesPerSecond == 0 ? null
                : new RateLimiter(bytesPerSecond, bytesPerSecond * BURST_SECONDS, nanoClock);
    }

    /** True when a reply's next slice may be written now. */
    boolean mayWrite() {
        return nanosUntilAllowed() == 0;
    }

    /** Counts bytes of a reply that were written. */
    void spent(long written) {
        if (bytes != null) {
            bytes.spend(written);
        }
    }

    /** How long until {@link #mayWrite} will pass: 0 when it does now. */
    long nanosUntilAllowed() {
        return bytes == null ? 0 : bytes.nanosUntilInCredit();
    }
}
