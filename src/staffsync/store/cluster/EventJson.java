package staffsync.store.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import staffsync.protocol.ChangeEvent;
import staffsync.protocol.Origin;
import staffsync.protocol.ServerMessages;
import staffsync.protocol.StaffRow;

/**
 * Events and rows as they are stored in Redis: JSON, readable with redis-cli. Every instance
 * turns the same stored event back into the same {@link ChangeEvent}, field for field, so all
 * of them broadcast the same bytes. An event's sequence is not inside its JSON: it is the
 * stream entry's id. A row is written by {@link ServerMessages#row}, the one row writer, so it
 * is the row as it appears in messages, with the table's column names (the Lua scripts read
 * {@code version} and {@code created_at} out of it: EventJsonTest holds the bytes). Stateless.
 */
final class EventJson {
    private EventJson() {}

    static String event(ChangeEvent event) {
        StringWriter text = new StringWriter(512);
        try (JsonWriter out = new JsonWriter(text)) {
            out.setHtmlSafe(false);
            out.beginObject();
            out.name("k").value(event.kind().name());
            out.name("row");
            ServerMessages.row(out, event.row());
            out.name("f").beginArray();
            for (String field : event.changedFields()) {
                out.value(field);
            }
            out.endArray();
            out.name("t").value(event.timestamp());
            Origin origin = event.origin();
            if (origin != null) {
                out.name("o").beginObject();
                out.name("c").value(origin.clientId());
                if (origin.clientSequence() != null) {
                    out.name("n").value(origin.clientSequence());
                }
                if (origin.fingerprint() != null) {
                    out.name("h").value(origin.fingerprint());
                }
                if (origin.subject() != null) {
                    out.name("s").value(origin.subject()); // the retry key's user: kept in Redis, never on the wire
                }
                out.endObject();
            }
            out.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a StringWriter cannot fail", e);
        }
        return text.toString();
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
        return ServerMessages.rowJson(row);
    }

    static StaffRow row(String text) {
        return row(JsonParser.parseString(text).getAsJsonObject());
    }

    private static StaffRow row(JsonObject json) {
        return new StaffRow(json.get("id").getAsString(), json.get("name").getAsString(),
                json.get("position").getAsString(), json.get("department").getAsString(), json.get("type").getAsString(),
                json.get("period").getAsLong(), json.get("version").getAsLong(), json.get("created_at").getAsString(),
                json.get("updated_at").getAsString());
    }
}
