package staffsync.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import staffsync.protocol.StaffRow;

/** The immutable, paged version of the rows that large replies read. */
class SortedRowsTest {

    static StaffRow row(String id, long period, long version) {
        return new StaffRow(id, "n", "", "", "regular", period, version, "t", "t");
    }

    static List<StaffRow> all(SortedRows rows) {
        List<StaffRow> out = new ArrayList<>();
        for (SortedRows.Position at = new SortedRows.Position(0, 0); !rows.isEnd(at); at = rows.next(at)) {
            out.add(rows.row(at));
        }
        return out;
    }

    /** The model: the same rows in a TreeMap keyed by (period, id). */
    static List<StaffRow> expected(TreeMap<String, StaffRow> byKey) {
        return new ArrayList<>(byKey.values());
    }

    static java.util.Map<String, StaffRow> byId(TreeMap<String, StaffRow> model) {
        java.util.Map<String, StaffRow> byId = new java.util.HashMap<>();
        model.values().forEach(row -> byId.put(row.id(), row));
        return byId;
    }

    static String key(StaffRow row) {
        return String.format("%012d/%s", row.period(), row.id());
    }

    @Test
    void thousandsOfRandomChangesKeepEveryVersionInItsOrder() {
        Random random = new Random(7);
        TreeMap<String, StaffRow> model = new TreeMap<>();
        java.util.Map<String, StaffRow> byId = new java.util.HashMap<>();
        SortedRows rows = SortedRows.empty(SortedRows.BY_PERIOD);
        SortedRows idOrder = SortedRows.empty(SortedRows.BY_ID);
        for (int step = 0; step < 20_000; step++) {
            String id = "r" + random.nextInt(2_000);
            StaffRow previous = byId.get(id);
            StaffRow current = random.nextInt(4) == 0 ? null : row(id, random.nextInt(5), step);
            if (previous != null) {
                model.remove(key(previous));
                byId.remove(id);
            }
            if (current != null) {
                model.put(key(current), current);
                byId.put(id, current);
            }
            rows = rows.replace(previous, current);
            idOrder = idOrder.replace(previous, current);
            if (step % 1_000 == 0) {
                assertEquals(expected(model), all(rows), "after step " + step);
            }
        }
        assertEquals(expected(model), all(rows));
        assertEquals(new ArrayList<>(new java.util.TreeMap<>(byId(model)).values()), all(idOrder), "the same rows by id");
        assertEquals(model.size(), rows.size());
        for (int page = 0; page < rows.pageCount(); page++) {
            int size = rows.page(page).size();
            assertEquals(true, size > 0 && size <= SortedRows.MAX_PAGE, "page " + page + " holds " + size);
        }
    }

    @Test
    void anOldVersionStaysAsItWasWhileNewerOnesChange() {
        List<StaffRow> start = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            start.add(row(String.format("r%04d", i), i % 3, 1));
        }
        SortedRows old = SortedRows.of(start, SortedRows.BY_PERIOD);
        List<StaffRow> before = all(old);
        SortedRows newer = old;
        for (int i = 0; i < 1_000; i += 2) {
            StaffRow was = start.get(i);
            newer = newer.replace(was, i % 4 == 0 ? null : row(was.id(), 7, 2));
        }
        assertEquals(before, all(old));
        assertEquals(750, newer.size());
    }

    @Test
    void aPeriodIsOneRunStartingAtItsFirstRow() {
        List<StaffRow> start = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            start.add(row("r" + i, i % 5 == 0 ? 9 : i % 2, 1));
        }
        SortedRows rows = SortedRows.of(start, SortedRows.BY_PERIOD);
        List<StaffRow> nine = new ArrayList<>();
        for (SortedRows.Position at = rows.firstOfPeriod(9); !rows.isEnd(at) && rows.row(at).period() == 9;
             at = rows.next(at)) {
            nine.add(rows.row(at));
        }
        assertEquals(100, nine.size());
        assertEquals(true, rows.isEnd(rows.firstOfPeriod(10)));
        assertEquals(0, rows.row(rows.firstOfPeriod(0)).period());
    }
}
