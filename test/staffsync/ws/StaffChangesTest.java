package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
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
        long number = alice.send("STAFF_CREATE", """
                {"staff": {"id": "%s", "name": "  Ada Lovelace ", "position": "Nurse", "period": 3}}""".formatted(id));
        String atAlice = alice.nextText("STAFF_CREATE");
        assertEquals(atAlice, bob.nextText("STAFF_CREATE"));
        assertEquals(atAlice, carol.nextText("STAFF_CREATE"));

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
        alice.send("STAFF_CREATE", """
                {"staff": {"name": "Grace"}}""");
        JsonObject row = Json.payload(alice.next("STAFF_CREATE"));
        UUID.fromString(row.get("id").getAsString());
    }

    @Test
    void anUpdateReachesEveryClientWithChangesVersionAndTheWholeRow() {
        String id = createSeenByAll(alice, "Linus");
        long number = bob.send("STAFF_UPDATE", """
                {"staffId": "%s", "changes": {"department": "ICU"}, "version": 1}""".formatted(id));
        String atBob = bob.nextText("STAFF_UPDATE");
        assertEquals(atBob, alice.nextText("STAFF_UPDATE"));
        assertEquals(atBob, carol.nextText("STAFF_UPDATE"));
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
        String id = createSeenByAll(alice, "Temp");
        updateSeenByAll(alice, id, """
                {"position": "x"}""");
        carol.send("STAFF_DELETE", """
                {"staffId": "%s", "version": 2}""".formatted(id));
        String atCarol = carol.nextText("STAFF_DELETE");
        assertEquals(atCarol, alice.nextText("STAFF_DELETE"));
        assertEquals(atCarol, bob.nextText("STAFF_DELETE"));
        JsonObject payload = Json.payload(com.google.gson.JsonParser.parseString(atCarol).getAsJsonObject());
        assertEquals(id, payload.get("staffId").getAsString());
        assertEquals(2, payload.get("version").getAsLong());
        assertEquals(2, payload.size());
    }

    @Test
    void aStaleVersionGetsVersionConflictWithTheCurrentRowAndChangesNothing() throws Exception {
        String id = createSeenByAll(alice, "Shared");
        updateSeenByAll(alice, id, """
                {"position": "Head"}"""); // now version 2
        long number = bob.send("STAFF_UPDATE", """
                {"staffId": "%s", "changes": {"position": "Mine"}, "version": 1}""".formatted(id));
        JsonObject error = bob.next("ERROR");
        assertEquals("VERSION_CONFLICT", Json.errorCode(error));
        assertEquals(number, error.get("inReplyTo").getAsLong());
        JsonObject current = Json.payload(error).getAsJsonObject("current");
        assertEquals(2, current.get("version").getAsLong());
        assertEquals("Head", current.get("position").getAsString());
        assertEquals(id, Json.payload(error).get("staffId").getAsString());
        carol.assertNothingElseArrived(); // nobody else hears of a refused change
        alice.assertNothingElseArrived();
        bob.send("SYNC_REQUEST", "{}");
        JsonObject row = findRow(bob.next("SYNC_RESPONSE"), id);
        assertEquals("Head", row.get("position").getAsString());
        assertEquals(2, row.get("version").getAsLong());
    }

    @Test
    void aStaleVersionOnDeleteGetsVersionConflictAndKeepsTheRow() {
        String id = createSeenByAll(alice, "Keep");
        updateSeenByAll(alice, id, """
                {"type": "night"}""");
        bob.send("STAFF_DELETE", """
                {"staffId": "%s", "version": 1}""".formatted(id));
        assertEquals("VERSION_CONFLICT", Json.errorCode(bob.next("ERROR")));
        bob.send("SYNC_REQUEST", "{}");
        assertEquals(2, findRow(bob.next("SYNC_RESPONSE"), id).get("version").getAsLong());
    }

    @Test
    void anUpdateWithoutVersionIsAppliedLastWriterWins() {
        String id = createSeenByAll(alice, "Both");
        updateSeenByAll(alice, id, """
                {"position": "A"}""");
        bob.sendText("""
                {"type": "STAFF_UPDATE", "payload": {"staffId": "%s", "changes": {"position": "B"}}, "clientId": "bob"}"""
                .formatted(id));
        JsonObject event = bob.next("STAFF_UPDATE");
        assertEquals("bob", event.get("clientId").getAsString());
        assertEquals(3, Json.payload(event).get("version").getAsLong());
        assertEquals("B", Json.payload(event).getAsJsonObject("staff").get("position").getAsString());
        assertFalse(event.has("inReplyTo"), "no sequenceNumber was sent, so there is nothing to reply to");
    }

    @Test
    void theSchedulingAppsExistingMessageShapeWorks() {
        String id = createSeenByAll(alice, "Existing");
        // As the app sends today: timestamp, no version, no sequenceNumber.
        alice.sendText("""
                {"type": "STAFF_UPDATE", "payload": {"staffId": "%s", "changes": {"name": "Renamed", "period": 2}},
                 "timestamp": "2026-11-25T20:00:00.000Z", "clientId": "app-123"}""".formatted(id));
        JsonObject event = carol.next("STAFF_UPDATE");
        assertEquals("app-123", event.get("clientId").getAsString());
        JsonObject staff = Json.payload(event).getAsJsonObject("staff");
        assertEquals("Renamed", staff.get("name").getAsString());
        assertEquals(2, staff.get("period").getAsLong());
    }

    @Test
    void eventsCarryGapFreeIncreasingSequenceNumbers() {
        String id = create(alice, "Seq");
        long first = Json.seq(bob.next("STAFF_CREATE"));
        update(alice, id, """
                {"position": "1"}""");
        update(alice, id, """
                {"position": "2"}""");
        assertEquals(first + 1, Json.seq(bob.next("STAFF_UPDATE")));
        assertEquals(first + 2, Json.seq(bob.next("STAFF_UPDATE")));
    }

    // ---- helpers ----

    /** Creates a row; its author reads the event, the others have it still to read. */
    static String create(WsClient client, String name) {
        String id = newId();
        client.send("STAFF_CREATE", """
                {"staff": {"id": "%s", "name": %s}}""".formatted(id, Json.quote(name)));
        JsonObject event = client.next("STAFF_CREATE");
        assertEquals(id, Json.payload(event).get("id").getAsString());
        return id;
    }

    /** Creates a row, and every client reads its event as the next message. */
    private String createSeenByAll(WsClient author, String name) {
        String id = create(author, name);
        for (WsClient other : others(author)) {
            assertEquals(id, Json.payload(other.next("STAFF_CREATE")).get("id").getAsString());
        }
        return id;
    }

    /** Updates a row; its author reads the event, the others have it still to read. */
    static JsonObject update(WsClient client, String id, String changes) {
        client.send("STAFF_UPDATE", """
                {"staffId": "%s", "changes": %s}""".formatted(id, changes));
        return client.next("STAFF_UPDATE");
    }

    /** Updates a row, and every client reads its event as the next message. */
    private void updateSeenByAll(WsClient author, String id, String changes) {
        update(author, id, changes);
        for (WsClient other : others(author)) {
            assertEquals(id, Json.payload(other.next("STAFF_UPDATE")).get("staffId").getAsString());
        }
    }

    private List<WsClient> others(WsClient author) {
        return List.of(alice, bob, carol).stream().filter(client -> client != author).toList();
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
