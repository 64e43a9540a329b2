package staffsync.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * The real server on the file store, one client keeping a window of updates to its own row in
 * flight, each naming the version the previous one makes (as the benchmark's publisher does).
 * The updates no longer wait for each other's fsync; these tests hold the guarantees that
 * must not change: each is decided on the one before, nothing is lost once told, a crash
 * keeps a prefix, and a shutdown tells everything it stored.
 */
class QueuedChangesServerTest {
    private static final int WINDOW = 400;
    private static final String ROW = "queued-row";

    @TempDir
    Path dir;

    private Map<String, String> env() {
        return Map.of("STORE", "file", "DATA_DIR", dir.resolve("data").toString(), "HISTORY_SIZE", "100000",
                "MAX_WRITES_PER_SECOND", "1000000");
    }

    @Test
    void aWindowOfUpdatesToOneRowCommitsInOrderEachOnTheOneBefore() throws Exception {
        try (ServerProcess server = ServerProcess.start(env());
             WsClient client = WsClient.connect(server.wsUri(), "window-client")) {
            client.ack();
            createRow(client);
            sendWindow(client, 1);
            for (int k = 0; k < WINDOW; k++) {
                JsonObject event = client.next();
                assertEquals("STAFF_UPDATE", Json.type(event), "answer " + k + ": " + event);
                assertEquals(k + 2, Json.payload(event).get("version").getAsLong());
                assertEquals("v" + (k + 2), Json.payload(event).getAsJsonObject("staff").get("name").getAsString());
            }
        }
        assertStoredRowIs(WINDOW + 1);
    }

    @Test
    void killNineWhileAWindowIsQueuedKeepsEveryToldChangeAndAPrefixOfTheRest() throws Exception {
        long seed = Long.getLong("seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed " + seed + " (replay with: make test SEED=" + seed + " TESTS=\"--select-class "
                + getClass().getName() + "\")";
        System.out.println(getClass().getSimpleName() + ": " + context);
        long version = 0;
        for (int round = 0; round < 3; round++) {
            long told;
            try (ServerProcess server = ServerProcess.start(env());
                 WsClient client = WsClient.connect(server.wsUri(), "crash-client-" + round)) {
                client.ack();
                version = round == 0 ? createRow(client) : storedVersion(client);
                sendWindow(client, version);
                Thread.sleep(random.nextInt(40)); // not a wait: a random moment for the kill, within the window
                server.kill();
                told = lastToldVersion(client, version);
            }
            long stored = assertStoredRowIs(-1);
            assertTrue(stored >= told, "told version " + told + " but only " + stored + " survived; " + context);
            assertTrue(stored <= version + WINDOW, context);
        }
        assertEveryStoredUpdateBuildsOnTheOneBefore(context);
    }

    @Test
    void aShutdownWhileAWindowIsQueuedTellsEveryChangeItStored() throws Exception {
        long told;
        try (ServerProcess server = ServerProcess.start(env());
             WsClient client = WsClient.connect(server.wsUri(), "shutdown-client")) {
            client.ack();
            createRow(client);
            sendWindow(client, 1);
            client.next("STAFF_UPDATE");
            server.terminate();
            told = lastToldVersion(client, 2);
            assertEquals(0, server.awaitExit(30, TimeUnit.SECONDS), server.log());
        }
        assertEquals(told, assertStoredRowIs(-1), "the stored row's version is the last one the client was told");
    }

    private static long createRow(WsClient client) {
        client.send("STAFF_CREATE", "{\"staff\":{\"id\":\"" + ROW + "\",\"name\":\"v1\"}}");
        JsonObject created = client.next("STAFF_CREATE");
        return Json.payload(created).get("version").getAsLong();
    }

    /** WINDOW updates sent back to back, update k naming version {@code from + k}. */
    private static void sendWindow(WsClient client, long from) {
        for (long v = from; v < from + WINDOW; v++) {
            client.send("STAFF_UPDATE", "{\"staffId\":\"" + ROW + "\",\"changes\":{\"name\":\"v" + (v + 1)
                    + "\"},\"version\":" + v + "}");
        }
    }

    /** Reads until the connection ends; the highest version of the row an event told. */
    private static long lastToldVersion(WsClient client, long atLeast) throws InterruptedException {
        long told = atLeast;
        while (true) {
            List<String> texts = client.drain(Duration.ofMillis(100));
            for (String text : texts) {
                JsonObject message = JsonParser.parseString(text).getAsJsonObject();
                if (Json.type(message).equals("STAFF_UPDATE")) {
                    long version = Json.payload(message).get("version").getAsLong();
                    assertEquals(told + 1, version, "events told in order, none skipped");
                    told = version;
                }
            }
            if (texts.isEmpty() && client.isClosed()) {
                return told;
            }
        }
    }

    private static long storedVersion(WsClient client) {
        client.send("SYNC_REQUEST", "{}");
        for (JsonElement row : Json.payload(client.next("SYNC_RESPONSE")).getAsJsonArray("staff")) {
            JsonObject staff = row.getAsJsonObject();
            if (staff.get("id").getAsString().equals(ROW)) {
                long version = staff.get("version").getAsLong();
                assertEquals("v" + version, staff.get("name").getAsString(), "the row is the one its last update made");
                return version;
            }
        }
        throw new AssertionError("the row is gone");
    }

    /** Restarts on the data directory; the stored row's version (checked against {@code expected} unless -1). */
    private long assertStoredRowIs(long expected) throws Exception {
        try (ServerProcess server = ServerProcess.start(env());
             WsClient reader = WsClient.connect(server.wsUri(), "reader")) {
            reader.ack();
            long version = storedVersion(reader);
            if (expected >= 0) {
                assertEquals(expected, version);
            }
            return version;
        }
    }

    /** The whole log, replayed: the row's versions rise by one, each event's name the one its update set. */
    private void assertEveryStoredUpdateBuildsOnTheOneBefore(String context) throws Exception {
        try (ServerProcess server = ServerProcess.start(env());
             WsClient reader = WsClient.connect(server.wsUri(), "auditor")) {
            JsonObject ack = Json.payload(reader.ack());
            long last = ack.get("sequenceNumber").getAsLong();
            reader.send("SYNC_REQUEST", "{\"sinceSequence\":0,\"epoch\":\"" + ack.get("epoch").getAsString() + "\"}");
            long version = 0;
            List<Long> gaps = new ArrayList<>();
            for (long seq = 1; seq <= last; seq++) {
                JsonObject event = reader.next();
                assertEquals(seq, Json.seq(event), context);
                long next = Json.payload(event).get("version").getAsLong();
                if (next != version + 1) {
                    gaps.add(seq);
                }
                version = next;
                JsonObject row = Json.type(event).equals("STAFF_CREATE") ? Json.payload(event)
                        : Json.payload(event).getAsJsonObject("staff");
                assertEquals("v" + version, row.get("name").getAsString(), context);
            }
            assertEquals(List.of(), gaps, "events whose version did not follow the one before; " + context);
        }
    }
}
