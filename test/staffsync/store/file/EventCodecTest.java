package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;

/** The event layout: the origin's token subject survives a restart, and logs written before it was added still read. */
class EventCodecTest {
    private static ChangeEvent event(Origin origin) {
        StaffRow row = new StaffRow("a", "Ada", "", "", "regular", 1, 1, "2026-12-01T00:00:00.000Z", "2026-12-01T00:00:00.000Z");
        return new ChangeEvent(5, ChangeEvent.Kind.CREATE, row, List.of(), "2026-12-01T00:00:00.000Z", origin);
    }

    @Test
    void theOriginsSubjectComesBack() throws Exception {
        ChangeEvent written = event(new Origin("tab-1", 9L, "user-uuid"));
        assertEquals(written, EventCodec.decode(EventCodec.encode(written)));
    }

    @Test
    void anEventWithoutASubjectComesBackWithout() throws Exception {
        ChangeEvent written = event(new Origin("tab-1", 9L));
        assertNull(EventCodec.decode(EventCodec.encode(written)).origin().subject());
    }

    @Test
    void anEventWrittenInLayout1IsStillRead() throws Exception {
        ChangeEvent written = event(new Origin("tab-1", 9L));
        byte[] layout2 = EventCodec.encode(written);
        // Layout 1 was the same bytes without the trailing subject (a 4-byte length, -1 for null).
        byte[] layout1 = Arrays.copyOf(layout2, layout2.length - 4);
        layout1[0] = 1;
        assertEquals(written, EventCodec.decode(layout1));
    }
}
