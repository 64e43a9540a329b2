package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.LargeRows;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * Clients that stop reading in the middle of their large replies cannot hold every reply turn
 * for long: after REPLY_STALL_TIMEOUT_SECONDS without reading a byte they are dropped as slow
 * consumers, and a client waiting for a turn is served.
 *
 * <p>The ping check would drop an ordinary stalled reader too, but not one that keeps sending
 * pongs of its own accord (the library takes any pong as a sign of life): PING_INTERVAL_SECONDS
 * is set out of reach here to stand for that client.
 */
class StalledReadersTest {

    @Test
    void readersStalledInTheMiddleOfTheirRepliesAreDroppedAndAWaitingSyncIsServed() throws Exception {
        Map<String, String> env = new HashMap<>(LargeRows.fastWriter());
        env.put("PING_INTERVAL_SECONDS", "3600");
        env.put("REPLY_MEMORY_BYTES", "1048576"); // room for two replies at once
        env.put("REPLY_STALL_TIMEOUT_SECONDS", "2");
        env.put("SOCKET_SEND_BUFFER_BYTES", "16384");
        try (ServerProcess server = ServerProcess.start(env);
             WsClient writer = WsClient.connect(server.wsUri(), "writer")) {
            writer.ack();
            LargeRows.create(writer, 2_000, 1); // a snapshot of about 1.8 MB
            List<WsClient> stalled = List.of(WsClient.connect(server.wsUri(), "stalled-1"),
                    WsClient.connect(server.wsUri(), "stalled-2"));
            for (WsClient reader : stalled) {
                reader.ack();
                reader.stopReadingMidMessage();
                reader.send("SYNC_REQUEST", "{}");
                assertTrue(reader.awaitStoppedMidMessage(), "part of the snapshot arrived before the client stopped");
            }
            try (WsClient waiting = WsClient.connect(server.wsUri(), "waiting")) {
                waiting.ack();

                waiting.send("SYNC_REQUEST", "{}");

                JsonObject snapshot = JsonParser.parseString(waiting.nextText(Duration.ofSeconds(60))).getAsJsonObject();
                assertEquals("SYNC_RESPONSE", Json.type(snapshot));
                assertEquals(2_000, LargeRows.checkedIds(Json.payload(snapshot).getAsJsonArray("staff")).size());
                assertEquals(2, SlowConsumerTest.dropsReported(server), "both stalled readers were dropped");
                assertTrue(server.log().contains("(REPLY_STALL_TIMEOUT_SECONDS)"), server.log());
            }
            stalled.forEach(WsClient::close);
        }
    }
}
