package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import staffsync.support.Json;
import staffsync.support.WsClient;

/**
 * Checks a restarted server against what clients were told before the crash: asks for a
 * replay of every event since 0 and a full snapshot, then checks that the numbering is
 * gap-free, every acknowledged broadcast is there byte for byte, versions only go up per
 * row, and the snapshot is exactly the effect of the replayed events.
 */
final class LogAudit {
    /** What the audit found: the epoch and the last sequence. */
    record Result(String epoch, long sequence) {}

    private LogAudit() {}

    /**
     * @param acknowledged broadcast events clients received, by sequence
     * @param expectedEpoch the epoch every start must keep, or null on the first start
     * @param context printed with any failure (the seed, the round)
     */
    static Result audit(URI uri, Map<Long, String> acknowledged, String expectedEpoch, String context) {
        try (WsClient auditor = WsClient.connect(uri, "auditor")) {
            JsonObject ack = Json.payload(auditor.ack());
            String epoch = ack.get("epoch").getAsString();
            long sequence = ack.get("sequenceNumber").getAsLong();
            if (expectedEpoch != null) {
                assertEquals(expectedEpoch, epoch, "the epoch changed across a restart; " + context);
            }
            auditor.send("SYNC_REQUEST", "{\"sinceSequence\":0,\"epoch\":\"" + epoch + "\"}");
            TreeMap<Long, String> replayed = new TreeMap<>();
            while (true) {
                String text = auditor.nextText();
                JsonObject message = JsonParser.parseString(text).getAsJsonObject();
                if (Json.type(message).equals("SYNC_RESPONSE")) {
                    assertTrue(Json.payload(message).has("replayed"),
                            "expected a replay from 0, got a snapshot (is HISTORY_SIZE big enough?); " + context);
                    assertEquals(sequence, Json.payload(message).get("replayed").getAsLong(), context);
                    break;
                }
                replayed.put(Json.seq(message), text);
            }
            long expected = 1;
            for (long seq : replayed.keySet()) {
                assertEquals(expected++, seq, "gap in the event numbering; " + context);
            }
            for (Map.Entry<Long, String> told : acknowledged.entrySet()) {
                assertEquals(told.getValue(), replayed.get(told.getKey()),
                        "acknowledged event " + told.getKey() + " lost or changed; " + context);
            }
            Map<String, JsonObject> rows = applyAll(replayed, context);
            auditor.send("SYNC_REQUEST", "{}");
            JsonObject snapshot = Json.payload(auditor.next("SYNC_RESPONSE"));
            Map<String, JsonObject> stored = new HashMap<>();
            for (JsonElement row : snapshot.getAsJsonArray("staff")) {
                stored.put(row.getAsJsonObject().get("id").getAsString(), row.getAsJsonObject());
            }
            assertEquals(rows, stored, "the rows are not the effect of the logged events; " + context);
            return new Result(epoch, sequence);
        }
    }

    /** Folds the events into rows, checking that each row's version only goes up. */
    private static Map<String, JsonObject> applyAll(TreeMap<Long, String> events, String context) {
        Map<String, JsonObject> rows = new HashMap<>();
        Map<String, Long> lastVersion = new HashMap<>();
        for (String text : events.values()) {
            JsonObject message = JsonParser.parseString(text).getAsJsonObject();
            JsonObject payload = Json.payload(message);
            String type = Json.type(message);
            String id = type.equals("STAFF_CREATE") ? payload.get("id").getAsString() : payload.get("staffId").getAsString();
            long version = payload.get("version").getAsLong();
            Long before = lastVersion.get(id);
            if (type.equals("STAFF_CREATE")) {
                assertEquals(1, version, context);
            } else {
                assertTrue(before != null && (type.equals("STAFF_DELETE") ? version == before : version > before),
                        "version went from " + before + " to " + version + " for " + id + "; " + context);
            }
            lastVersion.put(id, version);
            switch (type) {
                case "STAFF_CREATE" -> rows.put(id, payload);
                case "STAFF_UPDATE" -> rows.put(id, payload.getAsJsonObject("staff"));
                default -> rows.remove(id);
            }
        }
        return rows;
    }
}
