package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/** A mutation resent with the same (clientId, sequenceNumber) is answered, not applied again. */
class RetryTest {
    @RegisterExtension
    static final SharedServer server = new SharedServer();

    @Test
    void aResentUpdateAfterReconnectGetsTheOriginalEventAndIsNotAppliedTwice() {
        String update = """
                {"staffId": "r1", "changes": {"period": 4}}""";
        String original;
        try (WsClient first = WsClient.connect(server.wsUri(), "retrier")) {
            first.ack();
            first.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"id": "r1", "name": "R"}}""", 1);
            first.next("STAFF_CREATE");
            first.sendWithSequence("STAFF_UPDATE", update, 2);
            original = first.nextText("STAFF_UPDATE");
        }
        try (WsClient again = WsClient.connect(server.wsUri(), "retrier")) {
            again.ack();
            again.sendWithSequence("STAFF_UPDATE", update, 2);
            assertEquals(original, again.nextText("STAFF_UPDATE"), "the original outcome, byte for byte");
            again.send("SYNC_REQUEST", "{}");
            JsonObject row = StaffChangesTest.findRow(again.next("SYNC_RESPONSE"), "r1");
            assertEquals(2, row.get("version").getAsLong(), "applied once: version 2, not 3");
        }
    }

    @Test
    void aResentCreateIsNotRefusedAsAlreadyExisting() {
        try (WsClient client = WsClient.connect(server.wsUri(), "creator")) {
            client.ack();
            client.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"id": "r2", "name": "R"}}""", 10);
            String original = client.nextText("STAFF_CREATE");
            client.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"id": "r2", "name": "R"}}""", 10);
            assertEquals(original, client.nextText("STAFF_CREATE"));
        }
    }

    @Test
    void theSameSequenceNumberFromAnotherClientIdIsANewMutation() {
        try (WsClient a = WsClient.connect(server.wsUri(), "client-a");
             WsClient b = WsClient.connect(server.wsUri(), "client-b")) {
            a.ack();
            b.ack();
            a.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"id": "r3", "name": "R"}}""", 1);
            a.next("STAFF_CREATE");
            b.next("STAFF_CREATE"); // a's create, broadcast
            b.sendWithSequence("STAFF_UPDATE", """
                    {"staffId": "r3", "changes": {"name": "S"}}""", 1);
            JsonObject event = b.next("STAFF_UPDATE");
            assertEquals(2, Json.payload(event).get("version").getAsLong());
        }
    }

    @Test
    void aRefusedMutationIsJudgedAgainWhenResent() {
        try (WsClient client = WsClient.connect(server.wsUri(), "refused")) {
            client.ack();
            client.sendWithSequence("STAFF_DELETE", """
                    {"staffId": "r4"}""", 1);
            assertEquals("NOT_FOUND", Json.errorCode(client.next("ERROR")));
            client.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"id": "r4", "name": "R"}}""", 2);
            client.next("STAFF_CREATE");
            client.sendWithSequence("STAFF_DELETE", """
                    {"staffId": "r4"}""", 1);
            client.next("STAFF_DELETE");
        }
    }

    @Test
    void anotherChangeUnderAKeyAlreadyAnsweredIsSequenceReusedAndNotApplied() {
        try (WsClient owner = WsClient.connect(server.wsUri(), "shared-id");
             WsClient impostor = WsClient.connect(server.wsUri(), "shared-id")) {
            owner.ack();
            impostor.ack();
            owner.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"id": "r5", "name": "Owner's"}}""", 3);
            owner.next("STAFF_CREATE");
            impostor.next("STAFF_CREATE"); // the broadcast

            impostor.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"id": "r6", "name": "Impostor's"}}""", 3);
            JsonObject error = impostor.next("ERROR");
            assertEquals("SEQUENCE_REUSED", Json.errorCode(error), "not the owner's old event");
            assertEquals(3, error.get("inReplyTo").getAsLong());
            impostor.send("SYNC_REQUEST", "{}");
            JsonObject snapshot = impostor.next("SYNC_RESPONSE");
            StaffChangesTest.findRow(snapshot, "r5");
            assertFalse(snapshot.toString().contains("r6"), "the reused key applied nothing");
        }
    }

    @Test
    void aResendWithItsKeysInAnotherOrderIsStillTheSameMessage() {
        try (WsClient client = WsClient.connect(server.wsUri(), "reorderer")) {
            client.ack();
            client.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"id": "r7", "name": "R", "period": 2}}""", 1);
            String original = client.nextText("STAFF_CREATE");
            client.sendWithSequence("STAFF_CREATE", """
                    {"staff": {"period": 2, "name": "R", "id": "r7"}}""", 1);
            assertEquals(original, client.nextText("STAFF_CREATE"));
        }
    }
}
