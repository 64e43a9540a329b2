package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;

/** The event layout: what the origin holds survives a restart, and logs in former layouts still read. */
class EventCodecTest {
    static final StaffRow ROW = new StaffRow("s-1", "Ada", "", "", "regular", 0, 1,
            "2026-11-25T20:00:00.000Z", "2026-11-25T20:00:00.000Z");
    static final String FINGERPRINT = "00112233445566778899aabbccddeeff";

    private static ChangeEvent event(Origin origin) {
        return new ChangeEvent(7, ChangeEvent.Kind.CREATE, ROW, List.of(), "2026-11-25T20:00:00.000Z", origin);
    }

    @Test
    void anEventWithItsOriginsFingerprintComesBackAsWritten() throws IOException {
        ChangeEvent event = event(new Origin("c-1", 3L, FINGERPRINT));
        assertEquals(event, EventCodec.decode(EventCodec.encode(event)));
    }

    @Test
    void theOriginsTokenSubjectComesBack() throws IOException {
        ChangeEvent event = event(new Origin("c-1", 3L, FINGERPRINT, "user-uuid"));
        assertEquals(event, EventCodec.decode(EventCodec.encode(event)));
    }

    @Test
    void anEventWithoutASubjectComesBackWithout() throws IOException {
        assertNull(EventCodec.decode(EventCodec.encode(event(new Origin("c-1", 3L, FINGERPRINT)))).origin().subject());
    }

    /** Logs written before subjects were kept (format 2) still load; their subject is unknown. */
    @Test
    void anEventInLayout2IsReadWithoutASubject() throws IOException {
        ChangeEvent written = event(new Origin("c-1", 3L, FINGERPRINT));
        byte[] layout3 = EventCodec.encode(written);
        // Layout 2 was the same bytes without the trailing subject (a 4-byte length, -1 for null).
        byte[] layout2 = Arrays.copyOf(layout3, layout3.length - 4);
        layout2[0] = 2;
        assertEquals(written, EventCodec.decode(layout2));
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
