package staffsync.store.supabase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static staffsync.support.ServerProcess.metricSample;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import staffsync.support.Json;
import staffsync.support.ServerProcess;
import staffsync.support.WsClient;

/** The whole server (the real jar, real WebSocket clients) with the PostgREST stand-in as its Supabase. */
class SupabaseServerTest {
    private static final long POLL_MS = 300;

    private PostgrestStandIn standIn;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        standIn = PostgrestStandIn.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
        standIn.close();
    }

    private ServerProcess server(String key) throws Exception {
        return server(key, POLL_MS);
    }

    private ServerProcess server(String key, long pollMs) throws Exception {
        return server(key, pollMs, Map.of());
    }

    /** A server on the stand-in; {@code overrides} replace or add settings. */
    private ServerProcess server(String key, long pollMs, Map<String, String> overrides) throws Exception {
        Map<String, String> env = new TreeMap<>(Map.of("STORE", "supabase", "SUPABASE_URL", standIn.url(),
                "SUPABASE_SERVICE_KEY", key, "SUPABASE_POLL_MS", Long.toString(pollMs), "SUPABASE_TIMEOUT_MS", "1000"));
        env.putAll(overrides);
        ServerProcess server = ServerProcess.start(env);
        opened.add(server);
        server.awaitReady(200, Duration.ofSeconds(10)); // loaded: clients connecting now get no late snapshot
        return server;
    }

    private ServerProcess server() throws Exception {
        return server(PostgrestStandIn.SECRET_KEY);
    }

    private WsClient client(ServerProcess server, String id) {
        WsClient client = WsClient.connect(server.wsUri(), id);
        opened.add(client);
        client.ack();
        return client;
    }

    /**
     * Nothing more is broadcast to the client, now or by the next two polls, without a quiet
     * period: waits for two whole polls, then fences the hub, through which anything the server
     * broadcast before must have come.
     */
    private void assertNothingMoreBroadcast(WsClient client) throws InterruptedException {
        StoreFixture.awaitPolls(standIn, 2);
        client.assertNothingElseArrived();
    }

    private static String createPayload(String id, String name) {
        return "{\"staff\":{\"id\":" + Json.quote(id) + ",\"name\":" + Json.quote(name) + "}}";
    }

    /** Each row as "id name vversion", from a SYNC_RESPONSE, sorted by id. */
    private static Map<String, String> snapshot(WsClient client) {
        client.send("SYNC_REQUEST", "{}");
        JsonObject response = client.next("SYNC_RESPONSE");
        Map<String, String> rows = new TreeMap<>();
        for (JsonElement row : Json.payload(response).getAsJsonArray("staff")) {
            rows.put(row.getAsJsonObject().get("id").getAsString(), summary(row.getAsJsonObject()));
        }
        return rows;
    }

    private Map<String, String> tableSnapshot() {
        Map<String, String> rows = new TreeMap<>();
        for (JsonObject row : standIn.rows()) {
            rows.put(row.get("id").getAsString(), summary(row));
        }
        return rows;
    }

    private static String summary(JsonObject row) {
        return row.get("name").getAsString() + " v" + row.get("version").getAsLong();
    }

    @Test
    void threeClientsCreatingUpdatingAndDeletingEndWithTheTableEqualToEveryClientsState() throws Exception {
        ServerProcess server = server();
        List<WsClient> clients = List.of(client(server, "alice"), client(server, "bob"), client(server, "carol"));
        for (WsClient client : clients) {
            for (int i = 0; i < 3; i++) {
                client.send("STAFF_CREATE", createPayload(client.clientId() + "-" + i, "Person " + i));
            }
            client.send("STAFF_UPDATE", "{\"staffId\":\"" + client.clientId() + "-0\",\"changes\":{\"name\":\"Renamed\"}}");
            client.send("STAFF_UPDATE", "{\"staffId\":\"" + client.clientId() + "-1\",\"changes\":{\"period\":2},\"version\":1}");
            client.send("STAFF_DELETE", "{\"staffId\":\"" + client.clientId() + "-2\"}");
        }
        for (WsClient client : clients) { // 3 clients x 6 changes, every one broadcast to every client
            for (int i = 0; i < 18; i++) {
                String type = Json.type(client.next());
                assertTrue(type.startsWith("STAFF_"), type);
            }
        }
        Map<String, String> table = tableSnapshot();
        assertEquals(6, table.size());
        assertEquals("Renamed v2", table.get("bob-0"));
        for (WsClient client : clients) {
            assertEquals(table, snapshot(client));
        }
    }

    @Test
    void aClientsRowCarriesTheTablesTimestampsToTheMicrosecond() throws Exception {
        WsClient client = client(server(), "micros");
        client.send("STAFF_CREATE", createPayload("m", "Micro"));
        JsonObject row = Json.payload(client.next("STAFF_CREATE"));
        JsonObject stored = standIn.row("m");
        assertEquals(stored.get("created_at").getAsString(), row.get("created_at").getAsString());
        assertEquals(stored.get("updated_at").getAsString(), row.get("updated_at").getAsString());

        client.send("STAFF_UPDATE", "{\"staffId\":\"m\",\"changes\":{\"name\":\"Micro 2\"}}");
        JsonObject changes = Json.payload(client.next("STAFF_UPDATE")).getAsJsonObject("changes");
        assertEquals(standIn.row("m").get("updated_at").getAsString(), changes.get("updated_at").getAsString());
    }

    @Test
    void twoServerProcessesOnOneTableReportTheConflictAndConverge() throws Exception {
        ServerProcess first = server();
        ServerProcess second = server(PostgrestStandIn.LEGACY_KEY);
        WsClient atFirst = client(first, "at-first");
        WsClient atSecond = client(second, "at-second");

        atFirst.send("STAFF_CREATE", createPayload("shared", "Ada"));
        atFirst.next("STAFF_CREATE");
        atSecond.next("STAFF_CREATE"); // found by the second server's poller

        atFirst.send("STAFF_UPDATE", "{\"staffId\":\"shared\",\"changes\":{\"name\":\"First wins\"},\"version\":1}");
        atFirst.next("STAFF_UPDATE");
        atSecond.send("STAFF_UPDATE", "{\"staffId\":\"shared\",\"changes\":{\"name\":\"Second loses\"},\"version\":1}");
        // The second server's poller reports the first's update at a moment of its own: before or
        // after the refusal.
        JsonObject error = null;
        JsonObject polled = null;
        while (error == null || polled == null) {
            JsonObject message = atSecond.next();
            if (Json.type(message).equals("ERROR")) {
                assertNull(error, "one refusal: " + message);
                error = message;
            } else {
                assertEquals("STAFF_UPDATE", Json.type(message), message.toString());
                assertNull(polled, "the update reported once: " + message);
                polled = message;
            }
        }
        assertEquals("VERSION_CONFLICT", Json.errorCode(error));
        assertEquals("First wins", Json.payload(error).getAsJsonObject("current").get("name").getAsString());

        assertEquals("First wins v2", tableSnapshot().get("shared"));
        assertEquals(tableSnapshot(), snapshot(atFirst));
        assertEquals(tableSnapshot(), snapshot(atSecond));
    }

    @Test
    void changesBeyondMaxPendingWhileTheStoreIsSlowAreRateLimitedAndNotApplied() throws Exception {
        // A slow Supabase (600 ms per request) holds the first two changes at the store; the third,
        // sent right behind them, finds the connection's MAX_PENDING_PER_CONNECTION of 2 used up.
        ServerProcess server = server(PostgrestStandIn.SECRET_KEY, POLL_MS,
                Map.of("SUPABASE_TIMEOUT_MS", "5000", "MAX_PENDING_PER_CONNECTION", "2"));
        WsClient writer = client(server, "writer");
        standIn.setLatency(Duration.ofMillis(600));

        writer.send("STAFF_CREATE", createPayload("first", "One"));
        writer.send("STAFF_CREATE", createPayload("second", "Two"));
        long third = writer.send("STAFF_CREATE", createPayload("third", "Three"));

        JsonObject refused = writer.next("ERROR"); // at once: the other two are still at the store
        assertEquals("RATE_LIMITED", Json.errorCode(refused));
        assertEquals(third, refused.get("inReplyTo").getAsLong());
        // Different rows go to different store lanes, so the two may finish in either order.
        List<String> applied = new ArrayList<>(List.of(
                Json.payload(writer.next("STAFF_CREATE")).get("id").getAsString(),
                Json.payload(writer.next("STAFF_CREATE")).get("id").getAsString()));
        applied.sort(null);
        assertEquals(List.of("first", "second"), applied);
        assertNull(standIn.row("third"), "the refused change was not applied");

        standIn.setLatency(Duration.ZERO);
        writer.send("STAFF_CREATE", createPayload("third", "Three"));
        assertEquals("third", Json.payload(writer.next("STAFF_CREATE")).get("id").getAsString(),
                "once the others settled, the connection may send again");
    }

    @Test
    void everySupabaseCallIsCountedInMetricsByMethodAndOutcome() throws Exception {
        ServerProcess server = server();
        WsClient writer = client(server, "writer");
        writer.send("STAFF_CREATE", createPayload("counted", "Counted"));
        writer.next("STAFF_CREATE");
        standIn.beginOutage(PostgrestStandIn.Fault.PLAIN_503);
        writer.send("STAFF_CREATE", createPayload("refused", "Refused"));
        assertEquals("STORE_UNAVAILABLE", Json.errorCode(writer.next("ERROR")));
        standIn.endOutage();

        String metrics = server.metrics();
        String requests = "staffsync_supabase_requests_total";
        assertEquals(1, metricSample(metrics, requests + "{method=\"POST\",outcome=\"2xx\"}"), metrics);
        assertEquals(1, metricSample(metrics, requests + "{method=\"POST\",outcome=\"5xx\"}"), metrics);
        assertTrue(metricSample(metrics, requests + "{method=\"GET\",outcome=\"2xx\"}") >= 1,
                "the load and the polls are reads: " + metrics);
        assertEquals(2, metricSample(metrics, "staffsync_supabase_request_seconds_count{method=\"POST\"}"), metrics);
        assertFalse(metrics.contains(PostgrestStandIn.SECRET_KEY), "no key in the metrics");
    }


    @Test
    void whileSupabaseIsDownChangesAreStoreUnavailableNothingIsBroadcastAndItRecovers() throws Exception {
        ServerProcess server = server();
        WsClient writer = client(server, "writer");
        WsClient watcher = client(server, "watcher");

        standIn.beginOutage(PostgrestStandIn.Fault.PLAIN_503);
        writer.send("STAFF_CREATE", createPayload("during", "Lost?"));
        assertEquals("STORE_UNAVAILABLE", Json.errorCode(writer.next("ERROR")));
        assertNothingMoreBroadcast(watcher);
        HttpResponse<String> ready = server.get("/ready");
        assertEquals(503, ready.statusCode());
        assertTrue(ready.body().contains("503"), ready.body());
        assertNull(standIn.row("during"));

        standIn.endOutage();
        writer.send("STAFF_CREATE", createPayload("after", "Back"));
        assertEquals("after", Json.payload(watcher.next("STAFF_CREATE")).get("id").getAsString());
        server.awaitReady(200, Duration.ofSeconds(10));
    }

    @Test
    void aWriteWhoseAnswerWasLostIsBroadcastWhenItWasStored() throws Exception {
        ServerProcess server = server();
        WsClient writer = client(server, "writer");
        WsClient watcher = client(server, "watcher");
        standIn.failNextWrites(PostgrestStandIn.Fault.APPLY_THEN_RESET, 1);
        long number = writer.send("STAFF_CREATE", createPayload("kept", "Stored"));
        JsonObject atWriter = writer.next("STAFF_CREATE");
        assertEquals(number, atWriter.get("inReplyTo").getAsLong());
        assertEquals("kept", Json.payload(watcher.next("STAFF_CREATE")).get("id").getAsString());
        assertNothingMoreBroadcast(watcher); // reported once, not again by the poller
    }

    @Test
    void aWriteWhoseConnectionDroppedBeforeItWasStoredIsStoreUnavailable() throws Exception {
        ServerProcess server = server();
        WsClient writer = client(server, "writer");
        WsClient watcher = client(server, "watcher");
        standIn.failNextWrites(PostgrestStandIn.Fault.CONNECTION_RESET, 1);
        writer.send("STAFF_CREATE", createPayload("dropped", "Not stored"));
        assertEquals("STORE_UNAVAILABLE", Json.errorCode(writer.next("ERROR")));
        assertNothingMoreBroadcast(watcher);
        assertNull(standIn.row("dropped"));
    }

    @Test
    void aRowChangedDirectlyInTheTableReachesEveryClientWithinTwoPollIntervals() throws Exception {
        JsonObject seed = new JsonObject();
        seed.addProperty("id", "direct");
        seed.addProperty("name", "Before");
        standIn.insertDirectly(seed);
        // A longer interval than the other tests: the bound is about the design (one interval plus
        // the poll itself), not about how busy this shared machine is.
        long pollMs = 1_000;
        ServerProcess server = server(PostgrestStandIn.SECRET_KEY, pollMs);
        List<WsClient> clients = List.of(client(server, "a"), client(server, "b"), client(server, "c"));

        JsonObject change = new JsonObject();
        change.addProperty("name", "Edited in SQL");
        long start = System.nanoTime();
        standIn.updateDirectly("direct", change);
        for (WsClient client : clients) {
            JsonObject update = client.next("STAFF_UPDATE");
            assertEquals("Edited in SQL", Json.payload(update).getAsJsonObject("staff").get("name").getAsString());
        }
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        System.out.println("direct change reached 3 clients in " + elapsedMs + " ms (poll interval " + pollMs + " ms)");
        assertTrue(elapsedMs <= 2 * pollMs, "took " + elapsedMs + " ms");
    }

    @Test
    void theKeyNeverAppearsInTheServerLogOrHealth() throws Exception {
        ServerProcess server = server(PostgrestStandIn.LEGACY_KEY);
        WsClient writer = client(server, "writer");
        standIn.failNextWrites(PostgrestStandIn.Fault.APPLY_THEN_RESET, 1);
        writer.send("STAFF_CREATE", createPayload("x", "X"));
        writer.next("STAFF_CREATE");
        standIn.revokeGrants(true);
        writer.send("STAFF_CREATE", createPayload("y", "Y"));
        assertEquals("STORE_UNAVAILABLE", Json.errorCode(writer.next("ERROR")));
        String health = server.get("/health").body();
        assertTrue(health.contains("42501"), health);
        standIn.revokeGrants(false);

        String[] jwtParts = PostgrestStandIn.LEGACY_KEY.split("\\.");
        String everything = server.log() + health + server.get("/ready").body();
        assertFalse(everything.contains(jwtParts[1]), "the key's payload");
        assertFalse(everything.contains(jwtParts[2]), "the key's signature");
        assertTrue(server.log().contains("42501"), "the failure itself was logged");
        JsonObject parsedHealth = JsonParser.parseString(health).getAsJsonObject();
        assertNotNull(parsedHealth.getAsJsonObject("store"));
    }
}
