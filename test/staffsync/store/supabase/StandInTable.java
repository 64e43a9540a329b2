package staffsync.store.supabase;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The stand-in's one table, shaped like db/schema.sql: columns, defaults, not-null and check
 * constraints, the primary key, and the trigger that keeps {@code version} and the timestamps.
 * Values are held as String (text), Long (integer, bigint) and Instant (timestamptz).
 *
 * <p>Concurrency: every method holds the table's monitor, so each statement is atomic, as one
 * PostgreSQL statement on one row is.
 */
final class StandInTable {
    enum Type { TEXT, INTEGER, TIMESTAMPTZ }

    /** The columns of db/schema.sql, in table order (PostgREST returns them in this order). */
    static final Map<String, Type> COLUMNS = columns();

    /**
     * PostgREST renders timestamptz as Postgres's JSON does (the session time zone is UTC on
     * Supabase): up to six fraction digits with trailing zeros dropped, no fraction at all on a
     * whole second, and a numeric offset. Checked against PostgreSQL 15's {@code to_json}:
     * {@code 2026-11-20T08:00:00.123456+00:00}, {@code ...08:00:00.12+00:00}, {@code ...08:00:00+00:00}.
     */
    static final DateTimeFormatter TIMESTAMP = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral('T')
            .appendPattern("HH:mm:ss").appendFraction(ChronoField.NANO_OF_SECOND, 0, 6, true)
            .appendOffset("+HH:MM", "+00:00")
            .toFormatter().withZone(ZoneOffset.UTC);

    final String name;
    private final TreeMap<String, Map<String, Object>> rows = new TreeMap<>(); // guarded by this; by primary key
    private Instant lastStamp = Instant.EPOCH;                                 // guarded by this

    StandInTable(String name) {
        this.name = name;
    }

    private static Map<String, Type> columns() {
        Map<String, Type> columns = new LinkedHashMap<>();
        columns.put("id", Type.TEXT);
        columns.put("name", Type.TEXT);
        columns.put("position", Type.TEXT);
        columns.put("department", Type.TEXT);
        columns.put("type", Type.TEXT);
        columns.put("period", Type.INTEGER);
        columns.put("version", Type.INTEGER);
        columns.put("created_at", Type.TIMESTAMPTZ);
        columns.put("updated_at", Type.TIMESTAMPTZ);
        return Collections.unmodifiableMap(columns);
    }

    synchronized List<Map<String, Object>> select(Predicate<Map<String, Object>> filter) {
        List<Map<String, Object>> matched = new ArrayList<>();
        for (Map<String, Object> row : rows.values()) {
            if (filter.test(row)) {
                matched.add(new LinkedHashMap<>(row));
            }
        }
        return matched;
    }

    /** INSERT: defaults, then the BEFORE INSERT trigger (version 1, both timestamps now), then constraints. */
    synchronized Map<String, Object> insert(JsonObject values) throws StandInError {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", null);
        row.put("name", null);
        row.put("position", "");
        row.put("department", "");
        row.put("type", "regular");
        row.put("period", 0L);
        assign(row, values);
        Instant now = nextStamp();
        row.put("version", 1L);
        row.put("created_at", now);
        row.put("updated_at", now);
        check(row);
        String id = (String) row.get("id");
        if (rows.containsKey(id)) {
            throw new StandInError(409, "23505", "duplicate key value violates unique constraint \"" + name + "_pkey\"",
                    "Key (id)=(" + id + ") already exists.", null);
        }
        rows.put(id, row);
        return new LinkedHashMap<>(row);
    }

    /** UPDATE ... WHERE filter: the BEFORE UPDATE trigger sets version = old + 1 and updated_at = now. */
    synchronized List<Map<String, Object>> update(Predicate<Map<String, Object>> filter, JsonObject values)
            throws StandInError {
        List<Map<String, Object>> changed = new ArrayList<>();
        for (Map<String, Object> old : select(filter)) {
            Map<String, Object> row = new LinkedHashMap<>(old);
            assign(row, values);
            row.put("id", old.get("id"));
            row.put("version", (Long) old.get("version") + 1);
            row.put("created_at", old.get("created_at"));
            row.put("updated_at", nextStamp());
            check(row);
            changed.add(row);
        }
        for (Map<String, Object> row : changed) { // all or nothing, like one statement
            rows.put((String) row.get("id"), row);
        }
        return changed;
    }

    synchronized List<Map<String, Object>> delete(Predicate<Map<String, Object>> filter) {
        List<Map<String, Object>> removed = select(filter);
        for (Map<String, Object> row : removed) {
            rows.remove((String) row.get("id"));
        }
        return removed;
    }

    /**
     * Sets a row's updated_at to an earlier time without the trigger: what a poller sees when a
     * transaction that began (and took its now()) earlier commits after later-stamped ones.
     */
    synchronized void backdate(String id, Instant updatedAt) {
        rows.get(id).put("updated_at", updatedAt);
    }

    synchronized int size() {
        return rows.size();
    }

    /** A row as PostgREST's JSON, only the selected columns. */
    static JsonObject toJson(Map<String, Object> row, List<String> columns) {
        JsonObject json = new JsonObject();
        for (String column : columns) {
            Object value = row.get(column);
            if (value == null) {
                json.add(column, JsonNull.INSTANCE);
            } else if (value instanceof Long number) {
                json.addProperty(column, number);
            } else if (value instanceof Instant instant) {
                json.addProperty(column, TIMESTAMP.format(instant));
            } else {
                json.addProperty(column, (String) value);
            }
        }
        return json;
    }

    /** Parses a filter or body value the way Postgres casts text to the column's type. */
    static Object cast(String column, String text) throws StandInError {
        try {
            return switch (COLUMNS.get(column)) {
                case TEXT -> text;
                case INTEGER -> Long.parseLong(text.strip());
                case TIMESTAMPTZ -> parseTimestamp(text.strip());
            };
        } catch (RuntimeException e) {
            String type = COLUMNS.get(column) == Type.INTEGER ? "integer" : "timestamp with time zone";
            throw new StandInError(400, "22P02", "invalid input syntax for type " + type + ": \"" + text + "\"", null, null);
        }
    }

    private static Instant parseTimestamp(String text) {
        return java.time.OffsetDateTime.parse(text.replace(' ', 'T').replaceAll("\\+00$", "+00:00")).toInstant();
    }

    // Holds the monitor. Each write gets a later stamp than the last, like now() in separate transactions.
    private Instant nextStamp() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        lastStamp = now.isAfter(lastStamp) ? now : lastStamp.plus(1, ChronoUnit.MICROS);
        return lastStamp;
    }

    private void assign(Map<String, Object> row, JsonObject values) throws StandInError {
        for (Map.Entry<String, JsonElement> entry : values.entrySet()) {
            String column = entry.getKey();
            if (!COLUMNS.containsKey(column)) {
                throw new StandInError(400, "PGRST204",
                        "Could not find the '" + column + "' column of '" + name + "' in the schema cache", null, null);
            }
            JsonElement value = entry.getValue();
            row.put(column, value.isJsonNull() ? null : cast(column, value.getAsString()));
        }
    }

    private void check(Map<String, Object> row) throws StandInError {
        for (String column : List.of("id", "name", "position", "department", "type", "period")) {
            if (row.get(column) == null) {
                throw new StandInError(400, "23502", "null value in column \"" + column + "\" of relation \"" + name
                        + "\" violates not-null constraint", "Failing row contains (...).", null);
            }
        }
        String rowName = ((String) row.get("name")).strip();
        if (rowName.isEmpty() || length(rowName) > 200) {
            throw checkViolation("name");
        }
        if (length((String) row.get("position")) > 200) {
            throw checkViolation("position");
        }
        if (length((String) row.get("department")) > 200) {
            throw checkViolation("department");
        }
        if (length((String) row.get("type")) > 50) {
            throw checkViolation("type");
        }
        long period = (Long) row.get("period");
        if (period < 0 || period > Integer.MAX_VALUE) {
            throw period > Integer.MAX_VALUE
                    ? new StandInError(400, "22003", "value \"" + period + "\" is out of range for type integer", null, null)
                    : checkViolation("period");
        }
    }

    private StandInError checkViolation(String column) {
        return new StandInError(400, "23514", "new row for relation \"" + name + "\" violates check constraint \""
                + name + "_" + column + "_check\"", "Failing row contains (...).", null);
    }

    private static int length(String text) {
        return text.codePointCount(0, text.length());
    }
}
