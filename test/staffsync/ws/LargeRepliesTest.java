package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.LargeRows;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/**
 * Replies of any size (PROTOCOL.md 1.1, "Ordering and sync"): with 10,000 rows of 200-character
 * fields (about 9 MB as one snapshot) and a slow-consumer bound of 256 KiB, a snapshot and a
 * replay reach a client that reads them, each as one message; events that come meanwhile follow
 * the reply in order; a client that stops reading in the middle of a reply is still dropped.
 *
 * <p>The tests share one server and only ever update rows, so it always holds {@value #ROWS}.
 */
class LargeRepliesTest {
    static final int ROWS = 10_000;
    static final int PERIODS = 4;

    @RegisterExtension
    static final SharedServer server = new SharedServer(settings());

    static WsClient writer;

    private static Map<String, String> settings() {
        Map<String, String> env = new HashMap<>(LargeRows.fastWriter());
        env.put("OUTBOUND_LIMIT_BYTES", "262144");
        // A small kernel buffer, so a client that stops reading meets the bound soon.
        env.put("SOCKET_SEND_BUFFER_BYTES", "16384");
        return env;
    }

    @BeforeAll
    static void createRows() {
        writer = WsClient.connect(server.wsUri(), "writer");
        writer.ack();
        LargeRows.create(writer, ROWS, PERIODS);
    }

    @Test
    void aSnapshotOfTenThousandRowsArrivesWholeAsOneMessage() {
        try (WsClient reader = WsClient.connect(server.wsUri(), "reader")) {
            reader.ack();
            long asked = reader.send("SYNC_REQUEST", "{}");
            JsonObject response = LargeRows.nextLarge(reader, "SYNC_RESPONSE");
            assertEquals(asked, response.get("inReplyTo").getAsLong());
            JsonArray staff = Json.payload(response).getAsJsonArray("staff");
            assertEquals(ROWS, LargeRows.checkedIds(staff).size());
            assertEquals(Json.seq(response), Json.payload(response).get("sequenceNumber").getAsLong());
            reader.assertNothingElseArrived(); // one message per reply
        }
    }

    @Test
    void everyPeriodOfTenThousandRowsArrivesWholeAsOneMessage() {
        try (WsClient reader = WsClient.connect(server.wsUri(), "reader")) {
            reader.ack();
            reader.send("SYNC_ALL_PERIODS_REQUEST", "{}");
            JsonObject payload = Json.payload(LargeRows.nextLarge(reader, "SYNC_ALL_PERIODS_RESPONSE"));
            JsonObject periods = payload.getAsJsonObject("periods");
            assertEquals(Set.of("0", "1", "2", "3"), periods.keySet());
            assertEquals(PERIODS, payload.get("totalPeriods").getAsInt());
            int total = 0;
            for (String period : periods.keySet()) {
                JsonArray rows = periods.getAsJsonArray(period);
                total += LargeRows.checkedIds(rows).size();
                for (JsonElement row : rows) {
                    assertEquals(Long.parseLong(period), row.getAsJsonObject().get("period").getAsLong());
                }
            }
            assertEquals(ROWS, total);
        }
    }

    @Test
    void onePeriodOfTenThousandRowsArrivesWhole() {
        try (WsClient reader = WsClient.connect(server.wsUri(), "reader")) {
            reader.ack();
            reader.send("SYNC_REQUEST", "{\"period\":2}");
            JsonObject payload = Json.payload(LargeRows.nextLarge(reader, "SYNC_RESPONSE"));
            JsonArray rows = payload.getAsJsonArray("staff");
            assertEquals(ROWS / PERIODS, LargeRows.checkedIds(rows).size());
            for (JsonElement row : rows) {
                assertEquals(2, row.getAsJsonObject().get("period").getAsLong());
            }
            assertEquals(2, payload.get("period").getAsLong());
        }
    }

    @Test
    void aReplayOfThousandsOfEventsArrivesWhole() {
        String epoch;
        long seen;
        try (WsClient reader = WsClient.connect(server.wsUri(), "replayer")) {
            JsonObject ack = Json.payload(reader.ack());
            epoch = ack.get("epoch").getAsString();
            seen = ack.get("sequenceNumber").getAsLong();
        }
        int missed = 3_000; // about 4 MB of events: far over the bound, well under a snapshot
        List<String> originals = LargeRows.update(writer, ROWS, missed, "replayed ");

        try (WsClient back = WsClient.connect(server.wsUri(), "replayer")) {
            back.ack();
            long asked = back.send("SYNC_REQUEST", "{\"sinceSequence\":" + seen + ",\"epoch\":\"" + epoch + "\"}");
            for (int i = 0; i < missed; i++) {
                assertEquals(originals.get(i), back.nextText("STAFF_UPDATE"), "replayed event " + i + ", byte for byte");
            }
            assertEquals(seen + missed, Json.seq(JsonParser.parseString(originals.get(missed - 1)).getAsJsonObject()));
            JsonObject done = back.next("SYNC_RESPONSE");
            assertEquals(missed, Json.payload(done).get("replayed").getAsInt());
            assertEquals(asked, done.get("inReplyTo").getAsLong());
        }
    }

    @Test
    void eventsThatArriveWhileASnapshotIsWrittenFollowItInOrder() throws Exception {
        try (WsClient reader = WsClient.connect(server.wsUri(), "reader")) {
            reader.ack();
            reader.stopReadingMidMessage();
            reader.send("SYNC_REQUEST", "{}");
            assertTrue(reader.awaitStoppedMidMessage(), "part of the snapshot arrived");
            // The snapshot is half written: every change from now on comes after it.
            int changes = 100;
            List<String> events = LargeRows.update(writer, 1, changes, "during ");
            long last = Json.seq(JsonParser.parseString(events.get(changes - 1)).getAsJsonObject());
            reader.resumeReading();

            JsonObject snapshot = LargeRows.nextLarge(reader, "SYNC_RESPONSE");
            long at = Json.payload(snapshot).get("sequenceNumber").getAsLong();
            assertEquals(last - changes, at, "the snapshot is of the moment it was asked for");
            for (int i = 0; i < changes; i++) {
                JsonObject event = reader.next("STAFF_UPDATE");
                assertEquals(at + 1 + i, Json.seq(event), "the events after the snapshot, in order");
                assertEquals("during " + i, Json.payload(event).getAsJsonObject("changes").get("position").getAsString());
            }
        }
    }

    @Test
    void aClientThatStopsReadingInTheMiddleOfASnapshotIsDroppedWith1013() throws Exception {
        try (WsClient slow = WsClient.connect(server.wsUri(), "slow")) {
            slow.ack();
            long dropsBefore = SlowConsumerTest.dropsReported(server.process());
            slow.stopReadingMidMessage();
            slow.send("SYNC_REQUEST", "{}");
            assertTrue(slow.awaitStoppedMidMessage(), "part of the snapshot arrived before the client stopped");
            int rounds = 0;
            while (SlowConsumerTest.dropsReported(server.process()) == dropsBefore) {
                assertTrue(++rounds <= 200, "the client that stopped reading was never dropped");
                LargeRows.update(writer, ROWS, 100, "meanwhile ");
            }
            slow.resumeReading();
            assertEquals(1013, slow.awaitClose());
        }
    }
}
