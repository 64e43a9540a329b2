package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RetryTableTest {
    static RetryTable.Key key(long n) {
        return new RetryTable.Key("c", n);
    }

    @Test
    void remembersACommittedOutcome() {
        RetryTable table = new RetryTable(10);
        Frame frame = new Frame(new byte[] {1});
        table.markPending(key(1), "f1");
        table.committed(key(1), frame, "f1");
        assertSame(frame, assertInstanceOf(RetryTable.Committed.class, table.lookup(key(1))).frame());
    }

    @Test
    void forgetsTheLeastRecentlyUsedBeyondItsCapacity() {
        RetryTable table = new RetryTable(2);
        table.committed(key(1), new Frame(new byte[0]), "f1");
        table.committed(key(2), new Frame(new byte[0]), "f2");
        table.committed(key(3), new Frame(new byte[0]), "f3");
        assertNull(table.lookup(key(1)));
        assertInstanceOf(RetryTable.Committed.class, table.lookup(key(3)));
    }

    @Test
    void neverEvictsAPendingEntry() {
        RetryTable table = new RetryTable(1);
        table.markPending(key(1), "f1");
        table.committed(key(2), new Frame(new byte[0]), "f2");
        assertInstanceOf(RetryTable.Pending.class, table.lookup(key(1)));
    }

    @Test
    void aRejectionForgetsTheEntrySoARetryIsJudgedAgain() {
        RetryTable table = new RetryTable(10);
        table.markPending(key(1), "f1");
        assertEquals(0, table.rejected(key(1)).size());
        assertNull(table.lookup(key(1)));
    }

    @Test
    void aResendIsTheSameMessageOnlyWithTheSameFingerprint() {
        RetryTable table = new RetryTable(10);
        table.committed(key(1), new Frame(new byte[0]), "f1");
        table.markPending(key(2), "f2");
        assertTrue(RetryTable.isSameMessage(table.lookup(key(1)), "f1"));
        assertFalse(RetryTable.isSameMessage(table.lookup(key(1)), "other"));
        assertTrue(RetryTable.isSameMessage(table.lookup(key(2)), "f2"));
        assertFalse(RetryTable.isSameMessage(table.lookup(key(2)), "other"));
    }

    @Test
    void anOutcomeLoggedWithoutAFingerprintAcceptsAnyResend() {
        RetryTable table = new RetryTable(10);
        table.committed(key(1), new Frame(new byte[0]), null);
        assertTrue(RetryTable.isSameMessage(table.lookup(key(1)), "anything"));
    }
}
