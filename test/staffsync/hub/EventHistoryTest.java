package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class EventHistoryTest {
    static Frame frame(long n) {
        return new Frame(new byte[] {(byte) n});
    }

    static EventHistory holding(int capacity, long from, long to) {
        EventHistory history = new EventHistory(capacity);
        history.clear(from - 1);
        for (long n = from; n <= to; n++) {
            history.add(n, frame(n));
        }
        return history;
    }

    @Test
    void returnsTheFramesAfterTheGivenSequenceInOrder() {
        List<Frame> after = holding(10, 1, 5).after(2);
        assertEquals(List.of(3, 4, 5), after.stream().map(f -> (int) f.wire()[0]).toList());
    }

    @Test
    void returnsNothingMissingWhenTheClientIsUpToDate() {
        assertEquals(List.of(), holding(10, 1, 5).after(5));
    }

    @Test
    void returnsNullWhenOlderFramesWereOverwritten() {
        EventHistory history = holding(3, 1, 10);
        assertNull(history.after(6), "7 is gone: only 8, 9, 10 are held");
        assertEquals(3, history.after(7).size());
    }

    @Test
    void returnsNullForASequenceFromTheFuture() {
        assertNull(holding(3, 1, 2).after(5));
    }

    @Test
    void startsFromTheLoadedSequenceAfterARestart() {
        EventHistory history = holding(5, 101, 103);
        assertEquals(3, history.after(100).size());
        assertNull(history.after(99));
    }

    @Test
    void aZeroCapacityHistoryNeverReplays() {
        EventHistory history = holding(0, 1, 3);
        assertNull(history.after(2));
        assertEquals(List.of(), history.after(3));
    }
}
