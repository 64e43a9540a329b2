package staffsync.store.file;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.StaffRow;
import staffsync.store.StoreStartException;

/**
 * Everything the store knows as of one sequence number: every row plus the most recent
 * events (with their origins, so replay and retry detection survive compaction). File layout:
 * <pre>
 *   "SSYNCSNP" | int format | epoch | long sequence | int rows, rows... | int events, events... | int crc32c
 * </pre>
 * The trailing CRC32C covers every byte before it. Immutable: safe to hand to another thread.
 */
record Snapshot(String epoch, long sequence, List<StaffRow> rows, List<ChangeEvent> recentEvents) {
    private static final byte[] MAGIC = "SSYNCSNP".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;

    Snapshot {
        rows = List.copyOf(rows);
        recentEvents = List.copyOf(recentEvents);
    }

    byte[] toBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096 + rows.size() * 128 + recentEvents.size() * 256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(MAGIC);
        out.writeInt(FORMAT);
        out.writeUTF(epoch);
        out.writeLong(sequence);
        out.writeInt(rows.size());
        for (StaffRow row : rows) {
            EventCodec.writeRow(out, row);
        }
        out.writeInt(recentEvents.size());
        for (ChangeEvent event : recentEvents) {
            EventCodec.writeEvent(out, event);
        }
        out.flush();
        int crc = RecordFrame.crc(bytes.toByteArray(), 0, bytes.size());
        out.writeInt(crc);
        return bytes.toByteArray();
    }

    void writeTo(DataDirectory directory) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(toBytes());
        directory.replaceAtomically(directory.snapshotPath(sequence), channel -> {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        });
    }

    /** A snapshot is renamed into place only after its fsync, so any damage is real corruption. */
    static Snapshot read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < MAGIC.length + 4 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new StoreStartException("corrupt snapshot " + file + ": not a staff-sync snapshot");
        }
        int stored = ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt();
        if (stored != RecordFrame.crc(bytes, 0, bytes.length - 4)) {
            throw new StoreStartException("corrupt snapshot " + file + ": checksum mismatch; restore it from a "
                    + "backup or move it away");
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, MAGIC.length,
                    bytes.length - 4 - MAGIC.length));
            int format = in.readInt();
            if (format != FORMAT) {
                throw new IOException("unknown snapshot format " + format);
            }
            String epoch = in.readUTF();
            long sequence = in.readLong();
            int rowCount = in.readInt();
            List<StaffRow> rows = new ArrayList<>(Math.max(0, rowCount));
            for (int i = 0; i < rowCount; i++) {
                rows.add(EventCodec.readRow(in));
            }
            int eventCount = in.readInt();
            List<ChangeEvent> events = new ArrayList<>(Math.max(0, eventCount));
            for (int i = 0; i < eventCount; i++) {
                events.add(EventCodec.readEvent(in));
            }
            return new Snapshot(epoch, sequence, rows, events);
        } catch (IOException e) {
            throw new StoreStartException("corrupt snapshot " + file + ": " + e.getMessage(), e);
        }
    }
}
