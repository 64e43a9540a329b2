package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/** The durable store seen through the real server process: what a client notices across restarts. */
class FileStoreServerTest {
    @TempDir
    Path dir;

    private Map<String, String> env() {
        return Map.of("STORE", "file", "DATA_DIR", dir.resolve("data").toString());
    }

    @Test
    void aSecondServerOnTheSameDataDirRefusesToStartWithAClearMessage() throws Exception {
        try (ServerProcess first = ServerProcess.start(env());
             ServerProcess second = ServerProcess.launch(env())) {
            int exit = second.awaitExit(30, TimeUnit.SECONDS);
            assertNotEquals(0, exit, second.log());
            assertNotEquals(-1, exit, "the second server did not exit: " + second.log());
            assertTrue(second.log().contains("is in use by another staff-sync process (pid " + first.process().pid()),
                    second.log());
            try (WsClient client = WsClient.connect(first.wsUri(), "still-served")) {
                assertEquals("CONNECTION_ACK", Json.type(client.ack()));
            }
        }
    }

    @Test
    void aClientResumingAfterARestartGetsExactlyTheEventsItMissedByteForByte() throws Exception {
        List<String> events = new ArrayList<>();
        String epoch;
        try (ServerProcess server = ServerProcess.start(env());
             WsClient writer = WsClient.connect(server.wsUri(), "writer")) {
            epoch = Json.payload(writer.ack()).get("epoch").getAsString();
            for (int i = 0; i < 5; i++) {
                writer.send("STAFF_CREATE", "{\"staff\":{\"id\":\"s" + i + "\",\"name\":\"Staff " + i + "\"}}");
                events.add(writer.nextText("STAFF_CREATE"));
            }
            server.kill();
        }
        try (ServerProcess server = ServerProcess.start(env());
             WsClient resumed = WsClient.connect(server.wsUri(), "reader")) {
            JsonObject ack = Json.payload(resumed.ack());
            assertEquals(epoch, ack.get("epoch").getAsString());
            assertEquals(5, ack.get("sequenceNumber").getAsLong());
            resumed.send("SYNC_REQUEST", "{\"sinceSequence\":2,\"epoch\":\"" + epoch + "\"}");
            assertEquals(events.get(2), resumed.nextText("STAFF_CREATE"));
            assertEquals(events.get(3), resumed.nextText("STAFF_CREATE"));
            assertEquals(events.get(4), resumed.nextText("STAFF_CREATE"));
            JsonObject done = resumed.next("SYNC_RESPONSE");
            assertEquals(3, Json.payload(done).get("replayed").getAsInt());
        }
    }

    @Test
    void aMutationRetriedAfterARestartIsAnsweredWithTheOriginalEventAndNotAppliedTwice() throws Exception {
        String update = """
                {"staffId": "s1", "changes": {"name": "Once"}}""";
        String original;
        try (ServerProcess server = ServerProcess.start(env());
             WsClient client = WsClient.connect(server.wsUri(), "retrying-client")) {
            client.ack();
            client.sendWithSequence("STAFF_CREATE", "{\"staff\":{\"id\":\"s1\",\"name\":\"First\"}}", 1);
            client.nextText("STAFF_CREATE");
            client.sendWithSequence("STAFF_UPDATE", update, 2);
            original = client.nextText("STAFF_UPDATE");
            server.kill();
        }
        try (ServerProcess server = ServerProcess.start(env());
             WsClient client = WsClient.connect(server.wsUri(), "retrying-client")) {
            assertEquals(2, Json.payload(client.ack()).get("sequenceNumber").getAsLong());
            client.sendWithSequence("STAFF_UPDATE", update, 2);
            assertEquals(original, client.nextText("STAFF_UPDATE"));
            client.send("SYNC_REQUEST", "{}");
            JsonObject snapshot = Json.payload(client.next("SYNC_RESPONSE"));
            assertEquals(2, snapshot.get("sequenceNumber").getAsLong());
            JsonObject row = snapshot.getAsJsonArray("staff").get(0).getAsJsonObject();
            assertEquals(2, row.get("version").getAsLong());
        }
    }

    @Test
    void aKeyReusedForAnotherChangeAfterARestartIsStillSequenceReused() throws Exception {
        try (ServerProcess server = ServerProcess.start(env());
             WsClient client = WsClient.connect(server.wsUri(), "reusing-client")) {
            client.ack();
            client.sendWithSequence("STAFF_CREATE", "{\"staff\":{\"id\":\"s1\",\"name\":\"First\"}}", 1);
            client.nextText("STAFF_CREATE");
            server.kill();
        }
        try (ServerProcess server = ServerProcess.start(env());
             WsClient client = WsClient.connect(server.wsUri(), "reusing-client")) {
            client.ack();
            client.sendWithSequence("STAFF_CREATE", "{\"staff\":{\"id\":\"s2\",\"name\":\"Second\"}}", 1);
            assertEquals("SEQUENCE_REUSED", Json.errorCode(client.next("ERROR")));
        }
    }

    @Test
    void aCorruptMiddleRecordStopsTheServerWithTheFileAndOffset() throws Exception {
        Path data = dir.resolve("data");
        try (ServerProcess server = ServerProcess.start(env());
             WsClient client = WsClient.connect(server.wsUri(), "writer")) {
            client.ack();
            for (int i = 0; i < 3; i++) {
                client.send("STAFF_CREATE", "{\"staff\":{\"id\":\"s" + i + "\",\"name\":\"Staff " + i + "\"}}");
                client.nextText("STAFF_CREATE");
            }
            server.kill();
        }
        Path segment = LogFiles.onlySegment(data);
        LogFiles.flipByte(segment, RecordFrame.HEADER_BYTES + 20); // inside the first record
        try (ServerProcess broken = ServerProcess.launch(env())) {
            int exit = broken.awaitExit(30, TimeUnit.SECONDS);
            assertNotEquals(0, exit, broken.log());
            assertNotEquals(-1, exit, "the server did not stop: " + broken.log());
            assertTrue(broken.log().contains(segment + " at offset 0"), broken.log());
        }
    }
}
