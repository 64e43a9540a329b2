package staffsync.store.supabase;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import staffsync.protocol.StaffFields;
import staffsync.protocol.StaffRow;

/**
 * Staff rows to and from PostgREST's JSON. The JSON keys are the table's columns, which are
 * also the protocol's keys. Stateless.
 *
 * <p>Postgres answers {@code timestamptz} as e.g. {@code 2026-11-25T20:00:00.123456+00:00}
 * (microseconds, trailing zeros dropped). Rows keep that text, so a client's row matches the
 * table's to the microsecond (PROTOCOL.md "Staff row": the store's own precision); only a
 * timestamp in another offset (a database whose time zone is not UTC) is rewritten to UTC, in
 * the same style.
 */
final class RowJson {
    /** Postgres's own JSON style for timestamptz, in UTC. */
    private static final DateTimeFormatter POSTGRES_UTC = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T')
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
            .appendOffset("+HH:MM", "+00:00")
            .toFormatter().withZone(ZoneOffset.UTC);

    private RowJson() {}

    static StaffRow toRow(JsonObject json) {
        return new StaffRow(
                text(json, "id"),
                text(json, "name"),
                textOrEmpty(json, "position"),
                textOrEmpty(json, "department"),
                json.has("type") && !json.get("type").isJsonNull() ? text(json, "type") : StaffRow.DEFAULT_TYPE,
                number(json, "period"),
                number(json, "version"),
                timestamp(json, "created_at"),
                timestamp(json, "updated_at"));
    }

    /** The body of an insert: the client's fields with the protocol's defaults; the trigger sets the rest. */
    static JsonObject forInsert(String id, StaffFields fields) {
        StaffRow row = fields.toNewRow(id, null);
        JsonObject json = new JsonObject();
        json.addProperty("id", row.id());
        json.addProperty("name", row.name());
        json.addProperty("position", row.position());
        json.addProperty("department", row.department());
        json.addProperty("type", row.type());
        json.addProperty("period", row.period());
        return json;
    }

    /**
     * The body of an update from version {@code fromVersion}: the changed fields and the new
     * version. The table's trigger computes the same version (old + 1) and stamps updated_at;
     * sending it keeps the request meaningful on its own, and the {@code version=eq.N} filter is
     * what makes the write a compare-and-set.
     */
    static JsonObject forUpdate(StaffFields changes, long fromVersion) {
        JsonObject json = new JsonObject();
        for (String field : changes.present()) {
            switch (field) {
                case "name" -> json.addProperty("name", changes.name());
                case "position" -> json.addProperty("position", changes.position());
                case "department" -> json.addProperty("department", changes.department());
                case "type" -> json.addProperty("type", changes.type());
                case "period" -> json.addProperty("period", changes.period());
                default -> throw new IllegalArgumentException("not a client field: " + field);
            }
        }
        json.addProperty("version", fromVersion + 1);
        return json;
    }

    /** True when every field the update sent has the value it sent: used to recognise our own write. */
    static boolean hasValues(StaffRow row, StaffFields changes) {
        for (String field : changes.present()) {
            boolean same = switch (field) {
                case "name" -> changes.name().equals(row.name());
                case "position" -> changes.position().equals(row.position());
                case "department" -> changes.department().equals(row.department());
                case "type" -> changes.type().equals(row.type());
                case "period" -> changes.period() == row.period();
                default -> false;
            };
            if (!same) {
                return false;
            }
        }
        return true;
    }

    /** True when the row holds exactly the client fields of a new row made from {@code fields}. */
    static boolean sameContent(StaffRow row, StaffRow expected) {
        return row.name().equals(expected.name())
                && row.position().equals(expected.position())
                && row.department().equals(expected.department())
                && row.type().equals(expected.type())
                && row.period() == expected.period();
    }

    private static String text(JsonObject json, String key) {
        JsonElement value = json.get(key);
        if (value == null || value.isJsonNull()) {
            throw new IllegalArgumentException("the row has no '" + key + "'");
        }
        return value.getAsString();
    }

    private static String textOrEmpty(JsonObject json, String key) {
        JsonElement value = json.get(key);
        return value == null || value.isJsonNull() ? "" : value.getAsString();
    }

    private static long number(JsonObject json, String key) {
        JsonElement value = json.get(key);
        return value == null || value.isJsonNull() ? 0L : value.getAsLong();
    }

    private static String timestamp(JsonObject json, String key) {
        String text = text(json, key);
        try {
            OffsetDateTime stamp = OffsetDateTime.parse(text);
            return stamp.getOffset().equals(ZoneOffset.UTC) ? text : POSTGRES_UTC.format(stamp.toInstant());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the row's '" + key + "' is not a timestamp: " + text);
        }
    }
}
