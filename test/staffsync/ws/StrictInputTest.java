package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/**
 * Input that gson or a lax server would quietly accept is refused over the wire: each bad message
 * gets its ERROR, changes nothing, and the connection goes on working (PROTOCOL.md revision 1.1,
 * "Envelope" and "Staff row").
 */
class StrictInputTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer();
    WsClient client;

    @BeforeEach
    void connect() {
        client = WsClient.connect(server.wsUri(), "strict-" + UUID.randomUUID());
        client.ack();
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    private String refusedWith(String code, String text) {
        client.sendText(text);
        JsonObject error = client.next("ERROR");
        assertEquals(code, Json.errorCode(error), error.toString());
        client.sendText("""
                {"type": "PING", "payload": {"still": "here"}, "clientId": "x"}""");
        client.next("PONG"); // the connection stays usable
        return Json.payload(error).get("message").getAsString();
    }

    private List<String> storedIds() {
        client.send("SYNC_REQUEST", "{}");
        List<String> ids = new ArrayList<>();
        for (JsonElement row : Json.payload(client.next("SYNC_RESPONSE")).getAsJsonArray("staff")) {
            ids.add(row.getAsJsonObject().get("id").getAsString());
        }
        return ids;
    }

    private String created(String name) {
        client.send("STAFF_CREATE", """
                {"staff": {"name": "%s"}}""".formatted(name));
        return Json.payload(client.next("STAFF_CREATE")).get("id").getAsString();
    }

    @Test
    void aDuplicateTypeKeyIsInvalidMessageAndDeletesNothing() {
        String id = created("Kept");
        refusedWith("INVALID_MESSAGE", """
                {"type": "PING", "type": "STAFF_DELETE", "payload": {"staffId": "%s"}, "clientId": "x"}""".formatted(id));
        assertTrue(storedIds().contains(id), "the row is still there");
    }

    @Test
    void aDuplicateKeyInsideTheRowIsInvalidMessageAndCreatesNothing() {
        String id = "dup-" + UUID.randomUUID();
        refusedWith("INVALID_MESSAGE", """
                {"type": "STAFF_CREATE", "payload": {"staff": {"id": "%s", "name": "A", "name": "B"}}, "clientId": "x"}"""
                .formatted(id));
        assertFalse(storedIds().contains(id));
    }

    @Test
    void loneSurrogatesInIdsAreInvalidMessageSoTwoIdsCanNeverCollapseIntoOne() {
        String prefix = "lone-" + UUID.randomUUID();
        // Two ids ending in lone surrogates, written as JSON escapes.
        refusedWith("INVALID_MESSAGE", """
                {"type": "STAFF_CREATE", "payload": {"staff": {"id": "%s\\ud800", "name": "A"}}, "clientId": "x"}"""
                .formatted(prefix));
        refusedWith("INVALID_MESSAGE", """
                {"type": "STAFF_CREATE", "payload": {"staff": {"id": "%s\\udbff", "name": "B"}}, "clientId": "x"}"""
                .formatted(prefix));
        assertTrue(storedIds().stream().noneMatch(id -> id.startsWith(prefix)));
    }

    @Test
    void aNulInANameIsValidationFailedAndCreatesNothing() {
        String id = "nul-" + UUID.randomUUID();
        String message = refusedWith("VALIDATION_FAILED", """
                {"type": "STAFF_CREATE", "payload": {"staff": {"id": "%s", "name": "Ada\\u0000Lovelace"}}, "clientId": "x"}"""
                .formatted(id));
        assertTrue(message.contains("payload.staff.name") && message.contains("control characters"), message);
        assertFalse(storedIds().contains(id));
    }

    @Test
    void aControlCharacterInAnUpdateIsValidationFailedAndChangesNothing() {
        String id = created("Plain");
        refusedWith("VALIDATION_FAILED", """
                {"type": "STAFF_UPDATE", "payload": {"staffId": "%s", "changes": {"department": "ICU\\u001b[31m"}}, "clientId": "x"}"""
                .formatted(id));
        client.send("SYNC_REQUEST", "{}");
        JsonObject row = StaffChangesTest.findRow(client.next("SYNC_RESPONSE"), id);
        assertEquals(1, row.get("version").getAsLong());
        assertEquals("", row.get("department").getAsString());
    }

    @Test
    void aNameOfOnlyZeroWidthCharactersIsValidationFailed() {
        String message = refusedWith("VALIDATION_FAILED",
                """
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "\\u200b\\u2060\\u00a0"}}, "clientId": "x"}""");
        assertTrue(message.contains("visible"), message);
    }

    @Test
    void aPingWhosePayloadIsNotAnObjectIsInvalidMessage() {
        refusedWith("INVALID_MESSAGE", """
                {"type": "PING", "payload": [1, 2], "clientId": "x"}""");
        refusedWith("INVALID_MESSAGE", """
                {"type": "PING", "payload": "hello", "clientId": "x"}""");
    }
}
