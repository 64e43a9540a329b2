package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * REPLY_BYTES_PER_SECOND's bucket, on a clock the test moves by hand: a quarter of a second's
 * bytes at once, then the rate, and a slice that overdraws is paid back before the next.
 */
class ReplyPaceTest {
    private static final long MIB = 1024 * 1024;
    /** The test's clock, in nanoseconds; starts at an arbitrary value, as System.nanoTime does. */
    private final AtomicLong now = new AtomicLong(987_654_321L);

    private void advance(long amount, TimeUnit unit) {
        now.addAndGet(unit.toNanos(amount));
    }

    @Test
    void aQuarterOfASecondsBytesGoOutBeforeThePaceHoldsAReplyBack() {
        ReplyPace pace = new ReplyPace(4 * MIB, now::get);

        pace.spent(MIB - 1);
        assertTrue(pace.mayWrite(), "one byte of the 1 MiB burst is left");
        pace.spent(1);
        assertFalse(pace.mayWrite(), "the burst is spent");
    }

    @Test
    void aSliceThatOverdrawsIsPaidBackAtTheRateBeforeTheNext() {
        ReplyPace pace = new ReplyPace(MIB, now::get);
        pace.spent(MIB / 4 + MIB); // the burst, and one second's worth more

        assertEquals(TimeUnit.SECONDS.toNanos(1), pace.nanosUntilAllowed(), 2_000);
        advance(999, TimeUnit.MILLISECONDS);
        assertFalse(pace.mayWrite(), "still in debt after 999 ms");
        advance(2, TimeUnit.MILLISECONDS);
        assertTrue(pace.mayWrite(), "paid back after a second");
        assertEquals(0, pace.nanosUntilAllowed());
    }

    @Test
    void timeSpentIdleSavesNoMoreThanTheBurst() {
        ReplyPace pace = new ReplyPace(MIB, now::get);

        advance(1, TimeUnit.HOURS);
        pace.spent(MIB / 4);

        assertFalse(pace.mayWrite(), "an hour idle still allows only a quarter of a second's bytes");
    }

    @Test
    void zeroMeansUnpaced() {
        ReplyPace pace = new ReplyPace(0, now::get);

        pace.spent(Long.MAX_VALUE / 2);

        assertTrue(pace.mayWrite());
        assertEquals(0, pace.nanosUntilAllowed());
    }
}
