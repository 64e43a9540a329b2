package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.LargeRows;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * A client on a slow link reads a large snapshot over several ping intervals and keeps its
 * connection: the server's pings go out between the pieces of the reply, not behind all of it,
 * so the client answers them in time and is not taken for a dead peer.
 */
class SlowReaderOfLargeReplyTest {

    @Test
    void aClientReadingALargeSnapshotSlowlyAnswersThePingsInBetweenAndStaysConnected() throws Exception {
        Map<String, String> env = new HashMap<>(LargeRows.fastWriter());
        env.put("PING_INTERVAL_SECONDS", "1");
        env.put("SOCKET_SEND_BUFFER_BYTES", "16384");
        try (ServerProcess server = ServerProcess.start(env);
             WsClient writer = WsClient.connect(server.wsUri(), "writer")) {
            writer.ack();
            LargeRows.create(writer, 2_000, 1);
            WsClient slow = WsClient.connect(server.wsUri(), "slow");
            slow.ack();
            // About 1.8 MB, handed over by the JDK in parts of some kilobytes: several seconds.
            slow.readSlowly(Duration.ofMillis(25));
            long started = System.nanoTime();
            slow.send("SYNC_REQUEST", "{}");
            assertEquals(2_000, LargeRows.checkedIds(
                    Json.payload(LargeRows.nextLarge(slow, "SYNC_RESPONSE")).getAsJsonArray("staff")).size());
            long seconds = (System.nanoTime() - started) / 1_000_000_000L;
            assertTrue(seconds >= 3, "the reading took " + seconds + " s: not long enough to need pings");
            assertFalse(slow.isClosed(), "closed while reading");
            slow.send("PING", "{}");
            assertEquals("PONG", Json.type(slow.next()));
            slow.close();
        }
    }
}
