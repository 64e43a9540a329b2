package staffsync.hub;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import staffsync.protocol.ServerMessages;
import staffsync.protocol.StaffRow;

/**
 * A snapshot of one version of the rows, written piece by piece as one message: every row
 * ({@code SYNC_RESPONSE}), one period's rows ({@code SYNC_RESPONSE} with {@code period}), or
 * every row grouped by period ({@code SYNC_ALL_PERIODS_RESPONSE}). The message's head, then
 * the rows a chunk at a time from the shared {@link EncodedRows}, then its tail; each piece is
 * one frame of a fragmented message (see {@link FrameEncoder#encodePiece}).
 *
 * <p>The version never changes, so the reply is of the moment it was asked for however long
 * the client takes to read it. Replies of the same rows that start together travel as a
 * {@link Convoy}, so they share the encoded chunks. Used by one thread at a time (see
 * {@link Reply}).
 */
final class SnapshotReply extends Reply {
    enum Shape { EVERY_ROW, ONE_PERIOD, BY_PERIOD }

    private static final byte[] COMMA = {','};

    private final SortedRows rows;
    private final Shape shape;
    private final long period;
    private final long sequence;
    private final Long inReplyTo;
    private final EncodedRows encoded;
    private final FrameEncoder framing;
    /** Its place among the replies it travels with (see {@link Convoy}). */
    private final Convoy.Member convoy;
    private long rowsWritten;

    // Where the reply has got to: the next row is row `row` of page `page`.
    private int page;
    private int row;
    private boolean headWritten;
    private boolean allRowsWritten;
    private boolean tailWritten;
    /** A row of the current array has been written: the next one needs a comma before it. */
    private boolean arrayHasRows;
    /** BY_PERIOD: the period whose array is open, and how many were opened. */
    private long openPeriod;
    private int periods;

    SnapshotReply(SortedRows rows, Shape shape, Long period, long sequence, Long inReplyTo, EncodedRows encoded,
                  FrameEncoder framing, Convoy.Member convoy) {
        this.rows = rows;
        this.shape = shape;
        this.period = period == null ? 0 : period;
        this.sequence = sequence;
        this.inReplyTo = inReplyTo;
        this.encoded = encoded;
        this.framing = framing;
        this.convoy = convoy;
        if (shape == Shape.ONE_PERIOD) {
            SortedRows.Position first = rows.firstOfPeriod(this.period);
            page = first.page();
            row = first.row();
        }
    }

    @Override
    protected ByteBuffer[] piece() {
        if (!headWritten) {
            headWritten = true;
            String head = shape == Shape.BY_PERIOD ? ServerMessages.allPeriodsAround(0, sequence, inReplyTo).before()
                    : ServerMessages.snapshotAround(periodOrNull(), sequence, inReplyTo).before();
            return framing.encodePiece(new ByteBuffer[] {utf8(head)}, true, false);
        }
        if (!allRowsWritten) {
            if (!convoy.mayGoOn(System.nanoTime())) {
                return LATER;
            }
            ByteBuffer[] rowsPiece = nextRows();
            if (rowsPiece != null) {
                convoy.wrote(rowsWritten);
                return framing.encodePiece(rowsPiece, false, false);
            }
            allRowsWritten = true;
            convoy.leave();
        }
        if (!tailWritten) {
            tailWritten = true;
            String tail = shape == Shape.BY_PERIOD
                    ? (periods > 0 ? "]" : "") + ServerMessages.allPeriodsAround(periods, sequence, inReplyTo).after()
                    : ServerMessages.snapshotAround(periodOrNull(), sequence, inReplyTo).after();
            return framing.encodePiece(new ByteBuffer[] {utf8(tail)}, false, true);
        }
        return null;
    }

    /**
     * The next rows, at most one chunk's and all of one period when periods matter, with the
     * separator that goes before them; null when there are no more.
     */
    private ByteBuffer[] nextRows() {
        if (page >= rows.pageCount()) {
            return null;
        }
        SortedRows.Page current = rows.page(page);
        StaffRow first = current.row(row);
        if (shape == Shape.ONE_PERIOD && first.period() != period) {
            return null;
        }
        int chunk = row / EncodedRows.CHUNK_ROWS;
        int chunkStart = chunk * EncodedRows.CHUNK_ROWS;
        int chunkEnd = Math.min(current.size(), chunkStart + EncodedRows.CHUNK_ROWS);
        int end = row + 1;
        while (end < chunkEnd && (shape == Shape.EVERY_ROW || current.row(end).period() == first.period())) {
            end++;
        }
        ByteBuffer separator = separatorBefore(first);
        ByteBuffer json = encoded.chunk(current, chunk).slice(row - chunkStart, end - chunkStart);
        rowsWritten += end - row;
        row = end;
        if (row == current.size()) {
            page++;
            row = 0;
        }
        return separator == null ? new ByteBuffer[] {json} : new ByteBuffer[] {separator, json};
    }

    private ByteBuffer separatorBefore(StaffRow first) {
        if (shape == Shape.BY_PERIOD && (periods == 0 || first.period() != openPeriod)) {
            String open = (periods > 0 ? "]," : "") + "\"" + first.period() + "\":[";
            openPeriod = first.period();
            periods++;
            arrayHasRows = true;
            return ascii(open);
        }
        boolean comma = arrayHasRows;
        arrayHasRows = true;
        return comma ? ByteBuffer.wrap(COMMA).asReadOnlyBuffer() : null;
    }

    private Long periodOrNull() {
        return shape == Shape.ONE_PERIOD ? period : null;
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuffer utf8(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }
}
