package staffsync.store.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffRow;

/**
 * Events and rows as they are stored in Redis: JSON, readable with redis-cli. Every instance
 * turns the same stored event back into the same {@link ChangeEvent}, field for field, so all
 * of them broadcast the same bytes. An event's sequence is not inside its JSON: it is the
 * stream entry's id. Rows use the table's column names (the Lua scripts read {@code version}
 * and {@code created_at}). Stateless.
 */
final class EventJson {
    private EventJson() {}

    static String event(ChangeEvent event) {
        JsonObject json = new JsonObject();
        json.addProperty("k", event.kind().name());
        json.add("row", rowObject(event.row()));
        JsonArray fields = new JsonArray();
        event.changedFields().forEach(fields::add);
        json.add("f", fields);
        json.addProperty("t", event.timestamp());
        Origin origin = event.origin();
        if (origin != null) {
            JsonObject from = new JsonObject();
            from.addProperty("c", origin.clientId());
            if (origin.clientSequence() != null) {
                from.addProperty("n", origin.clientSequence());
            }
            if (origin.fingerprint() != null) {
                from.addProperty("h", origin.fingerprint());
            }
            if (origin.subject() != null) {
                from.addProperty("s", origin.subject()); // the retry key's user: kept in Redis, never on the wire
            }
            json.add("o", from);
        }
        return json.toString();
    }

    /** @throws IllegalArgumentException when the text is not an event this version wrote */
    static ChangeEvent event(long sequence, String text) {
        try {
            JsonObject json = JsonParser.parseString(text).getAsJsonObject();
            List<String> fields = new ArrayList<>();
            for (JsonElement field : json.getAsJsonArray("f")) {
                fields.add(field.getAsString());
            }
            Origin origin = null;
            if (json.has("o")) {
                JsonObject from = json.getAsJsonObject("o");
                origin = new Origin(from.get("c").getAsString(), from.has("n") ? from.get("n").getAsLong() : null,
                        from.has("h") ? from.get("h").getAsString() : null, from.has("s") ? from.get("s").getAsString() : null);
            }
            return new ChangeEvent(sequence, ChangeEvent.Kind.valueOf(json.get("k").getAsString()),
                    row(json.getAsJsonObject("row")), fields, json.get("t").getAsString(), origin);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a stored event: " + e.getMessage(), e);
        }
    }

    static String row(StaffRow row) {
        return rowObject(row).toString();
    }

    static StaffRow row(String text) {
        return row(JsonParser.parseString(text).getAsJsonObject());
    }

    private static JsonObject rowObject(StaffRow row) {
        JsonObject json = new JsonObject();
        json.addProperty("id", row.id());
        json.addProperty("name", row.name());
        json.addProperty("position", row.position());
        json.addProperty("department", row.department());
        json.addProperty("type", row.type());
        json.addProperty("period", row.period());
        json.addProperty("version", row.version());
        json.addProperty("created_at", row.createdAt());
        json.addProperty("updated_at", row.updatedAt());
        return json;
    }

    private static StaffRow row(JsonObject json) {
        return new StaffRow(json.get("id").getAsString(), json.get("name").getAsString(),
                json.get("position").getAsString(), json.get("department").getAsString(), json.get("type").getAsString(),
                json.get("period").getAsLong(), json.get("version").getAsLong(), json.get("created_at").getAsString(),
                json.get("updated_at").getAsString());
    }
}
