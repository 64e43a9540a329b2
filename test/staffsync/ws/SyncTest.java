package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/** Snapshots, replay after reconnect, and PING. Each test gets a fresh server: they count rows. */
class SyncTest {
    ServerProcess server;
    WsClient writer;

    @BeforeEach
    void start() throws Exception {
        server = ServerProcess.start(Map.of("HISTORY_SIZE", "5"));
        writer = WsClient.connect(server.wsUri(), "writer");
        writer.ack();
    }

    @AfterEach
    void stop() throws Exception {
        writer.close();
        server.close();
    }

    private void create(String id, long period) {
        writer.send("STAFF_CREATE", """
                {"staff": {"id": "%s", "name": "N %s", "period": %d}}""".formatted(id, id, period));
        writer.next("STAFF_CREATE");
    }

    private static Set<String> ids(JsonArray rows) {
        Set<String> ids = new HashSet<>();
        for (JsonElement row : rows) {
            ids.add(row.getAsJsonObject().get("id").getAsString());
        }
        return ids;
    }

    @Test
    void aSyncRequestWithoutPeriodAnswersEveryRowAndTheSequence() {
        create("a", 0);
        create("b", 1);
        long number = writer.send("SYNC_REQUEST", "{}");
        JsonObject response = writer.next("SYNC_RESPONSE");
        assertEquals(Set.of("a", "b"), ids(Json.payload(response).getAsJsonArray("staff")));
        assertEquals(2, Json.payload(response).get("sequenceNumber").getAsLong());
        assertEquals(number, response.get("inReplyTo").getAsLong());
        assertFalse(Json.payload(response).has("period"));
    }

    @Test
    void aSyncRequestWithPeriodAnswersThatPeriodsRows() {
        create("a", 0);
        create("b", 1);
        create("c", 1);
        writer.send("SYNC_REQUEST", """
                {"period": 1}""");
        JsonObject payload = Json.payload(writer.next("SYNC_RESPONSE"));
        assertEquals(Set.of("b", "c"), ids(payload.getAsJsonArray("staff")));
        assertEquals(1, payload.get("period").getAsLong());
    }

    @Test
    void syncAllPeriodsGroupsRowsByPeriod() {
        create("a", 0);
        create("b", 2);
        create("c", 2);
        writer.send("SYNC_ALL_PERIODS_REQUEST", "{}");
        JsonObject payload = Json.payload(writer.next("SYNC_ALL_PERIODS_RESPONSE"));
        JsonObject periods = payload.getAsJsonObject("periods");
        assertEquals(Set.of("0", "2"), periods.keySet());
        assertEquals(Set.of("b", "c"), ids(periods.getAsJsonArray("2")));
        assertEquals(2, payload.get("totalPeriods").getAsInt());
        assertEquals(3, payload.get("sequenceNumber").getAsLong());
    }

    @Test
    void aReconnectingClientGetsExactlyTheEventsItMissedThenReplayed() {
        WsClient reader = WsClient.connect(server.wsUri(), "reader");
        String epoch = Json.payload(reader.ack()).get("epoch").getAsString();
        create("a", 0);
        long seen = Json.seq(reader.next("STAFF_CREATE"));
        reader.close();

        create("b", 0);
        writer.send("STAFF_UPDATE", """
                {"staffId": "a", "changes": {"name": "A2"}}""");
        writer.next("STAFF_UPDATE");
        writer.send("STAFF_DELETE", """
                {"staffId": "b"}""");
        writer.next("STAFF_DELETE");

        try (WsClient back = WsClient.connect(server.wsUri(), "reader")) {
            back.ack();
            back.send("SYNC_REQUEST", """
                    {"sinceSequence": %s, "epoch": "%s"}""".formatted(seen, epoch));
            List<JsonObject> replay = new ArrayList<>();
            JsonObject message;
            while (!Json.type(message = back.next()).equals("SYNC_RESPONSE")) {
                replay.add(message); // the types are asserted below, all at once
            }
            assertEquals(3, replay.size(), "create b, update a, delete b");
            assertEquals(List.of("STAFF_CREATE", "STAFF_UPDATE", "STAFF_DELETE"),
                    replay.stream().map(Json::type).toList());
            for (int i = 0; i < replay.size(); i++) {
                assertEquals(seen + 1 + i, Json.seq(replay.get(i)));
            }
            assertEquals(3, Json.payload(message).get("replayed").getAsInt());
            assertEquals(seen + 3, Json.payload(message).get("sequenceNumber").getAsLong());
        }
    }

    @Test
    void replayedEventsAreByteForByteTheOriginalBroadcasts() {
        WsClient reader = WsClient.connect(server.wsUri(), "reader");
        String epoch = Json.payload(reader.ack()).get("epoch").getAsString();
        writer.send("STAFF_CREATE", """
                {"staff": {"id": "x", "name": "X"}}""");
        String original = writer.nextText("STAFF_CREATE");
        reader.close();
        try (WsClient back = WsClient.connect(server.wsUri(), "reader")) {
            back.ack();
            back.send("SYNC_REQUEST", """
                    {"sinceSequence": 0, "epoch": "%s"}""".formatted(epoch));
            assertEquals(original, back.nextText("STAFF_CREATE"));
        }
    }

    @Test
    void aSinceSequenceOlderThanTheHistoryGetsAFullSnapshot() {
        String epoch = Json.payload(writer.ack()).get("epoch").getAsString();
        for (int i = 0; i < 8; i++) { // HISTORY_SIZE is 5
            create("r" + i, 0);
        }
        writer.send("SYNC_REQUEST", """
                {"sinceSequence": 1, "epoch": "%s"}""".formatted(epoch));
        JsonObject response = writer.next("SYNC_RESPONSE");
        assertEquals(8, Json.payload(response).getAsJsonArray("staff").size());
        assertEquals(8, Json.payload(response).get("sequenceNumber").getAsLong());
    }

    @Test
    void aSinceSequenceFromAnotherEpochGetsAFullSnapshot() {
        create("a", 0);
        writer.send("SYNC_REQUEST", """
                {"sinceSequence": 0, "epoch": "some-other-epoch"}""");
        JsonObject payload = Json.payload(writer.next("SYNC_RESPONSE"));
        assertTrue(payload.has("staff"));
        assertEquals(1, payload.getAsJsonArray("staff").size());
    }

    @Test
    void aSinceSequenceAtTheLatestEventReplaysNothing() {
        String epoch = Json.payload(writer.ack()).get("epoch").getAsString();
        create("a", 0);
        writer.send("SYNC_REQUEST", """
                {"sinceSequence": 1, "epoch": "%s"}""".formatted(epoch));
        JsonObject payload = Json.payload(writer.next("SYNC_RESPONSE"));
        assertEquals(0, payload.get("replayed").getAsInt());
    }

    @Test
    void eventsAfterASnapshotFollowItOnTheSameConnection() throws Exception {
        try (WsClient reader = WsClient.connect(server.wsUri(), "reader")) {
            reader.ack();
            create("a", 0);
            reader.send("SYNC_REQUEST", "{}");
            create("b", 0);
            // The reader's request and the writer's create race to the hub: either order is valid,
            // but the snapshot's sequence tells which events it holds.
            List<JsonObject> got = new ArrayList<>();
            while (got.stream().noneMatch(m -> Json.type(m).equals("SYNC_RESPONSE"))
                    || got.stream().noneMatch(m -> m.toString().contains("\"N b\""))) {
                got.add(reader.next());
            }
            reader.assertNothingElseArrived();
            JsonObject snapshot = got.stream().filter(m -> Json.type(m).equals("SYNC_RESPONSE")).findFirst().orElseThrow();
            long at = Json.payload(snapshot).get("sequenceNumber").getAsLong();
            int snapshotIndex = got.indexOf(snapshot);
            for (int i = snapshotIndex + 1; i < got.size(); i++) {
                assertTrue(Json.seq(got.get(i)) > at, "only later events follow the snapshot");
            }
            assertEquals(at, ids(Json.payload(snapshot).getAsJsonArray("staff")).size());
        }
    }

    @Test
    void pingIsAnsweredWithPongCarryingTheSamePayload() {
        writer.send("PING", """
                {"t":123,"nested":{"a":[1,2]}}""");
        JsonObject pong = writer.next("PONG");
        assertEquals("{\"t\":123,\"nested\":{\"a\":[1,2]}}", Json.payload(pong).toString());
    }

    @Test
    void aWebSocketPingFrameIsAnsweredWithAPongFrameWithTheSamePayload() throws InterruptedException {
        writer.sendPingFrame("are you there".getBytes(StandardCharsets.UTF_8));
        assertEquals("are you there", new String(writer.nextPongFrame(), StandardCharsets.UTF_8));
        writer.send("PING", "{}");
        writer.next("PONG"); // the connection still works after the pong
    }
}
