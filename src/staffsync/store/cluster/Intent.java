package staffsync.store.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import staffsync.protocol.ChangeEvent.Kind;
import staffsync.protocol.ClientRequest.CreateStaff;
import staffsync.protocol.ClientRequest.DeleteStaff;
import staffsync.protocol.ClientRequest.Mutation;
import staffsync.protocol.ClientRequest.UpdateStaff;
import staffsync.protocol.Origin;
import staffsync.protocol.StaffFields;
import staffsync.protocol.StaffRow;

/**
 * What a writer is about to do to a row, registered in Redis before it writes to Supabase, so
 * that whoever finds the result in the table can publish it for the right client (docs/cluster.md).
 *
 * @param id          unique among all instances: the instance's id and a counter
 * @param base        the version the write is made on top of (0 for a create); {@link #WITHDRAWN}
 *                    once the writer knows this write did not land; null until Redis fills in
 *                    the published version (a write without a version)
 * @param incarnation the {@code created_at} of the row written on; null for a create, or until Redis fills it in
 * @param values      the values the write sets (wire names; a create: every client field)
 */
record Intent(String id, String instance, Origin origin, Kind kind, Long base, String incarnation,
              Map<String, Object> values) {

    static final long WITHDRAWN = -1;

    Intent {
        values = Map.copyOf(values);
    }

    static Intent forMutation(String id, String instance, Mutation mutation, Origin origin) {
        if (mutation instanceof CreateStaff create) {
            StaffRow row = create.fields().toNewRow(create.staffId(), null);
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("name", row.name());
            values.put("position", row.position());
            values.put("department", row.department());
            values.put("type", row.type());
            values.put("period", row.period());
            return new Intent(id, instance, origin, Kind.CREATE, 0L, null, values);
        }
        if (mutation instanceof UpdateStaff update) {
            return new Intent(id, instance, origin, Kind.UPDATE, update.expectedVersion(), null, values(update.changes()));
        }
        return new Intent(id, instance, origin, Kind.DELETE, ((DeleteStaff) mutation).expectedVersion(), null, Map.of());
    }

    private static Map<String, Object> values(StaffFields changes) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String field : changes.present()) {
            switch (field) {
                case "name" -> values.put(field, changes.name());
                case "position" -> values.put(field, changes.position());
                case "department" -> values.put(field, changes.department());
                case "type" -> values.put(field, changes.type());
                case "period" -> values.put(field, changes.period());
                default -> throw new IllegalArgumentException("unknown field " + field);
            }
        }
        return values;
    }

    Intent onTopOf(long version, String createdAt) {
        return new Intent(id, instance, origin, kind, version, createdAt, values);
    }

    Intent withdrawn() {
        return new Intent(id, instance, origin, kind, WITHDRAWN, incarnation, values);
    }

    boolean isWithdrawn() {
        return base != null && base == WITHDRAWN;
    }

    /** True when {@code row} holds every value this intent sets. */
    boolean valuesMatch(StaffRow row) {
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            Object actual = switch (entry.getKey()) {
                case "name" -> row.name();
                case "position" -> row.position();
                case "department" -> row.department();
                case "type" -> row.type();
                case "period" -> row.period();
                default -> null;
            };
            if (!Objects.equals(entry.getValue(), actual)) {
                return false;
            }
        }
        return true;
    }

    /** The fields it sets, in column order (a create: none; its event carries the whole row). */
    List<String> fieldNames() {
        return kind == Kind.UPDATE ? values.keySet().stream().sorted((a, b) -> columnIndex(a) - columnIndex(b)).toList()
                : List.of();
    }

    private static int columnIndex(String field) {
        return List.of("name", "position", "department", "type", "period").indexOf(field);
    }

    String toJson() {
        JsonObject json = new JsonObject();
        json.addProperty("i", instance);
        json.addProperty("c", origin.clientId());
        if (origin.clientSequence() != null) {
            json.addProperty("n", origin.clientSequence());
        }
        if (origin.fingerprint() != null) {
            json.addProperty("h", origin.fingerprint());
        }
        if (origin.subject() != null) {
            json.addProperty("s", origin.subject());
        }
        json.addProperty("k", kind.name());
        if (base != null) {
            json.addProperty("b", base);
        }
        if (incarnation != null) {
            json.addProperty("v", incarnation);
        }
        JsonObject set = new JsonObject();
        values.forEach((key, value) -> {
            if (value instanceof Long number) {
                set.addProperty(key, number);
            } else {
                set.addProperty(key, (String) value);
            }
        });
        json.add("f", set);
        return json.toString();
    }

    /** An intent as stored (Redis's cjson may have re-encoded it: numbers come back as JSON numbers). */
    static Intent fromJson(String id, String text) {
        JsonObject json = JsonParser.parseString(text).getAsJsonObject();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> entry : json.getAsJsonObject("f").entrySet()) {
            values.put(entry.getKey(), entry.getKey().equals("period")
                    ? (Object) entry.getValue().getAsLong() : entry.getValue().getAsString());
        }
        Origin origin = new Origin(json.get("c").getAsString(), json.has("n") ? json.get("n").getAsLong() : null,
                json.has("h") ? json.get("h").getAsString() : null, json.has("s") ? json.get("s").getAsString() : null);
        return new Intent(id, json.get("i").getAsString(), origin, Kind.valueOf(json.get("k").getAsString()),
                json.has("b") ? json.get("b").getAsLong() : null, json.has("v") ? json.get("v").getAsString() : null,
                values);
    }
}
