package staffsync.store.file;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;

/**
 * The bytes of one event in the log and in snapshots. Binary and explicit, field by field,
 * so every field of a {@link ChangeEvent} comes back exactly as it was written: after a
 * restart the hub re-encodes these events and must send the very same broadcast bytes.
 *
 * <p>Strings are a 4-byte length (-1 for null) and UTF-8 bytes. Stateless: safe from any thread.
 */
final class EventCodec {
    /**
     * First byte of every encoded event; bump it when the layout changes. Version 2 added the
     * origin's request fingerprint, version 3 the origin's token subject (the retry key's user);
     * older events are still read, without what they did not hold.
     */
    static final byte FORMAT_VERSION = 3;
    private static final int FORMAT_WITHOUT_FINGERPRINT = 1;
    private static final int FORMAT_WITHOUT_SUBJECT = 2;

    private EventCodec() {}

    static byte[] encode(ChangeEvent event) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeEvent(out, event);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a byte array cannot fail", e);
        }
        return bytes.toByteArray();
    }

    /** @throws IOException when the bytes are not an event this version can read */
    static ChangeEvent decode(byte[] payload) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
        ChangeEvent event = readEvent(in);
        if (in.available() != 0) {
            throw new IOException(in.available() + " unexpected bytes after the event");
        }
        return event;
    }

    static void writeEvent(DataOutputStream out, ChangeEvent event) throws IOException {
        out.writeByte(FORMAT_VERSION);
        out.writeLong(event.sequence());
        out.writeByte(event.kind().ordinal());
        writeRow(out, event.row());
        out.writeInt(event.changedFields().size());
        for (String field : event.changedFields()) {
            writeString(out, field);
        }
        writeString(out, event.timestamp());
        Origin origin = event.origin();
        out.writeBoolean(origin != null);
        if (origin != null) {
            writeString(out, origin.clientId());
            out.writeBoolean(origin.clientSequence() != null);
            if (origin.clientSequence() != null) {
                out.writeLong(origin.clientSequence());
            }
            writeString(out, origin.fingerprint());
            writeString(out, origin.subject());
        }
    }

    static ChangeEvent readEvent(DataInputStream in) throws IOException {
        int version = in.readUnsignedByte();
        if (version < FORMAT_WITHOUT_FINGERPRINT || version > FORMAT_VERSION) {
            throw new IOException("unknown event format version " + version);
        }
        long sequence = in.readLong();
        int kindIndex = in.readUnsignedByte();
        ChangeEvent.Kind[] kinds = ChangeEvent.Kind.values();
        if (kindIndex >= kinds.length) {
            throw new IOException("unknown event kind " + kindIndex);
        }
        StaffRow row = readRow(in);
        int fieldCount = in.readInt();
        if (fieldCount < 0 || fieldCount > 64) {
            throw new IOException("implausible changed-field count " + fieldCount);
        }
        List<String> fields = new ArrayList<>(fieldCount);
        for (int i = 0; i < fieldCount; i++) {
            fields.add(readString(in));
        }
        String timestamp = readString(in);
        Origin origin = null;
        if (in.readBoolean()) {
            String clientId = readString(in);
            Long clientSequence = in.readBoolean() ? in.readLong() : null;
            String fingerprint = version == FORMAT_WITHOUT_FINGERPRINT ? null : readString(in);
            String subject = version <= FORMAT_WITHOUT_SUBJECT ? null : readString(in);
            origin = new Origin(clientId, clientSequence, fingerprint, subject);
        }
        return new ChangeEvent(sequence, kinds[kindIndex], row, fields, timestamp, origin);
    }

    static void writeRow(DataOutputStream out, StaffRow row) throws IOException {
        writeString(out, row.id());
        writeString(out, row.name());
        writeString(out, row.position());
        writeString(out, row.department());
        writeString(out, row.type());
        out.writeLong(row.period());
        out.writeLong(row.version());
        writeString(out, row.createdAt());
        writeString(out, row.updatedAt());
    }

    static StaffRow readRow(DataInputStream in) throws IOException {
        return new StaffRow(readString(in), readString(in), readString(in), readString(in), readString(in),
                in.readLong(), in.readLong(), readString(in), readString(in));
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        if (text == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > RecordFrame.MAX_PAYLOAD_BYTES) {
            throw new IOException("implausible string length " + length);
        }
        byte[] utf8 = new byte[length];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
