package staffsync.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/**
 * MAX_ROWS and MAX_WRITES_PER_SECOND held against clients that try to get past them: several
 * connections sending at once, against the durable store (whose fsync keeps many creates in
 * flight together, the race a limit on stored rows alone would lose).
 */
class DataLimitsTest {
    @TempDir
    Path dir;

    private Map<String, String> env(String... settings) {
        Map<String, String> env = new HashMap<>(Map.of("STORE", "file", "DATA_DIR", dir.resolve("data").toString(),
                "RATE_LIMIT_PER_SECOND", "100000", "RATE_LIMIT_BURST", "100000"));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        return env;
    }

    /**
     * The answers to the client's own messages, sorted by the message they answer (a refusal may
     * overtake an earlier change still at the store): its errors, and the events it caused (every
     * client receives those, with the originator's clientId and inReplyTo).
     */
    private static List<JsonObject> answers(WsClient client, int count) {
        List<JsonObject> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            // Lenient: the other connections write at the same time, so their events interleave
            // with these answers in an order the test cannot know.
            answers.add(client.skipToMatching(message -> message.has("inReplyTo") && (Json.type(message).equals("ERROR")
                    || message.get("clientId").getAsString().equals(client.clientId()))));
        }
        answers.sort(Comparator.comparingLong(answer -> answer.get("inReplyTo").getAsLong()));
        return answers;
    }

    private static String create(String id) {
        return "{\"staff\":{\"id\":\"" + id + "\",\"name\":\"Staff " + id + "\",\"period\":1}}";
    }

    private static int rowsSynced(WsClient client) {
        client.send("SYNC_REQUEST", "{}");
        // Lenient: events caused by the other connections may still be unread before the snapshot.
        return Json.payload(client.skipToType("SYNC_RESPONSE")).getAsJsonArray("staff").size();
    }

    @Test
    void concurrentCreatesFromSeveralConnectionsNeverPassMaxRows() throws Exception {
        int maxRows = 10;
        int clients = 4;
        int perClient = 10;
        try (ServerProcess server = ServerProcess.start(env("MAX_ROWS", String.valueOf(maxRows)))) {
            List<WsClient> writers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                WsClient writer = WsClient.connect(server.wsUri(), "writer-" + c);
                writer.ack();
                writers.add(writer);
            }
            // Every create goes out before any answer is read: they race for the last rows.
            for (int i = 0; i < perClient; i++) {
                for (int c = 0; c < clients; c++) {
                    writers.get(c).send("STAFF_CREATE", create("w" + c + "-" + i));
                }
            }
            int created = 0;
            int refused = 0;
            for (WsClient writer : writers) {
                for (JsonObject answer : answers(writer, perClient)) {
                    if (Json.type(answer).equals("STAFF_CREATE")) {
                        created++;
                    } else {
                        assertEquals("LIMIT_EXCEEDED", Json.errorCode(answer), answer.toString());
                        assertTrue(Json.payload(answer).get("message").getAsString().contains("MAX_ROWS"));
                        refused++;
                    }
                }
            }
            assertEquals(maxRows, created, "exactly MAX_ROWS creates were applied");
            assertEquals(clients * perClient - maxRows, refused);
            assertEquals(maxRows, rowsSynced(writers.get(0)), "nothing refused was stored");
            for (WsClient writer : writers) {
                writer.close();
            }
        }
    }

    @Test
    void aDeleteMakesRoomForTheNextCreate() throws Exception {
        try (ServerProcess server = ServerProcess.start(env("MAX_ROWS", "2"));
             WsClient client = WsClient.connect(server.wsUri(), "editor")) {
            client.ack();
            client.send("STAFF_CREATE", create("a"));
            client.send("STAFF_CREATE", create("b"));
            client.send("STAFF_CREATE", create("c"));
            List<JsonObject> answers = answers(client, 3);
            assertEquals("STAFF_CREATE", Json.type(answers.get(0)), answers.get(0).toString());
            assertEquals("STAFF_CREATE", Json.type(answers.get(1)));
            assertEquals("LIMIT_EXCEEDED", Json.errorCode(answers.get(2)));
            assertEquals("c", Json.payload(answers.get(2)).get("staffId").getAsString());

            client.send("STAFF_DELETE", "{\"staffId\":\"a\",\"version\":1}");
            assertEquals("STAFF_DELETE", Json.type(answers(client, 1).get(0)));
            client.send("STAFF_CREATE", create("c"));
            assertEquals("STAFF_CREATE", Json.type(answers(client, 1).get(0)), "the delete freed a row");
            assertEquals(2, rowsSynced(client));
        }
    }

    @Test
    void aCreateTheStoreRefusesGivesItsRowBack() throws Exception {
        try (ServerProcess server = ServerProcess.start(env("MAX_ROWS", "2"));
             WsClient client = WsClient.connect(server.wsUri(), "editor")) {
            client.ack();
            client.send("STAFF_CREATE", create("a"));
            assertEquals("STAFF_CREATE", Json.type(answers(client, 1).get(0)));
            for (int i = 0; i < 3; i++) {
                client.send("STAFF_CREATE", create("a"));
                assertEquals("ALREADY_EXISTS", Json.errorCode(answers(client, 1).get(0)));
            }
            client.send("STAFF_CREATE", create("b"));
            assertEquals("STAFF_CREATE", Json.type(answers(client, 1).get(0)), "the refused creates hold no row");
        }
    }

    @Test
    void writesBeyondTheServerWideRateAreRefusedWhicheverConnectionSendsThem() throws Exception {
        int clients = 3;
        int perClient = 10;
        try (ServerProcess server = ServerProcess.start(env("MAX_WRITES_PER_SECOND", "5"))) {
            List<WsClient> writers = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                WsClient writer = WsClient.connect(server.wsUri(), "writer-" + c);
                writer.ack();
                writers.add(writer);
            }
            long started = System.nanoTime();
            for (int i = 0; i < perClient; i++) {
                for (int c = 0; c < clients; c++) {
                    writers.get(c).send("STAFF_CREATE", create("w" + c + "-" + i));
                }
            }
            int applied = 0;
            int limited = 0;
            for (WsClient writer : writers) {
                for (JsonObject answer : answers(writer, perClient)) {
                    if (Json.type(answer).equals("STAFF_CREATE")) {
                        applied++;
                    } else {
                        assertEquals("RATE_LIMITED", Json.errorCode(answer), answer.toString());
                        assertTrue(Json.payload(answer).get("message").getAsString().contains("MAX_WRITES_PER_SECOND"));
                        limited++;
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            // A burst of one second's worth, then 5 per second while the sends and answers took.
            assertTrue(applied >= 5 && applied <= 5 + Math.ceil(5 * seconds),
                    applied + " applied in " + seconds + " s");
            assertEquals(clients * perClient, applied + limited);
            assertEquals(applied, rowsSynced(writers.get(0)), "nothing refused was stored");

            // Not a wait for something to settle: time passing is the input here (one second
            // refills the budget of 5 per second), and the server's clock cannot be set from outside.
            Thread.sleep(1_100);
            writers.get(0).send("STAFF_CREATE", create("later"));
            assertEquals("STAFF_CREATE", Json.type(answers(writers.get(0), 1).get(0)), "the rate comes back with time");
            for (WsClient writer : writers) {
                writer.close();
            }
        }
    }
}
