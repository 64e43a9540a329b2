package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/**
 * Every ERROR a client can cause, and the rule that goes with all of them: the connection stays
 * open and the next message works.
 */
class ProtocolErrorsTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer(Map.of("MAX_MESSAGE_BYTES", "4096"));
    WsClient client;

    @BeforeEach
    void connect() {
        client = WsClient.connect(server.wsUri(), "errors-" + UUID.randomUUID());
        client.ack();
    }

    @AfterEach
    void disconnect() {
        client.close();
    }

    /** Sends raw text, expects one ERROR with the code, then proves the connection still works. */
    private JsonObject expectError(String text, String code) {
        client.sendText(text);
        JsonObject error = client.next();
        assertEquals(code, Json.errorCode(error), error.toString());
        assertFalse(Json.payload(error).get("message").getAsString().isBlank());
        assertEquals("server", error.get("clientId").getAsString());
        assertStillUsable();
        return error;
    }

    private void assertStillUsable() {
        client.sendText("""
                {"type": "PING", "payload": {"still": "here"}, "clientId": "x"}""");
        JsonObject pong = client.next();
        assertEquals("PONG", Json.type(pong));
        assertEquals("here", Json.payload(pong).get("still").getAsString());
        assertFalse(client.isClosed());
    }

    @Test
    void textThatIsNotJsonIsInvalidMessage() {
        expectError("hello there", "INVALID_MESSAGE");
    }

    @Test
    void jsonThatIsNotAnObjectIsInvalidMessage() {
        expectError("[1,2,3]", "INVALID_MESSAGE");
    }

    @Test
    void lenientJsonIsInvalidMessage() {
        expectError("{type:'PING',payload:{},clientId:'a'}", "INVALID_MESSAGE");
    }

    @Test
    void aMissingTypeIsInvalidMessage() {
        expectError("""
                {"payload": {}, "clientId": "a"}""", "INVALID_MESSAGE");
    }

    @Test
    void aMissingClientIdIsInvalidMessage() {
        expectError("""
                {"type": "PING", "payload": {}}""", "INVALID_MESSAGE");
    }

    @Test
    void aClientIdLongerThan128CharactersIsInvalidMessage() {
        expectError("""
                {"type": "PING", "payload": {}, "clientId": "%s"}""".formatted("c".repeat(129)), "INVALID_MESSAGE");
    }

    @Test
    void aMissingPayloadIsInvalidMessage() {
        expectError("""
                {"type": "SYNC_REQUEST", "clientId": "a"}""", "INVALID_MESSAGE");
    }

    @Test
    void aNegativeSequenceNumberIsInvalidMessage() {
        expectError("""
                {"type": "PING", "payload": {}, "clientId": "a", "sequenceNumber": -1}""", "INVALID_MESSAGE");
    }

    @Test
    void aMistypedSequenceNumberIsInvalidMessage() {
        expectError("""
                {"type": "PING", "payload": {}, "clientId": "a", "sequenceNumber": "7"}""", "INVALID_MESSAGE");
    }

    @Test
    void anUnknownTypeIsUnknownTypeAndAnswersItsSequenceNumber() {
        JsonObject error = expectError("""
                {"type": "STAFF_RENAME", "payload": {}, "clientId": "a", "sequenceNumber": 41}""", "UNKNOWN_TYPE");
        assertEquals(41, error.get("inReplyTo").getAsLong());
    }

    @Test
    void anUnknownRowFieldIsValidationFailedNotDropped() {
        JsonObject error = expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "A", "salary": 1}}, "clientId": "a"}""",
                "VALIDATION_FAILED");
        assertTrue(Json.payload(error).get("message").getAsString().contains("salary"));
    }

    @Test
    void settingAServerManagedFieldIsValidationFailed() {
        for (String field : new String[] {"version", "created_at", "updated_at"}) {
            String value = field.equals("version") ? "5" : "\"2020-01-01T00:00:00Z\"";
            expectError("""
                    {"type": "STAFF_CREATE", "payload": {"staff": {"name": "A", "%s": %s}}, "clientId": "a"}"""
                    .formatted(field, value), "VALIDATION_FAILED");
        }
    }

    @Test
    void aCreateWithoutNameIsValidationFailed() {
        expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"position": "x"}}, "clientId": "a"}""",
                "VALIDATION_FAILED");
    }

    @Test
    void aBlankNameIsValidationFailed() {
        expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "   "}}, "clientId": "a"}""",
                "VALIDATION_FAILED");
    }

    @Test
    void nameLengthCountsCodePointsNotUtf16Units() {
        String twoHundredEmoji = "\uD83D\uDE00".repeat(200); // 200 code points, 400 UTF-16 units
        client.send("STAFF_CREATE", """
                {"staff": {"name": "%s"}}""".formatted(twoHundredEmoji));
        assertEquals("STAFF_CREATE", Json.type(client.next()));
        expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "%sx"}}, "clientId": "a"}"""
                .formatted(twoHundredEmoji), "VALIDATION_FAILED");
    }

    @Test
    void aTypeLongerThan50CharactersIsValidationFailed() {
        expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "A", "type": "%s"}}, "clientId": "a"}"""
                .formatted("t".repeat(51)), "VALIDATION_FAILED");
    }

    @Test
    void aNegativeOrFractionalPeriodIsValidationFailed() {
        expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "A", "period": -1}}, "clientId": "a"}""",
                "VALIDATION_FAILED");
        expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": "A", "period": 1.5}}, "clientId": "a"}""",
                "VALIDATION_FAILED");
    }

    @Test
    void aWronglyTypedFieldIsValidationFailed() {
        expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"name": 42}}, "clientId": "a"}""",
                "VALIDATION_FAILED");
    }

    @Test
    void changingTheIdIsValidationFailed() {
        expectError("""
                {"type": "STAFF_UPDATE", "payload": {"staffId": "a", "changes": {"id": "b"}}, "clientId": "a"}""",
                "VALIDATION_FAILED");
    }

    @Test
    void anUpdateWithoutChangesIsValidationFailed() {
        expectError("""
                {"type": "STAFF_UPDATE", "payload": {"staffId": "a"}, "clientId": "a"}""", "VALIDATION_FAILED");
        expectError("""
                {"type": "STAFF_UPDATE", "payload": {"staffId": "a", "changes": {}}, "clientId": "a"}""",
                "VALIDATION_FAILED");
    }

    @Test
    void updatingAMissingRowIsNotFound() {
        JsonObject error = expectError("""
                {"type": "STAFF_UPDATE", "payload": {"staffId": "nobody", "changes": {"name": "x"}},
                 "clientId": "a", "sequenceNumber": 3}""", "NOT_FOUND");
        assertEquals("nobody", Json.payload(error).get("staffId").getAsString());
        assertEquals(3, error.get("inReplyTo").getAsLong());
    }

    @Test
    void deletingAMissingRowIsNotFound() {
        expectError("""
                {"type": "STAFF_DELETE", "payload": {"staffId": "nobody"}, "clientId": "a"}""", "NOT_FOUND");
    }

    @Test
    void creatingATakenIdIsAlreadyExists() {
        String id = "dup-" + UUID.randomUUID();
        client.send("STAFF_CREATE", """
                {"staff": {"id": "%s", "name": "First"}}""".formatted(id));
        assertEquals("STAFF_CREATE", Json.type(client.next()));
        expectError("""
                {"type": "STAFF_CREATE", "payload": {"staff": {"id": "%s", "name": "Second"}}, "clientId": "a"}"""
                .formatted(id), "ALREADY_EXISTS");
    }

    @Test
    void aBinaryFrameIsInvalidMessageAndTheConnectionStays() {
        client.sendBinary(new byte[] {1, 2, 3});
        assertEquals("INVALID_MESSAGE", Json.errorCode(client.next()));
        assertStillUsable();
    }

    @Test
    void aMessageOverTheSizeLimitClosesTheConnectionWith1009() {
        client.sendText("{\"type\":\"PING\",\"payload\":{\"pad\":\"" + "x".repeat(5000) + "\"},\"clientId\":\"a\"}");
        assertEquals(1009, client.awaitClose());
    }

    @Test
    void aMessageJustUnderTheSizeLimitIsAccepted() {
        String envelope = "{\"type\":\"PING\",\"payload\":{\"pad\":\"\"},\"clientId\":\"a\"}";
        String pad = "x".repeat(4096 - envelope.length());
        client.sendText("{\"type\":\"PING\",\"payload\":{\"pad\":\"" + pad + "\"},\"clientId\":\"a\"}");
        assertEquals("PONG", Json.type(client.next()));
    }
}
