package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/** Create, update and delete, as three connected managers see them. */
class StaffChangesTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer();
    WsClient alice;
    WsClient bob;
    WsClient carol;

    @BeforeEach
    void connect() {
        alice = WsClient.connect(server.wsUri(), "alice-" + UUID.randomUUID());
        bob = WsClient.connect(server.wsUri(), "bob");
        carol = WsClient.connect(server.wsUri(), "carol");
        List.of(alice, bob, carol).forEach(WsClient::ack);
    }

    @AfterEach
    void disconnect() {
        List.of(alice, bob, carol).forEach(WsClient::close);
    }

    private static String newId() {
        return "s-" + UUID.randomUUID();
    }

    @Test
    void aCreateReachesEveryClientAsIdenticalBytes() {
        String id = newId();
        long number = alice.send("STAFF_CREATE",
                "{\"staff\":{\"id\":\"" + id + "\",\"name\":\"  Ada Lovelace \",\"position\":\"Nurse\",\"period\":3}}");
        String atAlice = alice.nextText();
        assertEquals(atAlice, bob.nextText());
        assertEquals(atAlice, carol.nextText());

        JsonObject event = com.google.gson.JsonParser.parseString(atAlice).getAsJsonObject();
        assertEquals("STAFF_CREATE", Json.type(event));
        assertEquals(number, event.get("inReplyTo").getAsLong());
        assertEquals(alice.clientId(), event.get("clientId").getAsString());
        JsonObject row = Json.payload(event);
        assertEquals(id, row.get("id").getAsString());
        assertEquals("Ada Lovelace", row.get("name").getAsString(), "the name is stored trimmed");
        assertEquals("Nurse", row.get("position").getAsString());
        assertEquals("", row.get("department").getAsString());
        assertEquals("regular", row.get("type").getAsString());
        assertEquals(3, row.get("period").getAsLong());
        assertEquals(1, row.get("version").getAsLong());
        assertEquals(row.get("created_at"), row.get("updated_at"));
    }

    @Test
    void aCreateWithoutAnIdGetsAUuidFromTheServer() {
        alice.send("STAFF_CREATE", "{\"staff\":{\"name\":\"Grace\"}}");
        JsonObject row = Json.payload(alice.next());
        UUID.fromString(row.get("id").getAsString());
    }

    @Test
    void anUpdateReachesEveryClientWithChangesVersionAndTheWholeRow() {
        String id = create(alice, "Linus");
        long number = bob.send("STAFF_UPDATE",
                "{\"staffId\":\"" + id + "\",\"changes\":{\"department\":\"ICU\"},\"version\":1}");
        String atBob = bob.nextTextOfType("STAFF_UPDATE");
        assertEquals(atBob, alice.nextTextOfType("STAFF_UPDATE"));
        assertEquals(atBob, carol.nextTextOfType("STAFF_UPDATE"));
        JsonObject event = com.google.gson.JsonParser.parseString(atBob).getAsJsonObject();
        assertEquals("STAFF_UPDATE", Json.type(event));
        assertEquals(number, event.get("inReplyTo").getAsLong());
        JsonObject payload = Json.payload(event);
        assertEquals(id, payload.get("staffId").getAsString());
        assertEquals(2, payload.get("version").getAsLong());
        JsonObject changes = payload.getAsJsonObject("changes");
        assertEquals("ICU", changes.get("department").getAsString());
        assertEquals(2, changes.get("version").getAsLong());
        assertTrue(changes.has("updated_at"));
        assertEquals(3, changes.size(), "only the applied fields, version and updated_at: " + changes);
        JsonObject staff = payload.getAsJsonObject("staff");
        assertEquals("Linus", staff.get("name").getAsString());
        assertEquals("ICU", staff.get("department").getAsString());
        assertEquals(2, staff.get("version").getAsLong());
    }

    @Test
    void aDeleteReachesEveryClientWithTheLastVersion() {
        String id = create(alice, "Temp");
        update(alice, id, "{\"position\":\"x\"}");
        carol.send("STAFF_DELETE", "{\"staffId\":\"" + id + "\",\"version\":2}");
        String atCarol = carol.nextTextOfType("STAFF_DELETE");
        assertEquals(atCarol, alice.nextTextOfType("STAFF_DELETE"));
        assertEquals(atCarol, bob.nextTextOfType("STAFF_DELETE"));
        JsonObject payload = Json.payload(com.google.gson.JsonParser.parseString(atCarol).getAsJsonObject());
        assertEquals(id, payload.get("staffId").getAsString());
        assertEquals(2, payload.get("version").getAsLong());
        assertEquals(2, payload.size());
    }

    @Test
    void aStaleVersionGetsVersionConflictWithTheCurrentRowAndChangesNothing() throws Exception {
        String id = create(alice, "Shared");
        update(alice, id, "{\"position\":\"Head\"}"); // now version 2
        long number = bob.send("STAFF_UPDATE",
                "{\"staffId\":\"" + id + "\",\"changes\":{\"position\":\"Mine\"},\"version\":1}");
        JsonObject error = bob.nextOfType("ERROR");
        assertEquals("VERSION_CONFLICT", Json.errorCode(error));
        assertEquals(number, error.get("inReplyTo").getAsLong());
        JsonObject current = Json.payload(error).getAsJsonObject("current");
        assertEquals(2, current.get("version").getAsLong());
        assertEquals("Head", current.get("position").getAsString());
        assertEquals(id, Json.payload(error).get("staffId").getAsString());
        assertTrue(carol.drain(Duration.ofMillis(300)).stream().noneMatch(t -> t.contains("Mine")),
                "nobody else hears of a refused change");
        bob.send("SYNC_REQUEST", "{}");
        JsonObject row = findRow(bob.nextOfType("SYNC_RESPONSE"), id);
        assertEquals("Head", row.get("position").getAsString());
        assertEquals(2, row.get("version").getAsLong());
    }

    @Test
    void aStaleVersionOnDeleteGetsVersionConflictAndKeepsTheRow() {
        String id = create(alice, "Keep");
        update(alice, id, "{\"type\":\"night\"}");
        bob.send("STAFF_DELETE", "{\"staffId\":\"" + id + "\",\"version\":1}");
        assertEquals("VERSION_CONFLICT", Json.errorCode(bob.nextOfType("ERROR")));
        bob.send("SYNC_REQUEST", "{}");
        assertEquals(2, findRow(bob.nextOfType("SYNC_RESPONSE"), id).get("version").getAsLong());
    }

    @Test
    void anUpdateWithoutVersionIsAppliedLastWriterWins() {
        String id = create(alice, "Both");
        update(alice, id, "{\"position\":\"A\"}");
        bob.sendText("{\"type\":\"STAFF_UPDATE\",\"payload\":{\"staffId\":\"" + id
                + "\",\"changes\":{\"position\":\"B\"}},\"clientId\":\"bob\"}");
        JsonObject event = bob.nextMatching(m -> Json.type(m).equals("STAFF_UPDATE")
                && m.get("clientId").getAsString().equals("bob"));
        assertEquals(3, Json.payload(event).get("version").getAsLong());
        assertEquals("B", Json.payload(event).getAsJsonObject("staff").get("position").getAsString());
        assertFalse(event.has("inReplyTo"), "no sequenceNumber was sent, so there is nothing to reply to");
    }

    @Test
    void theSchedulingAppsExistingMessageShapeWorks() {
        String id = create(alice, "Existing");
        // As the app sends today: timestamp, no version, no sequenceNumber.
        alice.sendText("{\"type\":\"STAFF_UPDATE\",\"payload\":{\"staffId\":\"" + id
                + "\",\"changes\":{\"name\":\"Renamed\",\"period\":2}},\"timestamp\":\"2026-11-25T20:00:00.000Z\","
                + "\"clientId\":\"app-123\"}");
        JsonObject event = carol.nextOfType("STAFF_UPDATE");
        assertEquals("app-123", event.get("clientId").getAsString());
        JsonObject staff = Json.payload(event).getAsJsonObject("staff");
        assertEquals("Renamed", staff.get("name").getAsString());
        assertEquals(2, staff.get("period").getAsLong());
    }

    @Test
    void eventsCarryGapFreeIncreasingSequenceNumbers() {
        String id = create(alice, "Seq");
        long first = Json.seq(bob.nextMatching(m -> m.toString().contains(id)));
        update(alice, id, "{\"position\":\"1\"}");
        update(alice, id, "{\"position\":\"2\"}");
        assertEquals(first + 1, Json.seq(bob.nextOfType("STAFF_UPDATE")));
        assertEquals(first + 2, Json.seq(bob.nextOfType("STAFF_UPDATE")));
    }

    // ---- helpers ----

    static String create(WsClient client, String name) {
        String id = newId();
        client.send("STAFF_CREATE", "{\"staff\":{\"id\":\"" + id + "\",\"name\":" + Json.quote(name) + "}}");
        JsonObject event = client.nextOfType("STAFF_CREATE");
        assertEquals(id, Json.payload(event).get("id").getAsString());
        return id;
    }

    static JsonObject update(WsClient client, String id, String changes) {
        client.send("STAFF_UPDATE", "{\"staffId\":\"" + id + "\",\"changes\":" + changes + "}");
        return client.nextOfType("STAFF_UPDATE");
    }

    static JsonObject findRow(JsonObject syncResponse, String id) {
        for (var element : Json.payload(syncResponse).getAsJsonArray("staff")) {
            if (element.getAsJsonObject().get("id").getAsString().equals(id)) {
                return element.getAsJsonObject();
            }
        }
        throw new AssertionError("row " + id + " not in snapshot");
    }
}
