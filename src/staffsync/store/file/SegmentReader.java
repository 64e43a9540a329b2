package staffsync.store.file;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import staffsync.protocol.ChangeEvent;
import staffsync.store.StoreStartException;

/**
 * Reads one segment at start and decides, for the first bad record, whether it is a torn
 * tail (a crash cut the last write short: safe to cut off, since that write was never
 * fsynced and so never acknowledged) or corruption in the middle (stop: loading past it
 * would silently drop acknowledged changes).
 *
 * <p>A bad record counts as a torn tail only in the last segment and only when nothing real
 * follows it: its verified header promises more bytes than the file has, or the record ends
 * exactly at the end of the file, or every byte from it to the end is zero (space the file
 * system allocated but the crash never filled).
 *
 * <p>Used by the thread that opens the store; not thread-safe.
 */
final class SegmentReader {

    /** Receives each good record in file order. */
    interface RecordSink {
        void accept(ChangeEvent event, long offset);
    }

    /**
     * @param validBytes  the length of the good prefix
     * @param fileBytes   the file's length
     * @param tailProblem why the bytes after the good prefix were rejected; null when there are none
     */
    record Scan(long validBytes, long fileBytes, String tailProblem) {
        boolean hasTornTail() {
            return validBytes < fileBytes;
        }
    }

    private SegmentReader() {}

    static Scan scan(Path file, boolean lastSegment, RecordSink sink) throws IOException {
        long fileBytes = Files.size(file);
        long offset = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            byte[] header = new byte[RecordFrame.HEADER_BYTES];
            while (true) {
                int headerRead = in.readNBytes(header, 0, header.length);
                if (headerRead == 0) {
                    return new Scan(offset, fileBytes, null);
                }
                if (headerRead < header.length) {
                    return torn(file, lastSegment, offset, fileBytes, "an incomplete record header");
                }
                ByteBuffer fields = ByteBuffer.wrap(header);
                int length = fields.getInt(0);
                int payloadCrc = fields.getInt(4);
                int headerCrc = fields.getInt(8);
                if (headerCrc != RecordFrame.headerCrc(fields, 0) || length < 0
                        || length > RecordFrame.MAX_PAYLOAD_BYTES) {
                    return damaged(file, lastSegment, offset, fileBytes, false, "a damaged record header");
                }
                byte[] payload = in.readNBytes(length);
                if (payload.length < length) {
                    return torn(file, lastSegment, offset, fileBytes, "a record cut short by the end of the file");
                }
                long end = offset + RecordFrame.HEADER_BYTES + length;
                if (payloadCrc != RecordFrame.crc(payload, 0, length)) {
                    return damaged(file, lastSegment, offset, fileBytes, end == fileBytes, "a checksum mismatch");
                }
                ChangeEvent event;
                try {
                    event = EventCodec.decode(payload);
                } catch (IOException e) {
                    // the checksum matched, so these are the bytes we wrote: not a crash artefact
                    throw corrupt(file, offset, "a record that cannot be decoded (" + e.getMessage() + ")");
                }
                sink.accept(event, offset);
                offset = end;
            }
        }
    }

    /** The file ends inside the record: only the last segment may end like that. */
    private static Scan torn(Path file, boolean lastSegment, long offset, long fileBytes, String what) {
        if (!lastSegment) {
            throw corrupt(file, offset, what + " in a segment that is not the last");
        }
        return new Scan(offset, fileBytes, what);
    }

    private static Scan damaged(Path file, boolean lastSegment, long offset, long fileBytes, boolean endsAtEof,
                                String what) throws IOException {
        if (!lastSegment) {
            throw corrupt(file, offset, what + " in a segment that is not the last");
        }
        if (endsAtEof || onlyZerosFrom(file, offset)) {
            return new Scan(offset, fileBytes, what);
        }
        throw corrupt(file, offset, what + " followed by more data");
    }

    static StoreStartException corrupt(Path file, long offset, String what) {
        return new StoreStartException("corrupt event log: " + file + " at offset " + offset + ": " + what
                + "; refusing to start rather than lose the changes after it (restore the file from a backup, "
                + "or move it away to start from the records before it)");
    }

    private static boolean onlyZerosFrom(Path file, long offset) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.skipNBytes(offset);
            int b;
            while ((b = in.read()) != -1) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
