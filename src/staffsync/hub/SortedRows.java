package staffsync.hub;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import staffsync.protocol.StaffRow;

/**
 * Every row, in one order, as one immutable version: a change makes a new version and leaves the
 * old one as it was. A reply can therefore go on reading the version of the moment it was asked
 * for, on another thread and for as long as its client takes, while the hub makes newer ones.
 * Two orders are kept: {@link #BY_ID} (a snapshot of every row lists them so) and
 * {@link #BY_PERIOD} (period, then id: a period is one run of rows, and the periods come in order).
 *
 * <p>Rows sit in pages of at most {@value #MAX_PAGE}; a change copies the one page it touches and
 * the short array of pages (about 1,600 references at 100,000 rows), so versions share
 * everything else, and taking a version for a reply costs nothing.
 *
 * <p>Immutable, so any thread may read a version the hub handed it.
 */
final class SortedRows {
    static final int MAX_PAGE = 128;
    /** A page smaller than this after a delete is merged with a neighbour. */
    static final int MIN_PAGE = 16;
    private static final int BUILD_PAGE = 64;

    static final Comparator<StaffRow> BY_ID = Comparator.comparing(StaffRow::id);
    static final Comparator<StaffRow> BY_PERIOD = Comparator.comparingLong(StaffRow::period)
            .thenComparing(StaffRow::id);

    /** A run of rows in order, never changed. Cached encodings of its rows are keyed by its identity. */
    static final class Page {
        private final StaffRow[] rows;

        Page(StaffRow[] rows) {
            this.rows = rows;
        }

        int size() {
            return rows.length;
        }

        StaffRow row(int index) {
            return rows[index];
        }

        StaffRow last() {
            return rows[rows.length - 1];
        }
    }

    /** Where a row is, or would be: page {@code page}, index {@code row} in it. */
    record Position(int page, int row) {}

    private final Comparator<StaffRow> order;
    private final Page[] pages;
    private final int size;

    private SortedRows(Comparator<StaffRow> order, Page[] pages, int size) {
        this.order = order;
        this.pages = pages;
        this.size = size;
    }

    static SortedRows empty(Comparator<StaffRow> order) {
        return new SortedRows(order, new Page[0], 0);
    }

    static SortedRows of(Collection<StaffRow> rows, Comparator<StaffRow> order) {
        StaffRow[] sorted = rows.toArray(new StaffRow[0]);
        Arrays.sort(sorted, order);
        List<Page> built = new ArrayList<>();
        for (int from = 0; from < sorted.length; from += BUILD_PAGE) {
            built.add(new Page(Arrays.copyOfRange(sorted, from, Math.min(sorted.length, from + BUILD_PAGE))));
        }
        return new SortedRows(order, built.toArray(new Page[0]), sorted.length);
    }

    int size() {
        return size;
    }

    int pageCount() {
        return pages.length;
    }

    Page page(int index) {
        return pages[index];
    }

    /**
     * In {@link #BY_PERIOD} order: the position of the first row of {@code period} or of a later
     * one (the end when none).
     */
    Position firstOfPeriod(long period) {
        return seek(new StaffRow("", "", "", "", "", period, 0, "", ""));
    }

    /** The next position after {@code at}. */
    Position next(Position at) {
        return at.row() + 1 < pages[at.page()].size() ? new Position(at.page(), at.row() + 1)
                : new Position(at.page() + 1, 0);
    }

    boolean isEnd(Position at) {
        return at.page() >= pages.length;
    }

    StaffRow row(Position at) {
        return pages[at.page()].row(at.row());
    }

    /**
     * This version with {@code previous} taken out and {@code current} put in (either may be
     * null: a create, a delete). Rows are matched by their place in the order (id, period).
     */
    SortedRows replace(StaffRow previous, StaffRow current) {
        if (previous != null && current != null && order.compare(previous, current) == 0) {
            Position at = seek(current);
            if (!isEnd(at) && row(at).id().equals(current.id())) {
                StaffRow[] rows = pages[at.page()].rows.clone();
                rows[at.row()] = current;
                return withPages(at.page(), 1, new Page(rows));
            }
        }
        SortedRows changed = previous == null ? this : without(previous);
        return current == null ? changed : changed.with(current);
    }

    private SortedRows without(StaffRow row) {
        Position at = seek(row);
        if (isEnd(at) || !row(at).id().equals(row.id())) {
            return this; // not here: nothing to take out
        }
        StaffRow[] old = pages[at.page()].rows;
        StaffRow[] rows = new StaffRow[old.length - 1];
        System.arraycopy(old, 0, rows, 0, at.row());
        System.arraycopy(old, at.row() + 1, rows, at.row(), rows.length - at.row());
        if (rows.length == 0) {
            return withPages(at.page(), 1).resized(-1);
        }
        if (rows.length >= MIN_PAGE || pages.length == 1) {
            return withPages(at.page(), 1, new Page(rows)).resized(-1);
        }
        // Too small: merge with a neighbour (and split again if that makes one page too large).
        int left = at.page() > 0 ? at.page() - 1 : at.page();
        StaffRow[] first = left == at.page() ? rows : pages[left].rows;
        StaffRow[] second = left == at.page() ? pages[at.page() + 1].rows : rows;
        StaffRow[] merged = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, merged, first.length, second.length);
        return withPages(left, 2, split(merged)).resized(-1);
    }

    private SortedRows with(StaffRow row) {
        if (pages.length == 0) {
            return new SortedRows(order, new Page[] {new Page(new StaffRow[] {row})}, 1);
        }
        Position at = seek(row);
        if (isEnd(at)) {
            at = new Position(pages.length - 1, pages[pages.length - 1].size()); // after the last row
        }
        StaffRow[] old = pages[at.page()].rows;
        if (at.row() < old.length && order.compare(old[at.row()], row) == 0) {
            return replace(old[at.row()], row); // already here: a replacement, not a second copy
        }
        StaffRow[] rows = new StaffRow[old.length + 1];
        System.arraycopy(old, 0, rows, 0, at.row());
        rows[at.row()] = row;
        System.arraycopy(old, at.row(), rows, at.row() + 1, old.length - at.row());
        return withPages(at.page(), 1, split(rows)).resized(1);
    }

    /** One page, or two halves when it has grown past {@link #MAX_PAGE}. */
    private static Page[] split(StaffRow[] rows) {
        if (rows.length <= MAX_PAGE) {
            return new Page[] {new Page(rows)};
        }
        int half = rows.length / 2;
        return new Page[] {new Page(Arrays.copyOfRange(rows, 0, half)),
                new Page(Arrays.copyOfRange(rows, half, rows.length))};
    }

    /** A new version: {@code count} pages from {@code from} replaced by {@code replacements}. */
    private SortedRows withPages(int from, int count, Page... replacements) {
        Page[] changed = new Page[pages.length - count + replacements.length];
        System.arraycopy(pages, 0, changed, 0, from);
        System.arraycopy(replacements, 0, changed, from, replacements.length);
        System.arraycopy(pages, from + count, changed, from + replacements.length, pages.length - from - count);
        return new SortedRows(order, changed, size);
    }

    private SortedRows resized(int by) {
        return new SortedRows(order, pages, size + by);
    }

    /** The position of the first row at or after {@code probe} in the order. */
    private Position seek(StaffRow probe) {
        int low = 0;
        int high = pages.length;
        while (low < high) {
            int middle = (low + high) >>> 1;
            if (order.compare(pages[middle].last(), probe) < 0) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        if (low == pages.length) {
            return new Position(pages.length, 0);
        }
        StaffRow[] rows = pages[low].rows;
        int first = 0;
        int last = rows.length;
        while (first < last) {
            int middle = (first + last) >>> 1;
            if (order.compare(rows[middle], probe) < 0) {
                first = middle + 1;
            } else {
                last = middle;
            }
        }
        return new Position(low, first);
    }
}
