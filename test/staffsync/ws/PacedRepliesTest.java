package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import staffsync.support.Json;
import staffsync.support.LargeRows;
import staffsync.support.SharedServer;
import staffsync.support.WsClient;

/**
 * REPLY_BYTES_PER_SECOND end to end: a snapshot written at the pace still arrives whole, takes as
 * long as the pace says, and the events of everyone else are not held behind it. The pace here is
 * 1 MiB/s against a snapshot of about 2.7 MB, so only its bounds from below are asserted: a slow
 * machine makes a paced reply slower, never faster.
 */
class PacedRepliesTest {
    static final int ROWS = 3_000;
    static final long PACE = 1024 * 1024;

    @RegisterExtension
    static final SharedServer server = new SharedServer(settings());

    static WsClient writer;

    private static Map<String, String> settings() {
        Map<String, String> env = new HashMap<>(LargeRows.fastWriter());
        env.put("REPLY_BYTES_PER_SECOND", Long.toString(PACE));
        return env;
    }

    @BeforeAll
    static void createRows() {
        writer = WsClient.connect(server.wsUri(), "writer");
        writer.ack();
        LargeRows.create(writer, ROWS, 1);
    }

    @Test
    void aPacedSnapshotArrivesWholeAndNoFasterThanThePace() {
        try (WsClient reader = WsClient.connect(server.wsUri(), "reader")) {
            reader.ack();
            long started = System.nanoTime();
            reader.send("SYNC_REQUEST", "{}");
            String text = reader.nextText(LargeRows.SLOW);
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            JsonObject payload = Json.payload(JsonParser.parseString(text).getAsJsonObject());
            assertEquals(ROWS, LargeRows.checkedIds(payload.getAsJsonArray("staff")).size());
            // All but the bucket's quarter second of bytes go at the pace.
            long pacedMs = (long) ((text.getBytes(StandardCharsets.UTF_8).length - PACE / 4) * 1000.0 / PACE);
            assertTrue(tookMs >= pacedMs * 9 / 10, "took " + tookMs + " ms; the pace allows it no sooner than " + pacedMs + " ms");
        }
    }

    @Test
    void anEventReachesOthersWhileAPacedSnapshotIsStillBeingWritten() throws Exception {
        try (WsClient reader = WsClient.connect(server.wsUri(), "reader");
             WsClient bystander = WsClient.connect(server.wsUri(), "bystander")) {
            reader.ack();
            bystander.ack();
            reader.send("SYNC_REQUEST", "{}");
            CompletableFuture<Long> snapshotDone = CompletableFuture.supplyAsync(() -> {
                LargeRows.nextLarge(reader, "SYNC_RESPONSE");
                return System.nanoTime();
            });

            LargeRows.update(writer, 1, 1, "meanwhile ");
            bystander.next("STAFF_UPDATE");
            long eventArrived = System.nanoTime();

            assertTrue(eventArrived < snapshotDone.get(LargeRows.SLOW.toSeconds(), TimeUnit.SECONDS),
                    "the bystander's event came only after the paced snapshot ended");
            reader.next("STAFF_UPDATE"); // the reader's copy follows its snapshot
        }
    }
}
