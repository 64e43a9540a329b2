package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class RetryTableTest {
    static RetryTable.Key key(long n) {
        return new RetryTable.Key("c", n);
    }

    @Test
    void remembersACommittedOutcome() {
        RetryTable table = new RetryTable(10);
        Frame frame = new Frame(new byte[] {1});
        table.markPending(key(1));
        table.committed(key(1), frame);
        assertSame(frame, table.lookup(key(1)));
    }

    @Test
    void forgetsTheLeastRecentlyUsedBeyondItsCapacity() {
        RetryTable table = new RetryTable(2);
        table.committed(key(1), new Frame(new byte[0]));
        table.committed(key(2), new Frame(new byte[0]));
        table.committed(key(3), new Frame(new byte[0]));
        assertNull(table.lookup(key(1)));
        assertInstanceOf(Frame.class, table.lookup(key(3)));
    }

    @Test
    void neverEvictsAPendingEntry() {
        RetryTable table = new RetryTable(1);
        table.markPending(key(1));
        table.committed(key(2), new Frame(new byte[0]));
        assertInstanceOf(RetryTable.Pending.class, table.lookup(key(1)));
    }

    @Test
    void aRejectionForgetsTheEntrySoARetryIsJudgedAgain() {
        RetryTable table = new RetryTable(10);
        table.markPending(key(1));
        assertEquals(0, table.rejected(key(1)).size());
        assertNull(table.lookup(key(1)));
    }
}
