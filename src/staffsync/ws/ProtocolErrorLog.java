package staffsync.ws;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.java_websocket.framing.CloseFrame;
import staffsync.metrics.Metrics;

/**
 * Logs what clients get wrong, so an operator can find a broken client, without letting one
 * client fill the disk (issue 9: one client wrote 15 MB of log from 3.9 MB of input in 10 s):
 * <ul>
 *   <li>one INFO line per connection per kind of error, without a stack trace;</li>
 *   <li>at most {@code PROTOCOL_ERROR_LOG_PER_MINUTE} such lines in all (a token bucket of that
 *       size, refilled evenly over the minute); the next line that is written says how many were
 *       left out meanwhile;</li>
 *   <li>every error counted in {@code staffsync_protocol_errors_total{kind}}, logged or not.</li>
 * </ul>
 * Thread-safety: {@link #report} may be called from any thread; the bucket and the count of lines
 * left out are guarded by this object's lock, each connection's {@link Seen} is atomic.
 */
final class ProtocolErrorLog {

    enum Kind {
        BAD_FRAME("a frame breaking RFC 6455"),
        INVALID_UTF8("a text frame that is not UTF-8"),
        TOO_BIG("a message over MAX_MESSAGE_BYTES"),
        INVALID_MESSAGE("an invalid message"),
        UNKNOWN_TYPE("a message of unknown type");

        final String description;

        Kind(String description) {
            this.description = description;
        }

        /** The kind behind a close code this server sends for a client's error; null for other codes. */
        static Kind ofCloseCode(int code) {
            return switch (code) {
                case CloseFrame.PROTOCOL_ERROR -> BAD_FRAME;
                case CloseFrame.NO_UTF8 -> INVALID_UTF8;
                case CloseFrame.TOOBIG -> TOO_BIG;
                default -> null;
            };
        }
    }

    /** The kinds already logged for one connection. */
    static final class Seen {
        private final AtomicInteger kinds = new AtomicInteger();

        /** True the first time only, for each kind. */
        boolean first(Kind kind) {
            int bit = 1 << kind.ordinal();
            return (kinds.getAndUpdate(seen -> seen | bit) & bit) == 0;
        }
    }

    private final Consumer<String> log;
    private final Metrics metrics;
    private final LongSupplier nanoClock;
    private final double perMinute;

    // ---- guarded by this ----
    private double tokens;
    private long refilledAt;
    private long leftOut;

    /** @param perMinute lines per minute at most; 0 logs none (they are still counted) */
    ProtocolErrorLog(int perMinute, Consumer<String> log, Metrics metrics, LongSupplier nanoClock) {
        this.perMinute = perMinute;
        this.log = log;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.tokens = perMinute;
        this.refilledAt = nanoClock.getAsLong();
    }

    /**
     * One protocol error of a client.
     *
     * @param who    names the connection in the log: its id and address
     * @param detail what exactly was wrong (the reply's or the close frame's text)
     */
    void report(String who, Seen seen, Kind kind, String detail) {
        metrics.protocolError(kind.name());
        if (!seen.first(kind)) {
            return;
        }
        long wereLeftOut;
        synchronized (this) {
            if (!take()) {
                leftOut++;
                return;
            }
            wereLeftOut = leftOut;
            leftOut = 0;
        }
        log.accept(who + " sent " + kind.description + ": " + detail
                + " (logged once per connection and kind" + (wereLeftOut == 0 ? ")"
                : "; " + wereLeftOut + " such lines were left out before this one, see staffsync_protocol_errors_total)"));
    }

    /** Holds the lock. */
    private boolean take() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(perMinute, tokens + perMinute * (now - refilledAt) / TimeUnit.MINUTES.toNanos(1));
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }
}
