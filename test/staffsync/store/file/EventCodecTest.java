package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;

class EventCodecTest {
    static final StaffRow ROW = new StaffRow("s-1", "Ada", "", "", "regular", 0, 1,
            "2026-11-25T20:00:00.000Z", "2026-11-25T20:00:00.000Z");

    @Test
    void anEventWithItsOriginsFingerprintComesBackAsWritten() throws IOException {
        ChangeEvent event = new ChangeEvent(7, ChangeEvent.Kind.CREATE, ROW, List.of(), "2026-11-25T20:00:00.000Z",
                new Origin("c-1", 3L, "00112233445566778899aabbccddeeff"));
        assertEquals(event, EventCodec.decode(EventCodec.encode(event)));
    }

    /** Logs written before fingerprints were kept (format 1) still load; their fingerprint is unknown. */
    @Test
    void anEventInTheFormerLayoutIsReadWithoutAFingerprint() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(1);
            out.writeLong(7);
            out.writeByte(ChangeEvent.Kind.CREATE.ordinal());
            EventCodec.writeRow(out, ROW);
            out.writeInt(0);
            writeString(out, "2026-11-25T20:00:00.000Z");
            out.writeBoolean(true);
            writeString(out, "c-1");
            out.writeBoolean(true);
            out.writeLong(3);
        }
        ChangeEvent event = EventCodec.decode(bytes.toByteArray());
        assertEquals(new Origin("c-1", 3L, null), event.origin());
        assertEquals(ROW, event.row());
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }
}
