package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Snapshots that start together are paced together, but never for long. Time is passed in, not slept. */
class ConvoyTest {
    static final long MS = 1_000_000;
    static final long LEAD = Convoy.LEAD_ROWS;

    @Test
    void aMemberFarAheadOfTheSlowestWaitsUntilItCatchesUp() {
        Convoy convoy = new Convoy();
        long now = 1_000 * MS;
        Convoy.Member fast = convoy.join(now);
        Convoy.Member slow = convoy.join(now);
        fast.wrote(LEAD + 1);
        assertFalse(fast.mayGoOn(now), "over the lead: it waits");
        slow.wrote(LEAD / 8);
        assertFalse(fast.mayGoOn(now + 10 * MS), "still too far behind");
        slow.wrote(LEAD / 2);
        assertTrue(fast.mayGoOn(now + 20 * MS), "the slowest is within three quarters of the lead");
    }

    @Test
    void aMemberThatKeepsTheOthersWaitingTooLongIsLetGo() {
        Convoy convoy = new Convoy();
        long now = 1_000 * MS;
        Convoy.Member reading = convoy.join(now);
        Convoy.Member stopped = convoy.join(now);
        reading.wrote(LEAD + 1);
        assertFalse(reading.mayGoOn(now));
        assertFalse(reading.mayGoOn(now + Convoy.PATIENCE_MS * MS / 2));
        assertTrue(reading.mayGoOn(now + Convoy.PATIENCE_MS * MS + 1), "the stopped member no longer holds it");
        reading.wrote(10 * LEAD);
        assertTrue(reading.mayGoOn(now + Convoy.PATIENCE_MS * MS + 2), "nor later");
        assertTrue(stopped.mayGoOn(now + Convoy.PATIENCE_MS * MS + 3), "and it goes on at its own pace");
    }

    @Test
    void aMemberSlowedDownByMoreThanHalfGoesOnAlone() {
        Convoy convoy = new Convoy();
        long now = 1_000 * MS;
        Convoy.Member fast = convoy.join(now);
        Convoy.Member slow = convoy.join(now);
        // The slow one always catches up within the patience, but the fast one waits most of the time.
        for (int round = 1; round <= 20; round++) {
            fast.wrote(round * LEAD + LEAD + 1);
            slow.wrote(round * LEAD);
            if (!fast.mayGoOn(now)) {
                now += Convoy.PATIENCE_MS * MS * 9 / 10;
                slow.wrote(round * LEAD + LEAD / 2);
                fast.mayGoOn(now);
            }
            now += Convoy.PATIENCE_MS * MS / 10;
        }
        slow.wrote(0);
        fast.wrote(100 * LEAD);
        assertTrue(fast.mayGoOn(now), "having waited most of its time, it no longer waits");
    }

    @Test
    void aConvoyTakesNewMembersOnlyNearItsStart() {
        Convoy convoy = new Convoy();
        Convoy.Member first = convoy.join(0);
        first.wrote(LEAD / 4);
        assertNotNull(convoy.join(0));
        first.wrote(LEAD);
        assertNull(convoy.join(0), "a newcomer could not catch up");
    }
}
