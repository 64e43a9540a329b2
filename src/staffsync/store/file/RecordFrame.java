package staffsync.store.file;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * How one record sits in a segment file:
 * <pre>
 *   int payloadLength | int payloadCrc | int headerCrc | payload (payloadLength bytes)
 * </pre>
 * All integers big-endian; CRC32C throughout. {@code headerCrc} covers the first 8 bytes, so
 * a damaged length is caught before it is trusted: with a verified header, a payload that
 * runs past the end of the file can only be a write cut short by a crash (a torn tail), not
 * a corrupt length that would make us drop good records after it.
 *
 * <p>Stateless: safe from any thread.
 */
final class RecordFrame {
    static final int HEADER_BYTES = 12;
    /** Far above any real event (rows are a few hundred bytes); a bigger length is damage. */
    static final int MAX_PAYLOAD_BYTES = 1 << 20;

    private RecordFrame() {}

    /** Appends one framed record to {@code out}, which must have room for it. */
    static void write(ByteBuffer out, byte[] payload) {
        int start = out.position();
        out.putInt(payload.length);
        out.putInt(crc(payload, 0, payload.length));
        out.putInt(headerCrc(out, start));
        out.put(payload);
    }

    static int framedSize(byte[] payload) {
        return HEADER_BYTES + payload.length;
    }

    /** The header's own checksum, over its first 8 bytes starting at {@code start}. */
    static int headerCrc(ByteBuffer buffer, int start) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(start).limit(start + 8));
        return (int) crc.getValue();
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
