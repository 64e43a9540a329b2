package staffsync.store.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.Origin;
import staffsync.protocol.ServerMessages;
import staffsync.protocol.StaffRow;

/**
 * Rows and events as Redis stores them. Instances of different versions share one Redis, and its
 * Lua scripts read {@code created_at} and {@code version} out of the stored row text, so these
 * bytes are a format: the expected texts below are what the cluster store wrote when it shipped.
 */
class EventJsonTest {
    /** Quotes, a backslash, HTML's characters, non-ASCII, a line separator: everything JSON writers differ on. */
    private static final StaffRow ROW = new StaffRow("ada-1", "Zo\u00eb \"Z\" \\ <b>&'=\u2028 \uD83D\uDE00", "Nurse",
            "ICU", "regular", 202612, 7, "2026-12-01T10:00:00.000Z", "2026-12-02T00:15:00.123Z");
    private static final String ROW_TEXT = "{\"id\":\"ada-1\",\"name\":\"Zo\u00eb \\\"Z\\\" \\\\ <b>&'=\\u2028 \uD83D\uDE00\","
            + "\"position\":\"Nurse\",\"department\":\"ICU\",\"type\":\"regular\",\"period\":202612,\"version\":7,"
            + "\"created_at\":\"2026-12-01T10:00:00.000Z\",\"updated_at\":\"2026-12-02T00:15:00.123Z\"}";

    @Test
    void aStoredRowHasTheBytesTheClusterStoreHasAlwaysWritten() {
        assertEquals(ROW_TEXT, EventJson.row(ROW));
    }

    @Test
    void aStoredRowIsTheRowAsItAppearsInMessages() {
        assertEquals(ServerMessages.rowJson(ROW), EventJson.row(ROW));
    }

    @Test
    void aStoredEventHasTheBytesTheClusterStoreHasAlwaysWritten() {
        ChangeEvent update = new ChangeEvent(41, ChangeEvent.Kind.UPDATE, ROW, List.of("name", "department"),
                "2026-12-02T00:15:00.124Z", new Origin("tab-1", 12L, "f1ng3rpr1nt", "user-9"));
        assertEquals("{\"k\":\"UPDATE\",\"row\":" + ROW_TEXT + ",\"f\":[\"name\",\"department\"],"
                + "\"t\":\"2026-12-02T00:15:00.124Z\",\"o\":{\"c\":\"tab-1\",\"n\":12,\"h\":\"f1ng3rpr1nt\",\"s\":\"user-9\"}}",
                EventJson.event(update));
    }

    @Test
    void anEventFromTheTableHasNoOrigin() {
        ChangeEvent direct = new ChangeEvent(3, ChangeEvent.Kind.DELETE, ROW, List.of(), "2026-12-02T00:15:00.124Z", null);
        assertEquals("{\"k\":\"DELETE\",\"row\":" + ROW_TEXT + ",\"f\":[],\"t\":\"2026-12-02T00:15:00.124Z\"}",
                EventJson.event(direct));
    }

    @Test
    void aStoredEventReadsBackAsTheSameEvent() {
        ChangeEvent create = new ChangeEvent(9, ChangeEvent.Kind.CREATE, ROW, List.of(), "2026-12-02T00:15:00.124Z",
                new Origin("tab-2", null, null, null));
        assertEquals(create, EventJson.event(9, EventJson.event(create)));
        assertEquals(ROW, EventJson.row(EventJson.row(ROW)));
    }

    /** SharedLog's INTEND script: string.match(row, '"created_at":"([^"]*)"') and '"version":(%d+)'. */
    @Test
    void theLuaScriptsPatternsFindCreatedAtAndVersionInAStoredRow() {
        String text = EventJson.row(ROW);
        Matcher createdAt = Pattern.compile("\"created_at\":\"([^\"]*)\"").matcher(text);
        Matcher version = Pattern.compile("\"version\":(\\d+)").matcher(text);
        assertTrue(createdAt.find() && version.find(), text);
        assertEquals(ROW.createdAt(), createdAt.group(1));
        assertEquals(Long.toString(ROW.version()), version.group(1));
    }
}
